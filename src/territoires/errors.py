"""Errors that say what went wrong, where, and what to do — in French, for users."""

from __future__ import annotations

from pathlib import Path


class TerritoiresError(Exception):
    """An error a user can act on.

    ``what`` says what is wrong, ``where`` names the file, column or URL, and
    ``todo`` gives the command or action that fixes it.  ``str()`` joins them in
    one French message, fit for the CLI and the dashboard alike.
    """

    def __init__(self, what: str, *, where: str | Path | None = None, todo: str | None = None):
        self.what = what
        self.where = str(where) if where is not None else None
        self.todo = todo
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [self.what]
        if self.where:
            parts.append(f"Emplacement : {self.where}")
        if self.todo:
            parts.append(f"À faire : {self.todo}")
        return "\n".join(parts)


class DataFileError(TerritoiresError):
    """A data file is missing, unreadable or does not match its schema."""


class DownloadError(TerritoiresError):
    """A download failed or gave something other than what was expected."""


def sample(values, n: int = 5) -> str:
    """A few values for an error message: ``'a', 'b', … (12 en tout)``."""
    vals = list(dict.fromkeys(str(v) for v in values))
    shown = ", ".join(repr(v) for v in vals[:n])
    return shown + (f", … ({len(vals)} en tout)" if len(vals) > n else "")
