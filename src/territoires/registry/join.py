"""The registry joined to the boundaries.

Two steps, so that statistics never pay for geometry:

- :func:`place` gives each record its ``dep``, ``reg``, ``reg_2012`` and the
  number of communes of its territory, from attribute tables only;
- :func:`shapes` adds the geometry at a display scale: a point, a département, a
  région of today or of 2012, or a territory drawn from the communes of 2012.

Territories are made of the communes of 1 January 2012 (the ``communes_2012``
layer), the time of the newsletter: the Ville de Cherbourg-Octeville is the
commune of 2012, not today's Cherbourg-en-Cotentin, and a 2012 intercommunality
holds the 2012 communes of its perimeter.  :class:`Units` is the one rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territoires.geo.reader import Boundaries, load_attributes, load_shapes
from territoires.registry import cells
from territoires.registry.loader import Registry
from territoires.registry.schema import COLUMNS

# The registry's columns, with the territories the join adds after the code (points' own columns left out).
_AFTER_CODE = COLUMNS.index("code") + 1
EXPORT_COLUMNS = [
    *COLUMNS[:_AFTER_CODE],
    "dep",
    "reg",
    "reg_2012",
    *[
        c
        for c in COLUMNS[_AFTER_CODE:]
        if c not in ("lon", "lat", "commune", "website", "source_section", "source_quote", "notes")
    ],
    "n_communes",
    "perimetre_approche",
    "website",
    "source_section",
    "source_quote",
    "notes",
]


def _majority(codes: list[str], lookup: dict[str, str], pop: dict[str, float]) -> str | None:
    """The value of ``lookup`` (dep, reg…) holding most of the population of ``codes``."""
    weight: dict[str, float] = {}
    for c in codes:
        v = lookup.get(c)
        if v is not None:
            weight[v] = weight.get(v, 0.0) + pop.get(c, 0.0) + 1.0  # +1: a commune without population counts
    return max(weight, key=weight.get) if weight else None


UNIT_COLUMNS = ["nom", "dep", "reg", "reg_2012", "epci", "commune", "population", "area_km2", "outline"]
# Where a record's level names its territory by a column of the units.
_GROUP_OF_LEVEL = {"departement": "dep", "region": "reg", "region_2012": "reg_2012"}


def units_2012(communes: pd.DataFrame, communes_2012: pd.DataFrame) -> pd.DataFrame:
    """The communes of 1 January 2012, the units every territory of the registry is made of.

    ``communes`` (today's, indexed by code: ``reg``, ``epci``, ``population``) gives each 2012
    commune the région and EPCI of the commune that holds it today; ``communes_2012`` (the
    ``communes_2012`` layer's attributes) its 2012 name, département, région of 2012, area and
    outline kind.  Populations are today's, shared out by area among the 2012 communes a commune
    of today gathers: the store has no 2012 population, and this keeps totals equal to today's.
    """
    u = pd.DataFrame(communes_2012).set_index("code")
    today = communes.reindex(u["commune"].to_numpy())
    out = u[["nom", "dep", "reg_2012", "commune", "area_km2", "outline"]].copy()
    out["reg"] = today["reg"].to_numpy()
    out["epci"] = today["epci"].to_numpy()
    share = out["area_km2"] / out.groupby("commune")["area_km2"].transform("sum").where(lambda x: x > 0)
    out["population"] = today["population"].astype("Float64").astype(float).to_numpy() * share.fillna(1.0)
    return out[UNIT_COLUMNS]


@dataclass
class Units:
    """The 2012 communes and the rule that says which of them make a record's territory."""

    table: pd.DataFrame  # :func:`units_2012`, indexed by 2012 code
    perimeters: dict[str, list[str]]  # SIREN of 2012 → its 2012 communes (perimetres_2012.csv)
    groups: dict[str, dict[str, list[str]]]  # column (dep, reg, reg_2012, epci, commune) → value → codes

    @classmethod
    def build(cls, table: pd.DataFrame, perimeters: pd.DataFrame) -> Units:
        """Index ``table`` by each grouping column, and the perimeters by SIREN (plain dicts: this runs
        at every start and for every date asked)."""
        groups = {}
        codes = table.index.to_numpy()
        for col in ("dep", "reg", "reg_2012", "epci", "commune"):
            values = table[col].to_numpy()
            d: dict[str, list[str]] = {}
            for c, v in zip(codes.tolist(), values.tolist(), strict=True):
                if isinstance(v, str):
                    d.setdefault(v, []).append(c)
            groups[col] = d
        per: dict[str, list[str]] = {}
        for siren, c in zip(perimeters["siren_2012"].tolist(), perimeters["commune_2012"].tolist(), strict=True):
            per.setdefault(siren, []).append(c)
        return cls(table=table, perimeters={k: sorted(set(v)) for k, v in per.items()}, groups=groups)

    def of(self, level: str, code: str | None) -> list[str]:
        """The 2012 communes of a territory: the one rule that the map, the search and the statistics share.

        - an intercommunality: its 2012 perimeter (``perimetres_2012.csv``) or, when the registry has
          none for it, the 2012 communes of today's EPCI of that code;
        - a commune (or a point's commune): the 2012 commune of that code or, for a code that did
          not exist in 2012, the 2012 communes its commune of today gathers;
        - a département, a région of today or of 2012: every 2012 commune in it.
        """
        if not isinstance(code, str) or not code:
            return []
        if level == "epci":
            return self.perimeters.get(code) or sorted(self.groups["epci"].get(code, []))
        if level in ("commune", "point"):
            return [code] if code in self.table.index else sorted(self.groups["commune"].get(code, []))
        col = _GROUP_OF_LEVEL.get(level)
        return sorted(self.groups[col].get(code, [])) if col else []

    def of_record(self, a: Any) -> list[str]:
        """The 2012 communes of a record: its main territory and its other places (``places``)."""
        main = a.commune if a.level == "point" else a.code
        codes = self.of(a.level, main)
        extra = [c for lvl, code in cells.places(getattr(a, "places", None)) for c in self.of(lvl, code)]
        return sorted(set(codes) | set(extra)) if extra else codes

    def approximate(self, codes: list[str]) -> bool:
        """Whether a territory made of ``codes`` holds a reconstructed outline (``approx``) as a guess.

        An ``approx`` outline is how a commune of today may have been shared in 2012.  A territory
        that holds every 2012 commune of that commune of today (a région; the Pays Voironnais with
        both Saint-Julien-de-Raz and Pommiers-la-Placette) does not depend on the guess.
        """
        t = self.table
        held = set(codes)
        guessed = [c for c in held if c in t.index and t.at[c, "outline"] == "approx"]
        return any(not set(self.groups["commune"][t.at[c, "commune"]]) <= held for c in guessed)


def territory_communes(units: Units, level: str, code: str | None) -> list[str]:
    """:meth:`Units.of` (the 2012 communes of a territory)."""
    return units.of(level, code)


def _as_dict(s: pd.Series) -> dict:
    """``Series.to_dict`` without its per-item cost on Arrow-backed strings (10× faster on 35,000 communes)."""
    s = s.dropna()
    return dict(zip(s.index.tolist(), s.tolist(), strict=True))


def drawn_from_units(a: Any) -> bool:
    """Whether :func:`record_shape` draws the record from the communes of 2012 (not from a layer of its own)."""
    return a.level in ("commune", "epci") or (a.level != "point" and bool(cells.places(getattr(a, "places", None))))


# Where a record's other places (``places``) lie: `;`-joined codes, so that a filter by région or
# département finds the URSCOP Nord-Pas de Calais / Picardie in Picardie too.
OTHER_PLACE_COLUMNS = {"dep": "dep_autres", "reg": "reg_autres", "reg_2012": "reg_2012_autres"}


def _other_places(a: Any, units: Units, lookups: dict[str, dict], pop: dict[str, float]) -> dict[str, str | None]:
    """The départements and régions of the record's other places, each the one holding most of the place."""
    found: dict[str, set[str]] = {col: set() for col in OTHER_PLACE_COLUMNS}
    for level, code in cells.places(getattr(a, "places", None)):
        codes = units.of(level, code)
        for col in OTHER_PLACE_COLUMNS:
            v = code if _GROUP_OF_LEVEL.get(level) == col else _majority(codes, lookups[col], pop)
            if v:
                found[col].add(v)
    return {out: ";".join(sorted(found[col])) or None for col, out in OTHER_PLACE_COLUMNS.items()}


def place(reg: Registry, units: Units, departements: pd.DataFrame) -> pd.DataFrame:
    """Each actor with ``dep``, ``reg``, ``reg_2012``, ``n_communes`` (of 2012) and
    ``perimetre_approche`` (attributes only).

    ``departements`` is indexed by code with ``reg, reg_2012``.
    """
    t = units.table
    lookups = {col: _as_dict(t[col]) for col in ("dep", "reg", "reg_2012")}
    pop = _as_dict(t["population"].fillna(0.0))
    dep_reg = departements["reg"].to_dict()
    dep_reg12 = departements["reg_2012"].to_dict()
    reg12_regs = departements.groupby("reg_2012")["reg"].unique().to_dict()
    rows = []
    for a in reg.actors.itertuples(index=False):
        level, code = a.level, a.code
        codes = units.of_record(a)
        dep = regc = reg12 = None
        if level in ("commune", "point", "epci"):
            main = units.of(level, a.commune if level == "point" else code)
            if main:
                dep = _majority(main, lookups["dep"], pop)
                regc = _majority(main, lookups["reg"], pop)
                reg12 = _majority(main, lookups["reg_2012"], pop)
        elif level == "departement" and code in dep_reg:
            dep, regc, reg12 = code, dep_reg[code], dep_reg12[code]
        elif level == "region_2012":
            reg12 = code
            regs = reg12_regs.get(code, [])
            regc = str(regs[0]) if len(regs) == 1 else None
        elif level == "region":
            regc = code
        rows.append(
            {
                "dep": dep,
                "reg": regc,
                "reg_2012": reg12,
                "n_communes": len(codes) or None,
                "perimetre_approche": drawn_from_units(a) and units.approximate(codes),
                **_other_places(a, units, lookups, pop),
            }
        )
    out = pd.concat([reg.actors, pd.DataFrame(rows, index=reg.actors.index)], axis=1)
    out["n_communes"] = out["n_communes"].astype("Int64")
    return out


Outlines = Mapping[str, shapely.Geometry]  # 2012 commune code → outline (a dict or a GeoSeries)


def _union(geoms: Outlines, codes: list[str]) -> shapely.Geometry | None:
    """The union of the outlines of ``codes`` (a coverage: their shared borders are dropped)."""
    keys = geoms.index if isinstance(geoms, pd.Series) else geoms  # `in` on a Series is not its index's
    known = [geoms[c] for c in codes if c in keys]
    if not known:
        return None
    return shapely.coverage_union_all(np.array(known, dtype=object)) if len(known) > 1 else known[0]


def record_shape(a: Any, units: Units, b: Boundaries, outlines: Outlines | None = None) -> shapely.Geometry | None:
    """A record's geometry: a point, or its territory drawn from the communes of 2012.

    A département or a région is drawn from its own layer (the same outline as the union of its
    communes, without the cost); a commune, an intercommunality and any other place from the
    2012 communes of :meth:`Units.of_record` (``outlines``, or the whole layer of ``b``).
    """
    if a.level == "point":
        return shapely.Point(a.lon, a.lat)
    if not drawn_from_units(a):
        layer = getattr(b, {"departement": "departements", "region": "regions"}.get(a.level, "regions_2012"))
        return layer.at[a.code, "geometry"] if a.code in layer.index else None
    return _union(b.communes_2012.geometry if outlines is None else outlines, units.of_record(a))


def shapes(placed: pd.DataFrame, units: Units, b: Boundaries) -> gpd.GeoDataFrame:
    """Add each record's geometry (:func:`record_shape`) at the scale of ``b``.

    Only the 2012 communes the records are drawn from are read (a parquet filter), unless ``b``
    already holds the layer: the map's first draw need not load 36,700 outlines.
    """
    rows = list(placed.itertuples(index=False))
    if "communes_2012" in b.loaded():
        outlines: Outlines = b.communes_2012.geometry
    else:
        needed = {c for a in rows if drawn_from_units(a) for c in units.of_record(a)}
        outlines = load_shapes("communes_2012", needed, scale=b.scale, base=b.base)
    geoms = [record_shape(a, units, b, outlines) for a in rows]
    return gpd.GeoDataFrame(placed, geometry=np.array(geoms, dtype=object), crs="EPSG:4326")


def anchors(shaped: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Each record's point of reference: a point inside its shape (None without one).

    The one rule for the map's markers and the relations' lines (export, map): a representative
    point always lies inside the shape, where a centroid may fall outside a crescent or a ring.
    """
    return shaped.geometry.representative_point()


def attribute_tables(base: Path | None = None) -> tuple[Units, pd.DataFrame, pd.DataFrame]:
    """The 2012 units, today's communes and the départements (attributes only, no geometry read)."""
    com = load_attributes("communes", base=base).set_index("code")
    dep = load_attributes("departements", base=base).set_index("code")
    return units_2012(com, load_attributes("communes_2012", base=base)), com, dep


def join(reg: Registry, b: Boundaries, base: Path | None = None) -> gpd.GeoDataFrame:
    """:func:`place` then :func:`shapes`."""
    table, _com, dep = attribute_tables(base)
    units = Units.build(table, reg.perimeters)
    return shapes(place(reg, units, dep), units, b)
