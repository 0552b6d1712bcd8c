"""The static site's directory: which one may be replaced, and replacing it in one rename.

A directory is replaced only when it is new, empty, or a site this command wrote (it holds
:data:`MARKER`): anything else is refused before any work, and left untouched. The site is built
beside it, then exchanged with it in one ``renameat2(RENAME_EXCHANGE)`` (Linux), so a web server
reading it sees the old site or the new one, never a mixture nor nothing.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
import sys
from pathlib import Path

from territoires.errors import TerritoiresError

MARKER = ".territoires-site"  # in the site's root: the directory is one this command may replace
TODO = "choisir avec --output un dossier nouveau, vide, ou un site déjà écrit par cette commande."
_WHY = {
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota de disque dépassé",
    errno.ENAMETOOLONG: "nom trop long",
    errno.ENOTDIR: "un élément du chemin est un fichier, pas un dossier",
}


def cannot_write(exc: OSError, output: Path) -> TerritoiresError:
    """The French error for a file the system refused while the site was written."""
    why = _WHY.get(exc.errno or 0) or f"erreur du système : {exc.strerror or exc}"
    return TerritoiresError(
        f"Impossible d'écrire le site ({why}) ; le dossier est resté tel qu'il était.",
        where=output,
        todo="choisir avec --output un dossier où l'on peut écrire, ou libérer de la place.",
    )


def target(output: Path) -> Path:
    """``output`` as an absolute path (« .. » resolved, links kept), refused if it names no directory."""
    path = Path(os.path.abspath(output))
    if not path.name:
        raise TerritoiresError("Impossible d'écrire le site à la racine du système.", where=path, todo=TODO)
    return path


def previous_site(output: Path) -> bool:
    """Whether ``output`` holds a site of this command; a French error if it may not be replaced.

    Checked before any work: a refused directory is left as it was.
    """
    try:
        if not output.exists():
            return False
        if not output.is_dir():
            raise TerritoiresError(
                "Impossible d'écrire le site : ce chemin est un fichier, pas un dossier.", where=output, todo=TODO
            )
        if (output / MARKER).is_file():
            return True
        if any(output.iterdir()):
            raise TerritoiresError(
                "Dossier refusé : il n'est pas vide et ne contient pas un site écrit par Territoires "
                f"(pas de fichier {MARKER}) ; rien n'y a été modifié.",
                where=output,
                todo=TODO + " Pour remplacer ce dossier, le vider ou le supprimer d'abord.",
            )
    except OSError as exc:
        raise cannot_write(exc, output) from exc
    return False


def temporary(output: Path) -> Path:
    """A new, empty directory beside ``output`` (same file system: the final rename is atomic)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.parent / f".{output.name}.tmp-{secrets.token_hex(6)}"
    tmp.mkdir()
    return tmp


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one system call; False where the system cannot (then two renames)."""
    if sys.platform != "linux":
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:  # a C library older than glibc 2.28
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # a file system without the exchange
        return False
    raise OSError(code, os.strerror(code), str(b))


def put_in_place(tmp: Path, output: Path) -> None:
    """Make ``tmp`` the directory ``output``; the previous one (if any) ends up at ``tmp``, to be removed."""
    if not output.exists():
        os.rename(tmp, output)
        return
    if _exchange(tmp, output):
        return
    # No exchange here: two renames, the old site put back if the second fails.
    old = output.parent / f".{output.name}.old-{secrets.token_hex(6)}"
    os.rename(output, old)
    try:
        os.rename(tmp, output)
    except OSError:
        os.rename(old, output)
        raise
    os.rename(old, tmp)


def remove(tmp: Path) -> None:
    """Remove a temporary directory (a build given up, or the replaced site)."""
    shutil.rmtree(tmp, ignore_errors=True)


def size(directory: Path) -> int:
    """Bytes of every file under ``directory``."""
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
