"""Cells that hold several values: ``represents`` (ids) and ``places`` (``level:code``), `;`-separated.

One reader for each, so that the check, the join and every view split them the same way.
"""

from __future__ import annotations

import math

SEPARATOR = ";"


def split(cell: object) -> list[str]:
    """The values of a `;`-separated cell, stripped, empty ones dropped (missing → [])."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return []
    return [v.strip() for v in str(cell).split(SEPARATOR) if v.strip()]


def join(values: list[str]) -> str:
    """The cell text of ``values`` (none → "")."""
    return f"{SEPARATOR} ".join(values) if values else ""


def places(cell: object) -> list[tuple[str, str]]:
    """The ``(level, code)`` pairs of a ``places`` cell (``region_2012:22; departement:59``).

    A value without ``:`` is returned with an empty level, for the check to report.
    """
    out = []
    for v in split(cell):
        level, sep, code = v.partition(":")
        out.append((level.strip(), code.strip()) if sep else ("", v))
    return out
