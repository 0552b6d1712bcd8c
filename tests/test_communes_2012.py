"""The communes of 2012 cut out of today's coverage, on synthetic data built in code.

Today's synthetic communes (tests/synthetic.py) and a 2012 table made for them:

- 01009 (drawn through its communes déléguées 01009 and 01010) was two communes in 2012;
- 01005 absorbed 01011, whose outline is missing: 01005 has a COMD outline, 01011 is ``approx``;
- 01004 was three communes: 01004 (COMD outline, west half) and 01012, 01013 without any
  outline, which share the east half in two equal slices;
- 01007 was 01007 and 01014, whose outline comes from the supplement (clipped to 01007);
- 01008 was created after 2012 out of the 2012 commune 01006.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from territoires.errors import DataFileError
from territoires.geo import build, communes_2012, reader, store
from territoires.geo.communes_2012 import Cog2012, load_sources, split_equal

from synthetic import X0, Y0, S, make_source

COLS = ["code", "nom", "dep", "commune", "associees", "autres_communes"]
TABLE = [
    ("01001", "Ambérieu", "01", "01001", "", ""),
    ("01002", "Bâgé", "01", "01002", "", ""),
    ("01003", "Saint-Martin", "01", "01003", "", ""),
    ("01004", "Ceyzériat", "01", "01004", "", ""),
    ("01005", "Dompierre", "01", "01005", "", ""),
    ("01006", "Échallon", "01", "01006", "", "01008"),
    ("01007", "Foissiat", "01", "01007", "", ""),
    ("01009", "Hauteville", "01", "01009", "", ""),
    ("01010", "Lompnes", "01", "01009", "", ""),
    ("01011", "Cormaranche", "01", "01005", "", ""),
    ("01012", "Ceyzériat-Est", "01", "01004", "", ""),
    ("01013", "Ceyzériat-Nord", "01", "01004", "", ""),
    ("01014", "Foissiat-Est", "01", "01007", "", ""),
    ("2A004", "Saint-Martin", "2A", "2A004", "", ""),
    ("75056", "Paris", "75", "75056", "", ""),
    *[(f"6600{k}", f"Cerdagne {k}", "66", f"6600{k}", "", "") for k in range(1, 5)],
]
EXPECTED_KINDS = {
    "01004": "commune_deleguee",
    "01005": "commune_deleguee",
    "01006": "own",
    "01007": "approx",
    "01009": "commune_deleguee",
    "01010": "commune_deleguee",
    "01011": "approx",
    "01012": "approx",
    "01013": "approx",
    "01014": "supplement",
    "2A004": "own",
}


def make_cog(rows=TABLE) -> Cog2012:
    sup = gpd.GeoDataFrame(
        {"code": ["01014"], "nom": ["Foissiat-Est"]},
        geometry=[box(X0 + 0.5 * S, Y0 + 2 * S, X0 + 2 * S, Y0 + 3 * S)],  # reaches into 01008: clipped
        crs="EPSG:4326",
    )
    return Cog2012(table=pd.DataFrame(rows, columns=COLS), supplement=sup, meta={"inputs": {}})


def make_layers():
    layers = make_source()
    extra = gpd.GeoDataFrame(
        {
            "code": ["01004", "01005"],
            "nom": ["Ceyzériat", "Dompierre"],
            "type": ["COMD", "COMD"],
            "parent": ["01004", "01005"],
            "population": pd.array([None, None], dtype="Int64"),
        },
        geometry=[box(X0, Y0 + S, X0 + 0.5 * S, Y0 + 2 * S), box(X0 + S, Y0 + S + 0.03, X0 + 2 * S, Y0 + 2 * S)],
        crs="EPSG:4326",
    )
    layers.parts = gpd.GeoDataFrame(pd.concat([layers.parts, extra], ignore_index=True), crs="EPSG:4326")
    layers.cog_2012 = make_cog()
    return layers


@pytest.fixture(scope="module")
def built():
    return build.build(make_layers())


@pytest.fixture(scope="module")
def layer(built):
    return built.levels["communes_2012"].set_index("code", drop=False)


def test_outline_kinds(layer):
    assert len(layer) == len(TABLE)
    assert {c: layer.at[c, "outline"] for c in EXPECTED_KINDS} == EXPECTED_KINDS
    assert layer.at["01010", "commune"] == "01009"


def test_coverage_valid_and_union_equals_today(built, layer):
    geoms = layer.geometry.to_numpy()
    assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
    assert shapely.coverage_is_valid(geoms)
    com = built.levels["communes"]
    today = shapely.coverage_union_all(com.geometry[~com.geometry.is_empty].to_numpy())
    assert shapely.symmetric_difference(today, shapely.coverage_union_all(geoms)).area < 1e-9


def test_outline_less_communes_share_the_remainder_in_equal_slices(layer):
    a, b = layer.at["01012", "area_km2"], layer.at["01013", "area_km2"]
    assert a == pytest.approx(b, rel=0.02)
    east = box(X0 + 0.5 * S, Y0 + S, X0 + S, Y0 + 2 * S)
    both = shapely.union(layer.at["01012", "geometry"], layer.at["01013", "geometry"])
    assert shapely.symmetric_difference(both, east).area < 1e-9
    # sliced along the longest axis (north–south here), the lower code first (south)
    assert layer.at["01012", "geometry"].centroid.y < layer.at["01013", "geometry"].centroid.y


def test_commune_without_outline_gets_what_nothing_claims(layer):
    strip = box(X0 + S, Y0 + S, X0 + 2 * S, Y0 + S + 0.03)  # the hole filled into 01005
    assert shapely.symmetric_difference(layer.at["01011", "geometry"], strip).area < 1e-9


def test_supplement_is_clipped_to_todays_commune(built, layer):
    today = built.levels["communes"].set_index("code").at["01007", "geometry"]
    sup = layer.at["01014", "geometry"]
    assert shapely.difference(sup, today).area < 1e-12
    assert sup.area == pytest.approx(0.5 * S * S, rel=1e-6)


def test_commune_created_after_2012_goes_back_to_its_2012_commune(built, layer):
    today = built.levels["communes"].set_index("code")
    assert "01008" not in layer.index
    whole = shapely.union(today.at["01006", "geometry"], today.at["01008", "geometry"])
    assert shapely.symmetric_difference(layer.at["01006", "geometry"], whole).area < 1e-9


def test_codes_are_strings(layer):
    assert pd.api.types.infer_dtype(layer["code"]) == "string"
    assert {"2A004", "01001"} <= set(layer["code"])
    assert layer.at["2A004", "reg_2012"] == "94" and layer.at["2A004", "dep"] == "2A"


def test_report_lists_every_approx_and_counts(built):
    rep = built.report.communes_2012
    assert rep["counts_by_outline"] == {"approx": 4, "commune_deleguee": 4, "own": 10, "supplement": 1}
    approx = {a["code"]: a for a in rep["approx"]}
    assert set(approx) == {c for c, k in EXPECTED_KINDS.items() if k == "approx"}
    assert approx["01012"]["partage_avec"] == ["01013"] and approx["01012"]["commune"] == "01004"


def test_table_and_source_disagreeing_are_reported():
    layers = make_layers()
    rows = [r for r in TABLE if r[0] != "75056"] + [("99999", "Inconnue", "99", "98999", "", "")]
    layers.cog_2012 = make_cog(rows)
    layer, rep = communes_2012.build_layer(
        build.give_every_commune_an_outline(layers, build.BuildReport()), layers.parts, layers.cog_2012
    )
    assert rep["absents_de_la_source"] == ["99999"]
    assert rep["communes_hors_cog_2012"] == ["75056"]
    assert layer.set_index("code").at["75056", "outline"] == "own"


def test_split_equal():
    g = box(0, 0, 3, 1)
    parts = split_equal(g, 3)
    assert [round(p.area, 6) for p in parts] == [1.0, 1.0, 1.0]
    assert [round(p.centroid.x, 6) for p in parts] == [0.5, 1.5, 2.5]
    assert split_equal(g, 1) == [g]


def test_load_sources_reads_codes_as_strings(tmp_path):
    (tmp_path / "cog_2012.csv").write_text(
        "code,nom,dep,commune,associees,autres_communes\n01001,A,01,01001,,\n2A004,B,2A,2A004,01002 01003,\n"
    )
    cog = load_sources(tmp_path)
    assert cog.table["code"].tolist() == ["01001", "2A004"]
    assert cog.table.at[1, "associees"] == "01002 01003" and cog.supplement.empty
    (tmp_path / "cog_2012.csv").write_text("code,nom\n01001,A\n")
    with pytest.raises(DataFileError, match="Colonnes manquantes"):
        load_sources(tmp_path)
    with pytest.raises(DataFileError, match="manquante"):
        load_sources(tmp_path / "absent")


def test_store_round_trip_and_check(built, tmp_path):
    sources = tmp_path / "geo" / "sources"
    sources.mkdir(parents=True)
    (sources / "cog_2012.csv").write_text("kept\n")
    store.write_store(built, {"source": "synthétique"}, tmp_path)
    assert (sources / "cog_2012.csv").read_text() == "kept\n"  # the committed inputs survive a rebuild
    full = reader.load_level("communes_2012", base=tmp_path)
    assert len(full) == len(TABLE)
    for scale in build.DISPLAY_TOLERANCES:
        shown = reader.Boundaries(tmp_path, scale=scale).communes_2012
        assert shown.loc["01011", "commune"] == "01005"
        assert shapely.coverage_is_valid(shown.geometry.to_numpy())
    result = store.check_store(tmp_path)
    assert result.ok, result.problems
    assert any("01012" in n and "approché" in n for n in result.notes)
    assert np.isclose(full["area_km2"].sum(), built.levels["communes"]["area_km2"].sum(), rtol=1e-3)


def test_a_source_unknown_to_the_committed_table_gets_a_table_from_its_parts():
    layers = make_source()  # no table of its own, and none of its codes in data/geo/sources/cog_2012.csv
    cog = communes_2012.sources_for(layers.communes, layers.parts, None)
    table = cog.table.set_index("code")
    assert table.at["01010", "commune"] == "01009" and table.at["01011", "commune"] == "01005"
    assert table.at["2A004", "commune"] == "2A004" and "75101" not in table.index  # arrondissements are not communes
    layer = build.build(layers).levels["communes_2012"].set_index("code")
    assert layer.at["01010", "outline"] == "commune_deleguee" and layer.at["01011", "outline"] == "approx"
    given = make_cog()
    assert communes_2012.sources_for(layers.communes, layers.parts, given) is given
