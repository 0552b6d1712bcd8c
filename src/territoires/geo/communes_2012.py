"""The communes of 1 January 2012 as a coverage cut out of today's communes.

Inputs: today's clean commune coverage (the build's), ``parts`` (communes déléguées and
associées with outlines), the committed table ``data/geo/sources/cog_2012.csv`` (each 2012
commune, today's commune holding it, its communes associées of 2012, today's communes created
from it since) and a small supplement of outlines no other source has.

Each 2012 commune gets, in order of preference:

- ``own``: today's outline, when it alone makes up its today's commune (with the communes
  created from it since 2012);
- ``commune_deleguee``: the outline of the commune déléguée (or associée) with its code, and
  those of its communes associées of 2012;
- ``supplement``: the supplement's outline, clipped to today's commune;
- ``approx``: what nothing else claims in today's commune, split into equal-area slices
  along the longest axis when several 2012 communes share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from territoires.errors import DataFileError
from territoires.geo import reference as ref
from territoires.geo.surface import EMPTY, clean_coverage, equal_area_km2, polygonal
from territoires.io.checksum import sha256_file
from territoires.io.reading import reading
from territoires.settings import REPO_ROOT

SOURCES_DIR = REPO_ROOT / "data" / "geo" / "sources"
TABLE = "cog_2012.csv"
SUPPLEMENT = "communes_2012_supplement.geojson"
TABLE_COLUMNS = ["code", "nom", "dep", "commune", "associees", "autres_communes"]
# A piece of today's commune left unclaimed is land (not a sliver between outlines) above this share.
LAND_SHARE = 0.01
_TODO = "restaurer data/geo/sources depuis le dépôt, ou relancer « .venv/bin/python scripts/make_cog_2012.py »."


@dataclass
class Cog2012:
    """The 2012 communes (``table``, codes as strings) and the supplement's outlines."""

    table: pd.DataFrame
    supplement: gpd.GeoDataFrame
    meta: dict[str, Any] = field(default_factory=dict)


def load_sources(directory: Path | None = None) -> Cog2012:
    """Read the committed table and supplement; a :class:`DataFileError` if missing or malformed."""
    d = Path(directory) if directory is not None else SOURCES_DIR
    path = d / TABLE
    if not path.exists():
        raise DataFileError("Table des communes de 2012 manquante.", where=path, todo=_TODO)
    with reading("Table des communes de 2012 illisible", path, _TODO):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)  # '01001', '2A004' stay strings
    missing = [c for c in TABLE_COLUMNS if c not in table.columns]
    if missing:
        raise DataFileError(f"Colonnes manquantes : {', '.join(missing)}", where=path, todo=_TODO)
    sup_path = d / SUPPLEMENT
    if sup_path.exists():
        with reading("Supplément de contours illisible", sup_path, _TODO):
            sup = gpd.read_file(sup_path, engine="pyogrio")
        sup["code"] = sup["code"].astype(str).str.zfill(5)
        sup = sup.set_crs("EPSG:4326", allow_override=True)[["code", "nom", "geometry"]]
    else:
        sup = gpd.GeoDataFrame({"code": [], "nom": []}, geometry=[], crs="EPSG:4326")
    meta = {"inputs": {p.name: sha256_file(p) for p in (path, sup_path) if p.exists()}}
    return Cog2012(table=table[TABLE_COLUMNS], supplement=sup, meta=meta)


def split_equal(geom: shapely.Geometry, n: int) -> list[shapely.Geometry]:
    """``n`` slices of equal area (in degrees², the same to the latitude within a commune) along the longest axis."""
    if n == 1:
        return [geom]
    x0, y0, x1, y1 = geom.bounds
    along_x = (x1 - x0) >= (y1 - y0)
    lo, hi = (x0, x1) if along_x else (y0, y1)
    total = geom.area

    def before(c: float) -> shapely.Geometry:
        cut = shapely.box(x0 - 1, y0 - 1, c, y1 + 1) if along_x else shapely.box(x0 - 1, y0 - 1, x1 + 1, c)
        return shapely.intersection(geom, cut)

    cuts = []
    for k in range(1, n):
        a, b = lo, hi
        for _ in range(40):  # bisection: 2^-40 of the extent, far below a millimetre
            mid = (a + b) / 2
            a, b = (mid, b) if before(mid).area < total * k / n else (a, mid)
        cuts.append((a + b) / 2)
    slices, prev = [], EMPTY
    for c in cuts:
        upto = before(c)
        slices.append(polygonal(shapely.difference(upto, prev)))
        prev = upto
    slices.append(polygonal(shapely.difference(geom, prev)))
    return slices


@dataclass
class _Group:
    """Today's outline ``territory`` and the 2012 communes that share it."""

    host: str
    territory: shapely.Geometry
    members: list[str]


def _give_slivers(slivers: list[shapely.Geometry], pieces: dict[str, shapely.Geometry]) -> None:
    """Each sliver to the piece with which it shares the longest border (the first one if none)."""
    codes = [c for c in sorted(pieces) if not pieces[c].is_empty]
    if not codes:
        return
    extra: dict[str, list[shapely.Geometry]] = {}
    for s in slivers:
        border = [shapely.length(shapely.intersection(pieces[c].boundary, s.boundary)) for c in codes]
        extra.setdefault(codes[int(np.argmax(border))], []).append(s)
    for c, more in extra.items():
        pieces[c] = polygonal(shapely.union_all([pieces[c], *more]))


def _cut_group(g: _Group, outlines: dict[str, shapely.Geometry], kinds: dict[str, str]) -> dict[str, shapely.Geometry]:
    """Share one today's outline among its 2012 communes; ``kinds`` gets each one's outline kind."""
    pieces: dict[str, shapely.Geometry] = {}
    taken = EMPTY
    for code in g.members:  # in code order: an overlap between two outlines goes to the first
        cand = outlines.get(code)
        if cand is None:
            continue
        piece = polygonal(shapely.difference(shapely.intersection(cand, g.territory), taken))
        if not piece.is_empty:
            pieces[code] = piece
            taken = shapely.union(taken, piece)
    rest = [p for p in shapely.get_parts(polygonal(shapely.difference(g.territory, taken))) if not p.is_empty]
    approx = [c for c in g.members if c not in pieces]
    for c in approx:
        kinds[c] = "approx"
    if not approx:
        _give_slivers(rest, pieces)
        return pieces
    land_min = LAND_SHARE * g.territory.area
    land = [p for p in rest if p.area >= land_min] or sorted(rest, key=lambda p: -p.area)[:1]
    _give_slivers([p for p in rest if all(p is not q for q in land)], pieces)
    if not land:  # everything is claimed: the largest piece is shared with the outline-less communes
        big = max(pieces, key=lambda c: pieces[c].area)
        land, approx = [pieces.pop(big)], sorted([*approx, big])
        kinds[big] = "approx"
    for c, s in zip(approx, split_equal(shapely.union_all(land), len(approx)), strict=True):
        pieces[c] = s
    return pieces


def _candidate_outlines(
    table: pd.DataFrame, parts: gpd.GeoDataFrame, supplement: gpd.GeoDataFrame, kinds: dict[str, str]
) -> dict[str, shapely.Geometry]:
    """Each 2012 commune's outline from a commune déléguée / associée, else the supplement."""
    drawn = parts[parts["type"].isin(["COMD", "COMA"]) & parts.geometry.notna()]
    drawn = drawn[~drawn.geometry.is_empty]
    by_key = drawn.groupby(["parent", "code"]).geometry.apply(lambda s: shapely.union_all(s.to_numpy()))
    sup = dict(zip(supplement["code"], supplement.geometry, strict=True))
    out: dict[str, shapely.Geometry] = {}
    for row in table.itertuples():
        codes = [row.code, *row.associees.split()]
        found = [by_key[(p, c)] for c in codes for p in row.parents if (p, c) in by_key.index]
        if found:
            out[row.code] = shapely.union_all(found)
            kinds[row.code] = "commune_deleguee"
        elif row.code in sup:
            out[row.code] = sup[row.code]
            kinds[row.code] = "supplement"
    return out


def _groups(table: pd.DataFrame, today: dict[str, shapely.Geometry], held_by: dict[str, str]) -> list[_Group]:
    """The 2012 communes grouped by the today's outline that holds them (codes in order)."""
    members: dict[str, list[str]] = {}
    for code, host in zip(table["code"], table["host"], strict=True):
        members.setdefault(host, []).append(code)
    return [_Group(h, today[h], sorted(m)) for h, m in sorted(members.items())]


def _hosts(table: pd.DataFrame, com: gpd.GeoDataFrame) -> pd.DataFrame:
    """Today's outline holding each 2012 commune: its commune's, or the one that holds its commune's land."""
    empty = com.geometry.is_empty | com.geometry.isna()
    held_by = dict(zip(com.loc[empty, "code"], com.loc[empty, "outline_of"], strict=True))
    host = table["commune"].map(lambda c: held_by.get(c, c))
    return table.assign(host=host, parents=[(c, h) for c, h in zip(table["commune"], host, strict=True)])


def cut_2012(com: gpd.GeoDataFrame, parts: gpd.GeoDataFrame, cog: Cog2012) -> tuple[gpd.GeoDataFrame, dict]:
    """The 2012 communes as pieces of today's coverage ``com`` (not yet cleaned), and a report."""
    drawn = ~(com.geometry.is_empty | com.geometry.isna())
    today = dict(zip(com.loc[drawn, "code"], com.loc[drawn].geometry, strict=True))
    table = cog.table[cog.table["commune"].isin(set(com["code"]))]
    dropped = sorted(set(cog.table["code"]) - set(table["code"]))
    table = _hosts(table, com)
    table = table[table["host"].isin(today)]  # an outline-less commune nobody holds: nothing to cut
    kinds: dict[str, str] = {}
    outlines = _candidate_outlines(table, parts, cog.supplement, kinds)
    geoms: dict[str, shapely.Geometry] = {}
    for g in _groups(table, today, {}):
        if len(g.members) == 1:
            geoms[g.members[0]] = g.territory
            kinds[g.members[0]] = "own"
        else:
            geoms.update(_cut_group(g, outlines, kinds))
    later = {c: row for row in table.itertuples() for c in row.autres_communes.split() if c in today}
    for c, row in later.items():  # a today's commune created from a 2012 one since: back into it
        geoms[row.code] = polygonal(shapely.union(geoms[row.code], today[c]))
    claimed = set(table["host"]) | set(later)
    outside = sorted(set(today) - claimed - set(com.loc[com["outline_of"].notna(), "code"]))
    rows = table[["code", "nom", "dep", "commune"]].to_dict("records")
    names = dict(zip(com["code"], com["nom"], strict=True))
    rows += [{"code": c, "nom": names[c], "dep": _dep(c), "commune": c} for c in outside]
    for c in outside:
        geoms[c], kinds[c] = today[c], "own"
    df = pd.DataFrame(rows)
    df["reg_2012"] = df["dep"].map(ref.DEP_TO_REG_2012)
    df["outline"] = df["code"].map(kinds)
    out = gpd.GeoDataFrame(df, geometry=[geoms.get(c, EMPTY) for c in df["code"]], crs="EPSG:4326")
    report = {
        "absents_de_la_source": dropped[:50],
        "n_absents_de_la_source": len(dropped),
        "communes_hors_cog_2012": outside[:50],
        "n_communes_hors_cog_2012": len(outside),
    }
    return out.sort_values("code").reset_index(drop=True), report


def _dep(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def approx_report(layer: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Every ``approx`` 2012 commune: code, name, today's commune, area, and who shares that remainder."""
    approx = layer[layer["outline"] == "approx"]
    shared = approx.groupby("commune")["code"].apply(list)
    return [
        {
            "code": r.code,
            "nom": r.nom,
            "commune": r.commune,
            "area_km2": float(r.area_km2),
            "partage_avec": [c for c in shared[r.commune] if c != r.code],
        }
        for r in approx.itertuples()
    ]


def build_layer(
    com: gpd.GeoDataFrame, parts: gpd.GeoDataFrame, cog: Cog2012
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """The full-resolution layer (a clean coverage with areas) and its manifest entry."""
    layer, report = cut_2012(com, parts, cog)
    layer = layer.set_geometry(gpd.GeoSeries(clean_coverage(layer.geometry.to_numpy()), crs="EPSG:4326"))
    empty = layer.geometry.is_empty
    if empty.any():
        report["sans_contour"] = sorted(layer.loc[empty, "code"])
        layer = layer[~empty].reset_index(drop=True)
    layer["area_km2"] = equal_area_km2(layer.geometry.to_numpy(), layer["dep"].to_numpy()).round(3)
    layer = layer[["code", "nom", "dep", "reg_2012", "commune", "area_km2", "outline", "geometry"]]
    report["counts_by_outline"] = {k: int(v) for k, v in layer["outline"].value_counts().sort_index().items()}
    report["approx"] = approx_report(layer)
    report["approx_rule"] = (
        "partie de la commune d'aujourd'hui qu'aucun autre contour ne revendique ; partagée entre plusieurs "
        "communes de 2012 sans contour en tranches de surfaces égales le long du plus grand axe, par ordre de code"
    )
    report["sources"] = cog.meta
    return layer, report


def from_parts(communes: pd.DataFrame, parts: pd.DataFrame) -> Cog2012:
    """A 2012 table for a source that has none (synthetic data): each commune of today, and each
    commune déléguée or associée with a code of its own, held by its parent."""
    rows = [(c, n, _dep(c), c) for c, n in zip(communes["code"], communes["nom"], strict=True)]
    seen = set(communes["code"])
    sub = parts[parts["type"].isin(["COMD", "COMA"])]
    for c, n, p in zip(sub["code"], sub["nom"], sub["parent"], strict=True):
        if c not in seen:
            seen.add(c)
            rows.append((c, n, _dep(c), p))
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS[:4]).assign(associees="", autres_communes="")
    sup = gpd.GeoDataFrame({"code": [], "nom": []}, geometry=[], crs="EPSG:4326")
    return Cog2012(table=table, supplement=sup, meta={"inputs": {}})


def sources_for(communes: pd.DataFrame, parts: pd.DataFrame, given: Cog2012 | None) -> Cog2012:
    """The 2012 table for a build: ``given``, else the committed one; for a source that is not
    France's (most communes of the committed table absent: synthetic test data), one derived from its parts."""
    if given is not None:
        return given
    cog = load_sources()
    if cog.table["commune"].isin(set(communes["code"])).mean() < 0.5:
        cog = from_parts(communes, parts)
        cog.meta["table"] = "dérivée de la source (communes d'aujourd'hui et communes déléguées ou associées)"
    return cog
