"""The real store built from the embedded source (skipped when data/geo is not built)."""

from __future__ import annotations

import json
import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from territoires.geo import reader, store
from territoires.geo import reference as ref
from territoires.geo.build import equal_area_km2
from territoires.geo.communes_2012 import load_sources
from territoires.geo.layout import LEVELS
from territoires.io.checksum import sha256_file
from territoires.settings import REPO_ROOT

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def levels(real_store):
    base = real_store.parent
    return {lvl: reader.load_level(lvl, base=base) for lvl in LEVELS}


def test_counts(levels):
    com = levels["communes"]
    assert len(com) == 34_875
    assert com["dep"].isin(ref.OVERSEAS_DEPS).sum() == 129
    assert len(levels["departements"]) == 101
    assert len(levels["regions"]) == 18
    assert len(levels["regions_2012"]) == 27
    assert 1_200 <= len(levels["epci"]) <= 1_300
    assert len(levels["arrondissements"]) == 45
    sub = levels["subdivisions"]
    assert set(sub["type"]) == {"COMD", "COMA", "ARM"}
    assert len(sub) == 2_105 + 471 + 45


def test_provenance_manifest(real_store):
    m = store.read_manifest(real_store.parent)
    for key in ("source", "vintage", "licence", "url"):
        assert m["source"].get(key), key
    assert "Licence Ouverte" in m["source"]["licence"]
    assert all(len(f["sha256"]) == 64 for f in m["files"].values())
    held = {r["code"] for r in m["repairs"]["outline_held_by"]}
    assert held == {"15031", "15035", "15047", "15171"}
    assert {r["code"] for r in m["repairs"]["rebuilt_from_parts"]} == {"12218", "14581", "49126", "69114"}


def test_communes_without_own_outline_are_covered(levels):
    com = levels["communes"].set_index("code")
    for code in ("15031", "15035", "15047", "15171"):
        assert com.at[code, "geometry"].is_empty
        assert com.at[code, "outline_of"] == "15141"
        assert not com.at["15141", "geometry"].is_empty


def test_union_of_communes_equals_union_of_departements(levels):
    com = levels["communes"]
    uc = shapely.coverage_union_all(com.geometry[~com.geometry.is_empty].to_numpy())
    ud = shapely.coverage_union_all(levels["departements"].geometry.to_numpy())
    gap = shapely.symmetric_difference(uc, ud)
    parts = shapely.get_parts(gap)
    areas = equal_area_km2(parts, np.full(len(parts), "01")) if len(parts) else np.array([0.0])
    assert areas.max() <= 0.01


def test_no_hole_but_llivia(levels):
    for level in ("departements", "regions", "regions_2012"):
        u = shapely.coverage_union_all(levels[level].geometry.to_numpy())
        holes = [shapely.Polygon(r) for p in shapely.get_parts(u) for r in p.interiors]
        assert len(holes) == 1, level
        assert holes[0].contains(shapely.Point(ref.REAL_ENCLAVES["Llívia (Espagne)"]))


def test_regions_2012_areas_match_insee(levels):
    r12 = levels["regions_2012"].set_index("code")
    for code, official in ref.OFFICIAL_AREA_KM2_2012.items():
        ratio = r12.at[code, "area_km2"] / official
        assert 0.97 <= ratio <= 1.03, (code, r12.at[code, "nom"], ratio)
    assert r12.at["82", "nom"] == "Rhône-Alpes"


def test_regions_2012_overlap_the_independent_reference(levels):
    from territoires.settings import REPO_ROOT

    # Reference material of the development environment, which asks that it not be copied into the project.
    path = REPO_ROOT.parent / "shared" / "reference" / "regions-2015-reference.geojson"
    if not path.exists():
        pytest.skip("../shared/reference absent")
    refg = gpd.read_file(path)
    refg["code"] = refg["code"].astype(str).str.zfill(2)
    refg = refg.set_index("code")
    r12 = levels["regions_2012"].set_index("code")
    assert len(refg) == 22
    for code, g in refg.geometry.items():
        mine = r12.at[code, "geometry"]
        iou = shapely.area(shapely.intersection(mine, g)) / shapely.area(shapely.union(mine, g))
        assert iou >= 0.98, (code, iou)


def test_geo_check_passes_and_fails_on_a_corrupted_copy(real_store, tmp_path):
    assert store.check_store(real_store.parent, deep=False).ok
    copy = tmp_path / "geo"
    shutil.copytree(real_store, copy)
    path = copy / "regions_2012.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    result = store.check_store(tmp_path)
    assert not result.ok
    assert any("regions_2012.parquet" in p for p in result.problems)


# ------------------------------------------------------------------ communes of 2012
SOURCES = REPO_ROOT / "data" / "geo" / "sources"
SHARED = REPO_ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="module")
def c2012(levels):
    return levels["communes_2012"].set_index("code", drop=False)


def test_communes_2012_count_and_validity(c2012, levels):
    assert 36_600 <= len(c2012) <= 36_800
    geoms = c2012.geometry.to_numpy()
    assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
    assert shapely.coverage_is_valid(geoms)
    com = levels["communes"]
    today = shapely.coverage_union_all(com.geometry[~com.geometry.is_empty].to_numpy())
    diff = shapely.symmetric_difference(today, shapely.coverage_union_all(geoms))
    assert equal_area_km2(np.array([diff]), np.array(["00"]))[0] < 0.01  # km², for all of France
    assert set(c2012["commune"]) <= set(com["code"])


def test_communes_2012_known_cases(c2012):
    assert c2012.at["93066", "area_km2"] == pytest.approx(12.4, rel=0.10)
    assert c2012.at["93059", "area_km2"] == pytest.approx(3.4, rel=0.10)
    pierrefitte = c2012.at["93059", "geometry"].representative_point()
    assert not c2012.at["93066", "geometry"].contains(pierrefitte)
    assert c2012.at["50129", "area_km2"] == pytest.approx(16, rel=0.15)  # Cherbourg-Octeville, not 68.7 km²
    assert c2012.at["50129", "nom"] == "Cherbourg-Octeville"
    # Les Abrets (38001), Fitilieu (38165, INSEE code) and La Bâtie-Divisin (38028): three communes in 2012
    batie = c2012.at["38028", "geometry"]
    for code in ("38001", "38165"):
        assert c2012.at[code, "commune"] == "38001"
        assert shapely.intersection(batie, c2012.at[code, "geometry"]).area < 1e-9
    assert c2012.at["2A004", "dep"] == "2A" and c2012.at["01001", "reg_2012"] == "82"


def test_communes_2012_manifest_reports_outlines_and_every_approx(real_store, c2012):
    rep = store.read_manifest(real_store.parent)["repairs"]["communes_2012"]
    assert rep["counts_by_outline"] == c2012["outline"].value_counts().to_dict()
    assert set(rep["counts_by_outline"]) <= {"own", "commune_deleguee", "supplement", "approx"}
    assert rep["counts_by_outline"]["supplement"] == 2
    approx = c2012.loc[c2012["outline"] == "approx", "code"]
    assert sorted(a["code"] for a in rep["approx"]) == sorted(approx)
    assert rep["n_absents_de_la_source"] == 0 and rep["n_communes_hors_cog_2012"] == 0
    notes = store.check_store(real_store.parent, deep=False).notes
    assert sum("contour approché" in n for n in notes) == len(approx)


def test_geo_sources_sha256():
    manifest = json.loads((SOURCES / "manifest.json").read_text(encoding="utf-8"))
    files = {p.name for p in SOURCES.iterdir()} - {"manifest.json"}
    assert files == set(manifest["files"])
    for name, info in manifest["files"].items():
        assert sha256_file(SOURCES / name) == info["sha256"], name
        assert "Licence Ouverte 2.0" in info["licence"]
    assert len(manifest["npm"]) == 2 and all(len(v["sha256"]) == 64 for v in manifest["npm"].values())
    table = load_sources().table
    assert len(table) == 36_700 and table["code"].str.startswith("97").sum() == 129


def test_epci_2012_communes_are_in_the_2012_layer(c2012):
    path = SHARED / "epci-composition-2012.csv"
    if not path.exists():
        pytest.skip("../shared/reference absent")
    comp = pd.read_csv(path, dtype=str, sep=None, engine="python")
    col = next(c for c in comp.columns if c.lower() in ("insee", "code_insee", "commune", "code_commune", "depcom"))
    codes = set(comp[col].dropna().str.strip().str.zfill(5))
    assert codes and not sorted(codes - set(c2012.index))[:10]
