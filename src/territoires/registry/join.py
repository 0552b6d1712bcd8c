"""The registry joined to the boundaries: each record's dep, reg, reg_2012 and shape.

A record is drawn as its territory whatever its level: a commune, a 2012
intercommunality's perimeter (the union of today's communes it had in 2012), a
département, a région of today or of 2012, or a point.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territoires.geo import store
from territoires.registry.loader import Registry


class Boundaries:
    """The levels of the store a join needs, loaded once."""

    def __init__(self, base: Path | None = None, scale: str | None = "region"):
        self.communes_full = store.load_level("communes", base=base)
        load = (
            (lambda lvl: store.load_level(lvl, scale=scale, base=base))
            if scale
            else (lambda lvl: store.load_level(lvl, base=base))
        )
        self.communes = load("communes").set_index("code")
        self.epci = load("epci").set_index("code")
        self.departements = store.load_level("departements", base=base).set_index("code")
        self.dep_shapes = load("departements")["geometry"].set_axis(load("departements")["code"])
        self.regions = load("regions").set_index("code")
        self.regions_2012 = load("regions_2012").set_index("code")
        self.info = self.communes_full.set_index("code")[["dep", "reg", "reg_2012", "epci", "population", "outline_of"]]


def _majority(codes: list[str], info: pd.DataFrame, col: str) -> str | None:
    sub = info.reindex(codes)
    if sub.empty:
        return None
    pop = sub["population"].fillna(0).astype(float) + 1  # +1: empty communes still count
    return str(pop.groupby(sub[col]).sum().idxmax())


def perimeter_codes(reg: Registry, siren: str) -> list[str]:
    """Today's commune codes of a 2012 intercommunality (empty if not recorded)."""
    per = reg.perimeters
    return sorted(set(per.loc[per["siren_2012"] == siren, "commune"]))


def join(reg: Registry, b: Boundaries) -> gpd.GeoDataFrame:
    """Every actor with ``dep``, ``reg``, ``reg_2012``, ``communes`` (perimeter) and geometry."""
    rows = []
    shapes = []
    for a in reg.actors.itertuples(index=False):
        dep = regc = reg12 = None
        geom = None
        communes: list[str] = []
        level, code = a.level, a.code
        if level in ("commune", "point"):
            c = a.commune if level == "point" else code
            if c in b.info.index:
                dep, regc, reg12 = b.info.loc[c, ["dep", "reg", "reg_2012"]]
                communes = [c]
                held = b.info.at[c, "outline_of"]
                shape_code = held if isinstance(held, str) and held else c
                geom = b.communes.at[shape_code, "geometry"] if level == "commune" else None
            if level == "point":
                geom = shapely.Point(a.lon, a.lat)
        elif level == "epci":
            communes = perimeter_codes(reg, code)
            if communes:
                known = [c for c in communes if c in b.communes.index]
                geom = shapely.coverage_union_all(b.communes.loc[known, "geometry"].to_numpy())
            elif code in b.epci.index:
                communes = sorted(b.info.index[b.info["epci"] == code])
                geom = b.epci.at[code, "geometry"]
            if communes:
                dep = _majority(communes, b.info, "dep")
                regc = _majority(communes, b.info, "reg")
                reg12 = _majority(communes, b.info, "reg_2012")
        elif level == "departement" and code in b.departements.index:
            dep = code
            regc, reg12 = b.departements.loc[code, ["reg", "reg_2012"]]
            geom = b.dep_shapes.get(code)
        elif level == "region_2012" and code in b.regions_2012.index:
            reg12 = code
            regs = b.departements.loc[b.departements["reg_2012"] == code, "reg"].unique()
            regc = str(regs[0]) if len(regs) == 1 else None
            geom = b.regions_2012.at[code, "geometry"]
        elif level == "region" and code in b.regions.index:
            regc = code
            geom = b.regions.at[code, "geometry"]
        rows.append({"dep": dep, "reg": regc, "reg_2012": reg12, "n_communes": len(communes) or None})
        shapes.append(geom)
    extra = pd.DataFrame(rows, index=reg.actors.index)
    out = pd.concat([reg.actors, extra], axis=1)
    out["n_communes"] = out["n_communes"].astype("Int64")
    return gpd.GeoDataFrame(out, geometry=np.array(shapes, dtype=object), crs="EPSG:4326")


EXPORT_COLUMNS = [
    "id",
    "kind",
    "name",
    "official_name",
    "level",
    "code",
    "dep",
    "reg",
    "reg_2012",
    "precision",
    "new_member",
    "role",
    "represents",
    "test_pole",
    "joined",
    "founded",
    "launched",
    "jobs",
    "capital_eur",
    "members",
    "surface_m2",
    "figure_label",
    "figure_value",
    "figure_approx",
    "siren_2012",
    "successor_code",
    "successor_note",
    "n_communes",
    "website",
    "source_section",
    "source_quote",
    "notes",
]
