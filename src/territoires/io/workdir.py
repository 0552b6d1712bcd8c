"""Temporary work directories that do not outlive their process, even a killed one.

:func:`work_dir` names the directory after the process (``<prefix><pid>-<random>``) and removes
it on leaving: on success, on error, on Ctrl-C, and on SIGTERM, turned into a
:class:`Terminated` exception for the time being.  SIGKILL leaves no chance to clean up: the
next run calls :func:`clean_leftovers`, which removes the directories of processes that no
longer run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

# A directory without a PID in its name (made by an older version) is left alone this long.
STALE_AFTER = 24 * 3600.0
# This process's own directories, so that a PID reused by a later process (PID 1 in a
# restarted container) does not keep a killed run's leftovers forever.
_OURS: set[Path] = set()


class Terminated(KeyboardInterrupt):  # a signal, like KeyboardInterrupt: no "except Exception" swallows it
    """SIGTERM received: raised in the main thread so that ``finally`` blocks and ``with`` exits run."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (main thread only; elsewhere, nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def work_dir(parent: Path, prefix: str) -> Iterator[Path]:
    """A fresh ``<parent>/<prefix><pid>-<random>`` directory, removed on leaving, SIGTERM included."""
    parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
    _OURS.add(path.resolve())
    try:
        with sigterm_raises():
            yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        _OURS.discard(path.resolve())


def clean_leftovers(parent: Path, prefix: str) -> list[Path]:
    """Remove ``<parent>/<prefix>*`` directories whose process no longer runs; the ones removed."""
    removed = []
    for path in sorted(parent.glob(f"{prefix}*")) if parent.is_dir() else []:
        if path.is_dir() and path.resolve() not in _OURS and _abandoned(path, path.name[len(prefix) :]):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _abandoned(path: Path, rest: str) -> bool:
    m = re.match(r"(\d+)-", rest)
    if m is None or os.name == "nt":  # no PID to ask about (see running): only the age tells
        with contextlib.suppress(OSError):
            return time.time() - path.stat().st_mtime > STALE_AFTER
        return False
    pid = int(m.group(1))
    return pid == os.getpid() or not running(pid)


def running(pid: int) -> bool:
    """Whether process ``pid`` exists (one of another user counts; on Windows, assumed: see _abandoned)."""
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
