"""From a :class:`SourceLayers` to a clean coverage of France, every level dissolved.

The steps, in order (each reported in the manifest):

1. give every commune an outline: a commune the source draws only through its
   communes déléguées gets their union; one whose land lies inside another's
   outline keeps an empty geometry and says whose outline holds it;
2. make the communes a clean polygonal coverage (``shapely.coverage_clean``):
   no overlap, identical shared edges;
3. fill the holes the land does not have (areas no commune covers), each given
   to the commune that most likely owns it; real enclaves (Llívia) stay holes;
4. measure areas with an equal-area projection;
5. dissolve communes into EPCIs, départements, régions and the régions of 2012
   (``coverage_union``, exact because the coverage is clean);
6. simplify for display with ``coverage_simplify`` at the commune level and
   dissolve again, so that neighbours share borders and levels nest at every
   scale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territoires.geo import communes_2012
from territoires.geo import reference as ref
from territoires.geo.layout import DISPLAY_SCHEMAS, SCHEMAS
from territoires.geo.source import SourceLayers
from territoires.geo.surface import EMPTY, clean_coverage, equal_area_km2, polygonal

__all__ = ["EMPTY", "BuildReport", "BuiltLayers", "build", "clean_coverage", "equal_area_km2", "fill_holes"]

# Display scales: tolerance of coverage_simplify, in degrees (~ 1° = 111 km
# north–south, ~75 km east–west in metropolitan France).
DISPLAY_TOLERANCES: dict[str, float] = {"france": 0.01, "region": 0.003}

Progress = Callable[[str], None]


def _noop(_: str) -> None:
    return None


@dataclass
class BuildReport:
    """What the build repaired or left as it found it, for the manifest and the check."""

    rebuilt_from_parts: list[dict[str, Any]] = field(default_factory=list)
    outline_held_by: list[dict[str, Any]] = field(default_factory=list)
    without_outline: list[dict[str, Any]] = field(default_factory=list)
    holes_filled: list[dict[str, Any]] = field(default_factory=list)
    enclaves_kept: list[dict[str, Any]] = field(default_factory=list)
    placeholder_sirens: list[dict[str, Any]] = field(default_factory=list)
    communes_without_epci: list[dict[str, Any]] = field(default_factory=list)
    communes_without_population: list[dict[str, Any]] = field(default_factory=list)
    overlaps_resolved_km2: float = 0.0
    communes_2012: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class BuiltLayers:
    """The store's content, in memory: full-resolution levels and display sets."""

    levels: dict[str, gpd.GeoDataFrame]
    display: dict[str, dict[str, gpd.GeoDataFrame]]
    report: BuildReport
    parameters: dict[str, Any]


# ---------------------------------------------------------------- commune outlines
def give_every_commune_an_outline(layers: SourceLayers, report: BuildReport) -> gpd.GeoDataFrame:
    """Step 1: outlines for the communes the source draws only through their parts."""
    com = layers.communes.copy()
    com["outline"] = "source"
    com["outline_of"] = pd.Series(pd.NA, index=com.index, dtype="string")
    missing = com.geometry.isna() | com.geometry.is_empty
    parts = layers.parts[layers.parts["type"].isin(["COMD", "COMA"]) & layers.parts.geometry.notna()]
    for idx in com.index[missing]:
        code, nom = com.at[idx, "code"], com.at[idx, "nom"]
        own = parts[parts["parent"] == code]
        if len(own):
            com.at[idx, "geometry"] = shapely.union_all(own.geometry.to_numpy())
            com.at[idx, "outline"] = "communes déléguées"
            report.rebuilt_from_parts.append({"code": code, "nom": nom, "parties": sorted(own["code"])})
        else:
            holder = ref.OUTLINE_HELD_BY.get(code)
            com.at[idx, "geometry"] = EMPTY
            com.at[idx, "outline"] = "absent"
            if holder is not None and holder in set(com["code"]):
                com.at[idx, "outline_of"] = holder
                report.outline_held_by.append({"code": code, "nom": nom, "contour_de": holder})
            else:
                report.without_outline.append({"code": code, "nom": nom})
    return com


def fill_holes(
    com: gpd.GeoDataFrame,
    merged_parents: frozenset[str],
    report: BuildReport,
) -> gpd.GeoDataFrame:
    """Step 3: give each area that no commune covers to the commune that owns it.

    ``com`` must be a clean coverage (the output of :func:`clean_coverage`).

    A hole next to exactly one commune that absorbed others without outlines is
    given to it (the absorbed commune's land); otherwise to the neighbour with
    the longest shared border.  Holes containing a known real enclave stay.
    """
    drawn = ~com.geometry.is_empty
    geoms = com.geometry.to_numpy()
    union = shapely.coverage_union_all(geoms[drawn.to_numpy()])
    holes = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
    if not holes:
        return com
    enclave_pts = {name: shapely.Point(xy) for name, xy in ref.REAL_ENCLAVES.items()}
    tree = shapely.STRtree(geoms)
    additions: dict[int, list[shapely.Geometry]] = {}
    areas = equal_area_km2(np.array(holes, dtype=object), np.full(len(holes), "00"))
    for hole, area in zip(holes, areas, strict=True):
        enclave = next((n for n, p in enclave_pts.items() if hole.contains(p)), None)
        if enclave is not None:
            report.enclaves_kept.append({"nom": enclave, "area_km2": round(float(area), 3)})
            continue
        idx = tree.query(hole, predicate="intersects")
        idx = [i for i in idx if not shapely.is_empty(geoms[i])]
        if not idx:
            continue
        border = np.array([shapely.length(shapely.intersection(geoms[i].boundary, hole.boundary)) for i in idx])
        merged = [k for k, i in enumerate(idx) if com["code"].iat[i] in merged_parents]
        if merged:
            best = max(merged, key=lambda k: border[k])
            why = "commune nouvelle dont des communes déléguées n'ont pas de contour"
        else:
            best = int(np.argmax(border))
            why = "plus longue frontière commune"
        target = idx[best]
        additions.setdefault(target, []).append(hole)
        report.holes_filled.append(
            {
                "commune": com["code"].iat[target],
                "nom": com["nom"].iat[target],
                "area_km2": round(float(area), 3),
                "rule": why,
                "point": [round(c, 4) for c in hole.representative_point().coords[0]],
            }
        )
    com = com.copy()
    for i, extra in additions.items():
        g = shapely.union_all([geoms[i], *extra])
        com.iat[i, com.columns.get_loc("geometry")] = polygonal(g)
        if com["outline"].iat[i] == "source":
            com.iat[i, com.columns.get_loc("outline")] = "source + lacune comblée"
    return com


# ------------------------------------------------------------------------ dissolve
def dissolve(geoms: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union the polygons of a clean coverage by key (fast: ``coverage_union``)."""
    keys = np.asarray(keys, dtype=object)
    geoms = np.asarray(geoms, dtype=object)
    ok = pd.notna(keys) & ~shapely.is_empty(geoms)
    order = pd.Series(keys[ok]).groupby(keys[ok]).indices
    uniq = np.array(sorted(order), dtype=object)
    sel = geoms[ok]
    out = np.array([polygonal(shapely.coverage_union_all(sel[order[k]])) for k in uniq], dtype=object)
    return uniq, out


def _sum_by(df: pd.DataFrame, key: str, col: str) -> pd.Series:
    return df.groupby(key, dropna=True)[col].sum(min_count=1)


def levels_from_communes(
    com: gpd.GeoDataFrame, layers: SourceLayers, *, full: bool = True
) -> dict[str, gpd.GeoDataFrame]:
    """Dissolve a commune coverage into every upper level.

    With ``full`` the attributes (population, area, names) come along; for the
    display sets only codes and names are kept.
    """
    geoms = com.geometry.to_numpy()
    out: dict[str, gpd.GeoDataFrame] = {}

    def frame(key: str, names: pd.DataFrame, extra: dict[str, pd.Series] | None = None):
        codes, shapes = dissolve(geoms, com[key].to_numpy())
        df = pd.DataFrame({"code": codes})
        df = df.merge(names, on="code", how="left")
        if full:
            df["population"] = df["code"].map(_sum_by(com, key, "population")).astype("Int64")
            df["area_km2"] = df["code"].map(_sum_by(com, key, "area_km2")).round(3)
        for col, series in (extra or {}).items():
            df[col] = df["code"].map(series)
        return gpd.GeoDataFrame(df, geometry=shapes, crs="EPSG:4326")

    epci_names = layers.epci[["code", "nom", "nature"]] if full else layers.epci[["code", "nom"]]
    epci_extra = None
    if full:
        epci_extra = {"n_communes": com.groupby("epci")["code"].size()}
    epci = frame("epci", epci_names, epci_extra)
    if full:
        epci["siren_provisoire"] = epci["code"].isin(ref.PLACEHOLDER_SIRENS)
        epci["n_communes"] = epci["n_communes"].astype("Int64")
    out["epci"] = epci

    dep_names = layers.departements[["code", "nom"]].copy()
    dep = frame("dep", dep_names)
    dep_reg = layers.departements.set_index("code")["reg"]
    dep.insert(2, "reg", dep["code"].map(dep_reg))
    dep.insert(3, "reg_2012", dep["code"].map(ref.DEP_TO_REG_2012))
    out["departements"] = dep
    out["regions"] = frame("reg", layers.regions[["code", "nom"]])
    names_2012 = pd.DataFrame({"code": list(ref.REGIONS_2012), "nom": [v[0] for v in ref.REGIONS_2012.values()]})
    out["regions_2012"] = frame("reg_2012", names_2012)
    return out


# ---------------------------------------------------------------------------- main
def _clean_communes(com: gpd.GeoDataFrame, report: BuildReport) -> gpd.GeoDataFrame:
    """Step 2 on the communes that have an outline; the overlap it removed goes to the report."""
    drawn = (~com.geometry.is_empty).to_numpy()
    before = com.geometry.to_numpy()[drawn]
    cleaned = clean_coverage(before)
    dep_drawn = com["dep"].to_numpy()[drawn]
    overlap = equal_area_km2(before, dep_drawn).sum() - equal_area_km2(cleaned, dep_drawn).sum()
    report.overlaps_resolved_km2 = round(float(overlap), 3)
    geo = com.geometry.to_numpy().copy()
    geo[drawn] = cleaned
    return com.set_geometry(gpd.GeoSeries(geo, index=com.index, crs="EPSG:4326"))


def _report_missing(com: gpd.GeoDataFrame, layers: SourceLayers, report: BuildReport) -> None:
    """What the source lacks and the build leaves as it is: placeholder SIRENs, no EPCI, no population."""
    for code in sorted(ref.PLACEHOLDER_SIRENS & set(layers.epci["code"])):
        nom = layers.epci.set_index("code").at[code, "nom"]
        report.placeholder_sirens.append({"siren": code, "nom": nom})
    for row in com[com["epci"].isna()].itertuples():
        report.communes_without_epci.append({"code": row.code, "nom": row.nom})
    for row in com[com["population"].isna()].itertuples():
        report.communes_without_population.append({"code": row.code, "nom": row.nom})


def _arrondissements(parts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The municipal arrondissements of Paris, Lyon and Marseille, with their areas."""
    arm = parts[(parts["type"] == "ARM") & parts.geometry.notna()]
    arm = gpd.GeoDataFrame(
        {
            # explicit dtypes: an edition without arrondissements gives empty columns
            "code": arm["code"].astype("string").to_numpy(),
            "nom": arm["nom"].astype("string").to_numpy(),
            "commune": arm["parent"].astype("string").to_numpy(),
            "population": arm["population"].astype("Int64").to_numpy(),
        },
        geometry=arm.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    arm["area_km2"] = equal_area_km2(arm.geometry.to_numpy(), arm["code"].astype(str).str[:2]).round(3)
    return arm


def _subdivisions(parts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Communes déléguées / associées and arrondissements by name and parent.

    The resolver maps a 2012 commune (name or code) to today's commune through them.
    """
    return gpd.GeoDataFrame(
        {
            "code": parts["code"].astype("string").to_numpy(),
            "nom": parts["nom"].astype("string").to_numpy(),
            "type": parts["type"].astype("string").to_numpy(),
            "parent": parts["parent"].astype("string").to_numpy(),
        },
        geometry=[g if g is not None else EMPTY for g in parts.geometry],
        crs="EPSG:4326",
    )


def _display_sets(
    com: gpd.GeoDataFrame, c2012: gpd.GeoDataFrame, layers: SourceLayers, progress: Progress
) -> dict[str, dict[str, gpd.GeoDataFrame]]:
    """Step 6: every display scale, simplified at the commune level then dissolved again.

    The communes of 2012 are a coverage of their own, simplified the same way.
    """
    display: dict[str, dict[str, gpd.GeoDataFrame]] = {}
    drawn = (~com.geometry.is_empty).to_numpy()
    for scale, tol in DISPLAY_TOLERANCES.items():
        progress(f"Simplification pour l'affichage ({scale}, tolérance {tol}°)")
        geo = com.geometry.to_numpy().copy()
        geo[drawn] = shapely.coverage_simplify(geo[drawn], tol)
        simple = gpd.GeoDataFrame(com[list(DISPLAY_SCHEMAS["communes"])].copy(), geometry=geo, crs="EPSG:4326")
        display[scale] = {"communes": simple, **levels_from_communes(simple, layers, full=False)}
        cols = list(DISPLAY_SCHEMAS["communes_2012"])
        display[scale]["communes_2012"] = gpd.GeoDataFrame(
            c2012[cols].copy(), geometry=shapely.coverage_simplify(c2012.geometry.to_numpy(), tol), crs="EPSG:4326"
        )
    return display


def build(layers: SourceLayers, progress: Progress = _noop) -> BuiltLayers:
    """Run every step on ``layers``; pure (no file is written)."""
    report = BuildReport()
    progress("Contours des communes")
    com = give_every_commune_an_outline(layers, report)
    com["reg_2012"] = com["dep"].map(ref.DEP_TO_REG_2012)

    progress("Nettoyage de la couverture (coverage_clean)")
    com = _clean_communes(com, report)

    progress("Lacunes entre communes")
    com = fill_holes(com, layers.merged_parents, report)

    progress("Surfaces (projection équivalente)")
    com["area_km2"] = equal_area_km2(com.geometry.to_numpy(), com["dep"].to_numpy()).round(3)
    _report_missing(com, layers, report)

    progress("Agrégation : EPCI, départements, régions, régions de 2012")
    com = com[[*SCHEMAS["communes"], "geometry"]]
    levels = {
        "communes": com,
        **levels_from_communes(com, layers),
        "arrondissements": _arrondissements(layers.parts),
        "subdivisions": _subdivisions(layers.parts),
    }
    progress("Communes de 2012")

    cog = communes_2012.sources_for(layers.communes, layers.parts, layers.cog_2012)
    levels["communes_2012"], report.communes_2012 = communes_2012.build_layer(com, layers.parts, cog)
    display = _display_sets(com, levels["communes_2012"], layers, progress)
    params = {
        "coverage_clean": {"gap_width": 0.0, "snapping_distance": "auto"},
        "holes": "comblées sauf enclaves réelles (voir repairs.enclaves_kept)",
        "area": "LAEA : EPSG:3035 (métropole), LAEA centrée par DROM",
        "display_tolerances_deg": DISPLAY_TOLERANCES,
        "display_simplification": "shapely.coverage_simplify sur les communes, puis coverage_union",
    }
    return BuiltLayers(levels=levels, display=display, report=report, parameters=params)
