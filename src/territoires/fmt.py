"""French number and date formatting (« 1 234,5 », « 25 juin 2012 »)."""

from __future__ import annotations

import contextlib
import datetime as dt
import math

NNBSP = "\u202f"  # narrow no-break space: the French thousands separator
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def number(x: float | int | None, decimals: int = 0) -> str:
    """``1234.5`` → ``'1 234,5'``; missing → ``'–'``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    s = f"{x:,.{decimals}f}"
    return s.replace(",", NNBSP).replace(".", ",")


def percent(x: float | None, decimals: int = 1) -> str:
    """``0.253`` → ``'25,3 %'``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{number(100 * x, decimals)}\u00a0%"


def date(iso: str | None) -> str:
    """``'2012-06-25'`` → ``'25 juin 2012'``; ``'2012-04'`` → ``'avril 2012'``; ``'2007'`` → ``'2007'``."""
    if not iso:
        return ""
    parts = iso.split("-")
    if len(parts) == 3:
        day = int(parts[2])
        return f"{'1er' if day == 1 else day} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def date_time(iso: str | None, tz: str = "Europe/Paris") -> str:
    """``'2026-11-30T18:40:53+00:00'`` → ``'30 novembre 2026 à 19 h 40'`` (French time); a text that is not
    an ISO date and time is returned as it is, "" for none."""
    import datetime as dt
    import zoneinfo

    if not iso:
        return ""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:  # a moment in time: said in the time of France, as the reader lives it
        with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError):
            moment = moment.astimezone(zoneinfo.ZoneInfo(tz))
    return f"{date(moment.date().isoformat())} à {moment.hour} h {moment.minute:02d}"


def parse_day(text: str) -> dt.date | None:
    """A day typed as AAAA-MM-JJ or JJ/MM/AAAA (past or future: a meeting's day), or None."""
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime((text or "").strip(), form).date()
        except ValueError:
            continue
    return None
