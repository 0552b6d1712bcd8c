"""One writer at a time: an advisory lock on a file, shared by processes and threads alike.

``fcntl.flock`` locks an open file description, so two threads of one server that each open
the lock file exclude each other as two processes do; the kernel releases the lock when the
process dies, so a ``kill -9`` never leaves the registry locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from territoires.errors import TerritoiresError

POLL_S = 0.05


@contextlib.contextmanager
def locked(path: Path, *, timeout: float = 30.0, shared: bool = False, what: str = "le registre") -> Iterator[None]:
    """Hold an exclusive (or ``shared``) lock on ``path`` (a directory, or a file created if need be).

    Waits up to ``timeout`` seconds, then raises a French :class:`TerritoiresError` saying that
    another writer is at work: nothing has been done yet, the user may simply try again.
    """
    path = Path(path)
    try:
        # A directory is locked through itself (no lock file to create or leave behind).
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY) if path.is_dir() else os.open(path, os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        raise TerritoiresError(
            f"Impossible de verrouiller {what} ({exc.strerror or type(exc).__name__}).",
            where=path,
            todo="vérifier que le dossier existe et que le serveur peut y écrire.",
        ) from exc
    mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TerritoiresError(
                        f"{what.capitalize()} est occupé par une autre modification depuis plus de {timeout:g} s.",
                        where=path,
                        todo="réessayer dans un instant ; rien n'a été écrit.",
                    ) from None
                time.sleep(POLL_S)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
