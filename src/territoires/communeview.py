"""Every commune of France: the share of its population covered by an RTES member, at any level.

One rule for coverage (:func:`territoires.stats.member_communes`, i.e. :meth:`.join.Units.of_record`):
a member covers the communes of 2012 its territory holds (a commune, an intercommunality's 2012
perimeter, a département, a région). A commune of 2012 is covered or not (share 1 or 0); a commune
of today gathers communes of 2012, whose populations are today's shared out by area
(:func:`~territoires.registry.join.units_2012`): its share is the covered part of that population
(by area when it has no population). Pure data: no streamlit, no folium.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from territoires import fmt
from territoires.registry.join import Units
from territoires.stats import member_communes

VINTAGES = {"2012": "Communes de 2012", "today": "Communes d'aujourd'hui"}
# Fixed classes (the shares are mostly 0 or 1: quantiles or natural breaks would be degenerate).
# (upper bound included, French label, colour); the first class is « exactly 0 », the last « exactly 1 ».
CLASSES = (
    (0.0, "aucune (0 %)", "#f0f0f0"),
    (0.25, "moins de 25 %", "#c6dbef"),
    (0.5, "de 25 à 50 %", "#6baed6"),
    (0.75, "de 50 à 75 %", "#3182bd"),
    (0.999, "de 75 à moins de 100 %", "#08519c"),
    (1.0, "toute (100 %)", "#08306b"),
)
NO_DATA = ("inconnue", "#ffffff")
TITLE = "Part de la population couverte par un adhérent du RTES"


def covered_units(joined: pd.DataFrame, units: Units) -> pd.DataFrame:
    """Per commune of 2012: ``covered`` (bool) and ``members`` (how many members' territories hold it)."""
    mc = member_communes(joined, units)
    n = mc.groupby("commune")["member"].nunique() if len(mc) else pd.Series(dtype=int)
    out = pd.DataFrame(index=units.table.index)
    out["members"] = n.reindex(out.index).fillna(0).astype(int)
    out["covered"] = out["members"] > 0
    return out


def shares(joined: pd.DataFrame, units: Units, vintage: str) -> pd.DataFrame:
    """Per commune (of 2012, or of today for ``vintage="today"``), indexed by code: ``share`` of the
    population covered (0…1, NaN if unknown), ``members`` covering it (any of its parts for today's)."""
    if vintage not in VINTAGES:
        raise ValueError(f"millésime inconnu : {vintage!r} (attendu : {', '.join(VINTAGES)})")
    u = units.table
    cov = covered_units(joined, units)
    if vintage == "2012":
        return pd.DataFrame({"share": cov["covered"].astype(float), "members": cov["members"]})
    pop = u["population"].astype(float).fillna(0.0)
    area = u["area_km2"].astype(float).fillna(0.0)
    covered = cov["covered"].reindex(u.index).fillna(False).to_numpy()
    frame = pd.DataFrame(
        {"commune": u["commune"].to_numpy(), "pop": pop.to_numpy(), "cpop": np.where(covered, pop, 0.0)},
        index=u.index,
    )
    frame["area"], frame["carea"] = area.to_numpy(), np.where(covered, area, 0.0)
    g = frame.groupby("commune")[["pop", "cpop", "area", "carea"]].sum()
    by_pop = g["cpop"] / g["pop"].where(g["pop"] > 0)
    by_area = g["carea"] / g["area"].where(g["area"] > 0)
    share = by_pop.fillna(by_area).clip(0.0, 1.0)
    # The members covering any part of it (a member counted once).
    mc = member_communes(joined, units)
    mc = mc.assign(today=u["commune"].reindex(mc["commune"]).to_numpy())
    members = mc.groupby("today")["member"].nunique() if len(mc) else pd.Series(dtype=int)
    return pd.DataFrame({"share": share, "members": members.reindex(share.index).fillna(0).astype(int)})


def class_of(share: pd.Series) -> pd.Series:
    """Index of each share's class in :data:`CLASSES` (``len(CLASSES)`` when unknown)."""
    s = share.astype(float).to_numpy()
    bounds = np.array([c[0] for c in CLASSES])
    idx = np.searchsorted(bounds, np.round(s, 6), side="left")
    idx = np.where(s >= 1.0, len(CLASSES) - 1, idx)  # 1.0 exactly: « toute »
    idx = np.where((s > bounds[-2]) & (s < 1.0), len(CLASSES) - 2, idx)
    idx = np.where(np.isnan(s), len(CLASSES), idx)
    return pd.Series(idx.astype(int), index=share.index)


def run_lengths(values: list[int]) -> list[int]:
    """``[value, count, value, count, …]``: communes in code order share long runs (whole départements
    covered or not), so a rerun sends a few hundred numbers instead of 35,000."""
    out: list[int] = []
    for v in values:
        if out and out[-2] == v:
            out[-1] += 1
        else:
            out += [v, 1]
    return out


def per_mille(share: pd.Series) -> list[int]:
    """Shares as integers 0…1000 (−1 when unknown), for the map's tooltips."""
    s = share.astype(float)
    return [-1 if np.isnan(v) else round(v * 1000) for v in s.tolist()]


def share_text(v: float) -> str:
    """« 42,5 % » (« inconnue » when not a number)."""
    if v is None or np.isnan(v):
        return NO_DATA[0]
    return fmt.percent(float(v), 0 if v in (0.0, 1.0) else 1)


def summary(table: pd.DataFrame, population: pd.Series) -> dict[str, float]:
    """Communes and population (shares × population) covered, for the page's caption."""
    share = table["share"].astype(float).fillna(0.0)
    pop = population.reindex(table.index).astype(float).fillna(0.0)
    return {
        "communes": int((share > 0).sum()),
        "total": len(table),
        "population": float((share * pop).sum()),
        "population_total": float(pop.sum()),
    }
