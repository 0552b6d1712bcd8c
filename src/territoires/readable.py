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


def _cited(records: pd.DataFrame) -> dict[str, set[str]]:
    """level → the codes ``records`` name: their own territories and those their ``places`` cells cite."""
    wanted: dict[str, set[str]] = {}
    if {"level", "code"} <= set(records.columns):
        communes = records["commune"] if "commune" in records.columns else records["code"]
        for level, code, commune in zip(records["level"], records["code"], communes, strict=True):
            if level == "point":  # a point is named by its commune
                level, code = "commune", commune if isinstance(commune, str) and commune else code
            if isinstance(code, str) and code and level in STORE_LEVELS:
                wanted.setdefault(level, set()).add(code)
    if "places" in records.columns:
        for cell in records["places"].dropna():
            for level, code in cells.places(cell):
                wanted.setdefault(level, set()).add(code)
    return wanted


def place_names(
    levels: Mapping[str, pd.DataFrame], records: pd.DataFrame, names: Mapping[str, Mapping[str, str]] | None = None
) -> dict[str, dict[str, str]]:
    """``names`` (level → code → name) completed with the names of the territories that ``records`` are
    (a member commune) or that their ``places`` cells cite, from the store's ``levels`` (only those: a
    whole layer of communes is not copied)."""
    out = {lv: dict(d) for lv, d in (names or {}).items()}
    for level, codes in _cited(records).items():
        for layer in (STORE_LEVELS.get(level), "communes_2012" if level == "commune" else None):
            t = levels.get(layer) if layer else None
            if t is not None and {"code", "nom"} <= set(t.columns):
                hit = t[t["code"].isin(codes)]
                found = dict(zip(hit["code"], hit["nom"], strict=True))
                out[level] = {**found, **out.get(level, {})}
    return out


# How a territory's kind and code follow its name (« Saint-Étienne (commune 42218) »): lower case, as
# inside a sentence; a 2012 région says so, its code being also that of a région of today.
NOUNS: dict[str, str] = {
    "commune": "commune {code}",
    "epci": "intercommunalité {code}",
    "departement": "département {code}",
    "region": "région {code}",
    "region_2012": "région de 2012, {code}",
}


POINT = "Point dans"  # a record placed at coordinates, followed by its commune

# The boundary store's levels (``data/geo/<level>.parquet``, the manifest's counts) as a reader names them.
STORE_LEVEL_LABELS: dict[str, str] = {
    "communes": "Communes d'aujourd'hui",
    "arrondissements": "Arrondissements municipaux (Paris, Lyon, Marseille)",
    "subdivisions": "Communes déléguées et associées",
    "epci": "Intercommunalités (EPCI)",
    "departements": "Départements",
    "regions": "Régions d'aujourd'hui",
    "regions_2012": "Régions de 2012",
    "communes_2012": "Communes de 2012",
}


def store_level(level: str) -> str:
    """« Régions de 2012 » for ``regions_2012``; an unknown level (a newer store) as it is."""
    return STORE_LEVEL_LABELS.get(level, level)


def named(level: str, code: Any, names: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A code with its name, « Gironde (33) »; the bare code when its name is unknown, "" without one."""
    if not isinstance(code, str) or not code:
        return ""
    name = (names or {}).get(level, {}).get(code)
    return f"{name} ({code})" if name else code


def territory(a: Mapping[str, Any], names: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The record's own territory in words: « Saint-Étienne (commune 42218) », « France entière », « Point dans
    Gex (commune 01008) »; the level and code (« Commune 42218 ») when the boundaries do not name it."""
    level, code = str(_value(a, "level") or ""), _value(a, "code")
    if level == "national":
        return LEVELS["national"]
    if level == "point":  # not « Point 01008 »: the commune the point lies in, by name
        code = _value(a, "commune") or code
        name = (names or {}).get("commune", {}).get(code) if isinstance(code, str) else None
        where = f"{name} ({NOUNS['commune'].format(code=code)})" if name else f"la commune {code or '?'}"
        return f"{POINT} {where}"
    name = (names or {}).get(level, {}).get(code) if isinstance(code, str) else None
    if name and level in NOUNS:
        return f"{name} ({NOUNS[level].format(code=code)})"
    return f"{LEVELS.get(level, level)} {code or ''}".strip()


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


# The join's code columns (the région of 2012, the département, the région of today holding a record)
# and the text column that gives each with its name: the Données table shows the names.
NAMED_COLUMNS: dict[str, tuple[str, str]] = {
    "dep": ("departement", "dep_nom"),
    "reg_2012": ("region_2012", "reg_2012_nom"),
    "reg": ("region", "reg_nom"),
}


def columns(records: pd.DataFrame, names: Mapping[str, Mapping[str, str]] | None = None) -> pd.DataFrame:
    """``records`` with French text columns: ``chiffres`` (the readings), ``statut``, ``autres_lieux``,
    ``dep_nom``/``reg_2012_nom``/``reg_nom`` (« Gironde (33) ») for the join's codes, and ``perimetre``
    when the join says which perimeters are approximate. The raw cells stay."""
    rows = records.to_dict("records")
    out = records.assign(
        chiffres=[SEPARATOR.join(readings(r)) for r in rows],
        statut=[status(r) for r in rows],
        autres_lieux=[SEPARATOR.join(places(r, names)) for r in rows],
    )
    for col, (level, text) in NAMED_COLUMNS.items():
        if col in records.columns:
            out[text] = [named(level, _value(r, col), names) for r in rows]
    if "perimetre_approche" in records.columns:
        out["perimetre"] = ["approché" if approximate(r) else "" for r in rows]
    return out


def new_members(members: pd.DataFrame) -> pd.DataFrame:
    """The members the newsletter welcomes as new, among ``members``, that have a territory to draw."""
    if members.empty or "new_member" not in members:
        return members.iloc[:0]
    flag = members["new_member"].fillna(False).astype(bool)
    return members[flag & ~members["level"].isin(("none", "national"))]
