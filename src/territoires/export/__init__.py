"""Exports of the map: a 16:9 image drawn on the server (PNG, SVG, PDF) and a standalone HTML file.

- :mod:`~territoires.export.image`: the image, drawn with matplotlib (imported only when asked for);
- :mod:`~territoires.export.html`: the HTML file, Leaflet inlined.

The command line writes its files with :func:`write_file` (atomically) and says why one cannot be
written with :func:`cannot_write`, in French: a directory, a read-only place, a full disk…
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from territoires.errors import TerritoiresError
from territoires.io.atomic import write_bytes_atomic

if TYPE_CHECKING:  # only for the annotations: the CLI imports write_file without geopandas
    from territoires.state import MapState
    from territoires.webmap.geometry import GeometryCache

FORMATS = ("png", "svg", "pdf", "html")

_TODO = "choisir un autre chemin avec -o (un fichier dans un dossier où l'on peut écrire)."
# errno -> why, for the causes a user meets; the others say the system's own words.
_WHY = {
    errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "un élément du chemin est un fichier, pas un dossier",
    errno.EEXIST: "un élément du chemin est un fichier, pas un dossier",  # mkdir over a file
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise : fichier protégé ou immuable",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota de disque dépassé",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.ENOENT: "impossible de créer un fichier dans ce dossier",  # e.g. in /proc
}


def _error(why: str, path: Path) -> TerritoiresError:
    return TerritoiresError(f"Impossible d'écrire le fichier ({why}).", where=path, todo=_TODO)


def cannot_write(exc: OSError, path: Path) -> TerritoiresError:
    """The French error for ``exc``, met while writing ``path``."""
    why = _WHY.get(exc.errno or 0) or f"erreur du système : {exc.strerror or exc}"
    if exc.errno == errno.EEXIST and Path(path).is_dir():  # a directory given as the file
        why = _WHY[errno.EISDIR]
    return _error(why, Path(path))


def check_target(path: Path) -> None:
    """Refuse, before any work, a target that is a directory, a device or a read-only file.

    The atomic write would otherwise rename over a read-only file, or replace a device
    such as ``/dev/null`` with a plain file when run as root.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return  # a new file: its directory is checked by the write itself
    except OSError as exc:
        raise cannot_write(exc, path) from exc
    if stat.S_ISDIR(mode):
        raise _error(_WHY[errno.EISDIR], path)
    if not stat.S_ISREG(mode):
        raise _error("ce n'est pas un fichier ordinaire", path)
    if not os.access(path, os.W_OK):
        raise _error(_WHY[errno.EACCES], path)


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; on failure the file is left as it was, with a French error."""
    path = Path(path)
    check_target(path)
    try:
        write_bytes_atomic(path, data)
    except OSError as exc:
        raise cannot_write(exc, path) from exc


def render(cache: GeometryCache, state: MapState, fmt: str, size: tuple[int, int] = (1920, 1080)) -> bytes:
    """The map of ``state`` in format ``fmt`` (png, svg, pdf or html), as bytes."""
    if fmt == "html":
        from territoires.export.html import standalone_html

        return standalone_html(cache, state).encode("utf-8")
    from territoires.export.image import render_image  # matplotlib: only when an image is asked for

    return render_image(cache, state, fmt, size)


def export_map(
    cache: GeometryCache, state: MapState, fmt: str, output: Path, size: tuple[int, int] = (1920, 1080)
) -> int:
    """Write the map to ``output`` atomically; returns the bytes written."""
    check_target(output)  # before the drawing, which takes seconds
    data = render(cache, state, fmt, size)
    write_file(output, data)
    return len(data)
