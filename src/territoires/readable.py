"""A record's multi-valued cells as French text: its figures' readings, its status, its other places.

One reading for every view (popups, the Données table, the statistics, the downloads), so that they
never disagree. Figures are parsed only by :mod:`territoires.registry.figures`, ``represents`` and
``places`` split only by :mod:`territoires.registry.cells`. A column the registry does not have (yet)
reads as empty: nothing here fails on an older ``actors.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from territoires.registry import cells
from territoires.registry import figures as fig
from territoires.registry.schema import LEVELS, STORE_LEVELS

SEPARATOR = " ; "
STATUSES = fig.FIGURE_STATUSES  # planned → « prévu », studied → « à l'étude »
APPROX = "approché (contour de 2012 reconstitué)"


def _value(a: Mapping[str, Any], col: str) -> Any:
    """``a[col]``, with a missing column or a missing value (NaN, NA, "") as None."""
    v = a.get(col)
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v == "":
        return None
    return v


def _truth(v: Any) -> bool:
    """A boolean cell (bool, numpy bool, "true"/"false" text); missing → False."""
    if v is None:
        return False
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "oui")
    return bool(v)


def figure_list(a: Mapping[str, Any]) -> list[fig.Figure]:
    """The record's figures (none without a ``figures`` cell); a cell that does not parse gives none
    (the registry's check reports it)."""
    try:
        return fig.parse(_value(a, "figures"))
    except fig.FigureError:
        return []


def readings(a: Mapping[str, Any]) -> list[str]:
    """How each of the record's figures reads in French."""
    return [fig.reading(f) for f in figure_list(a)]


def status(a: Mapping[str, Any]) -> str:
    """« prévu », « à l'étude », or "" for what exists."""
    return STATUSES.get(str(_value(a, "status") or ""), "")


def places(a: Mapping[str, Any], names: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    """The French names of the record's other territories (``names[level][code]``, else level and code)."""
    out = []
    for level, code in cells.places(_value(a, "places")):
        name = LEVELS["national"] if level == "national" else (names or {}).get(level, {}).get(code)
        out.append(name or f"{LEVELS.get(level, level)} {code}".strip())
    return out


def place_names(
    levels: Mapping[str, pd.DataFrame], records: pd.DataFrame, names: Mapping[str, Mapping[str, str]] | None = None
) -> dict[str, dict[str, str]]:
    """``names`` (level → code → name) completed with the names of the territories that ``records``' ``places``
    cells cite, from the store's ``levels`` (only those: a whole layer of communes is not copied)."""
    out = {lv: dict(d) for lv, d in (names or {}).items()}
    if "places" not in records.columns:
        return out
    wanted: dict[str, set[str]] = {}
    for cell in records["places"].dropna():
        for level, code in cells.places(cell):
            wanted.setdefault(level, set()).add(code)
    for level, codes in wanted.items():
        for layer in (STORE_LEVELS.get(level), "communes_2012" if level == "commune" else None):
            t = levels.get(layer) if layer else None
            if t is not None and {"code", "nom"} <= set(t.columns):
                hit = t[t["code"].isin(codes)]
                found = dict(zip(hit["code"], hit["nom"], strict=True))
                out[level] = {**found, **out.get(level, {})}
    return out


def represents(a: Mapping[str, Any]) -> list[str]:
    """The ids of the members a board member represents."""
    return cells.split(_value(a, "represents"))


def approximate(a: Mapping[str, Any]) -> bool:
    """Whether the record's territory is drawn from an approximate 2012 commune outline."""
    return _truth(_value(a, "perimetre_approche"))


def approximate_flags(records: pd.DataFrame) -> pd.Series:
    """For each of ``records``, whether it is drawn with an approximate perimeter (all False without the column)."""
    if "perimetre_approche" not in records.columns:
        return pd.Series(False, index=records.index, dtype=bool)
    return records["perimetre_approche"].map(lambda v: _truth(_value({"v": v}, "v"))).astype(bool)


def any_approximate(records: pd.DataFrame) -> bool:
    """Whether any of ``records`` is drawn with an approximate perimeter."""
    return bool(approximate_flags(records).any())


def columns(records: pd.DataFrame, names: Mapping[str, Mapping[str, str]] | None = None) -> pd.DataFrame:
    """``records`` with French text columns: ``chiffres`` (the readings), ``statut``, ``autres_lieux``,
    and ``perimetre`` when the join says which perimeters are approximate. The raw cells stay."""
    rows = records.to_dict("records")
    out = records.assign(
        chiffres=[SEPARATOR.join(readings(r)) for r in rows],
        statut=[status(r) for r in rows],
        autres_lieux=[SEPARATOR.join(places(r, names)) for r in rows],
    )
    if "perimetre_approche" in records.columns:
        out["perimetre"] = ["approché" if approximate(r) else "" for r in rows]
    return out
