"""Reading a file the user gave or the store holds: any failure becomes an error that says what, where, what to do."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from territoires.errors import DataFileError


@contextlib.contextmanager
def reading(
    what: str, where: str | Path, todo: str, errors: tuple[type[BaseException], ...] = (Exception,)
) -> Iterator[None]:
    """Turn ``errors`` raised in the block into a :class:`DataFileError`: « what (Type : detail). ».

    Readers of damaged files (pyarrow, GDAL, openpyxl, pandas) raise many exception types; the
    user needs to know which file cannot be read and what to do, not which library gave up.
    A :class:`DataFileError` raised in the block passes through unchanged.
    """
    try:
        yield
    except DataFileError:
        raise
    except errors as exc:
        raise DataFileError(f"{what} ({type(exc).__name__} : {exc}).", where=where, todo=todo) from exc
