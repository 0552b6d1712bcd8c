"""The build pipeline on synthetic data: repairs, coverage, areas, dissolves, display."""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import box

from territoires.geo import build
from territoires.geo.build import BuildReport, equal_area_km2, fill_holes


def test_every_level_is_built_with_string_codes(built):
    lv = built.levels
    assert len(lv["communes"]) == 15
    assert set(lv["departements"]["code"]) == {"01", "2A", "66", "75"}
    assert lv["communes"].set_index("code").at["2A004", "dep"] == "2A"
    for name, df in lv.items():
        assert all(isinstance(c, str) for c in df["code"]), name
        assert shapely.is_valid(df.geometry.to_numpy()).all(), name


def test_regions_2012_come_from_departements(built):
    dep = built.levels["departements"].set_index("code")
    assert dep.at["01", "reg_2012"] == "82"  # Ain was in Rhône-Alpes
    assert dep.at["2A", "reg_2012"] == "94"
    assert dep.at["66", "reg_2012"] == "91"  # Languedoc-Roussillon
    r12 = built.levels["regions_2012"].set_index("code")
    assert r12.at["82", "nom"] == "Rhône-Alpes"
    assert r12.at["82", "population"] == sum(1000 * n for n in range(1, 10))


def test_outline_rebuilt_from_communes_deleguees(built):
    com = built.levels["communes"].set_index("code")
    assert com.at["01009", "outline"] == "communes déléguées"
    assert com.at["01009", "geometry"].equals_exact(box(5.2, 46.2, 5.3, 46.3).normalize(), 1e-9) or math.isclose(
        com.at["01009", "geometry"].area, 0.01, rel_tol=1e-9
    )
    assert [r["code"] for r in built.report.rebuilt_from_parts] == ["01009"]


def test_hole_goes_to_the_merged_commune_and_enclave_stays(built):
    holes = built.report.holes_filled
    assert [h["commune"] for h in holes] == ["01005"]
    assert holes[0]["rule"].startswith("commune nouvelle")
    com = built.levels["communes"].set_index("code")
    assert math.isclose(com.at["01005", "geometry"].area, 0.01, rel_tol=1e-6)
    assert [e["nom"] for e in built.report.enclaves_kept] == ["Llívia (Espagne)"]
    dep66 = built.levels["departements"].set_index("code").at["66", "geometry"]
    assert not dep66.contains(shapely.Point(1.98, 42.465))


def test_fill_holes_uses_longest_border_without_merged_parent():
    import geopandas as gpd

    # B's 1.0 border beats C's and F's 0.5 each; A and D touch 0.4.
    geoms = [box(0, 0, 2, 1), box(0, 1, 1, 2), box(1.4, 1, 2, 1.5), box(0, 2, 2, 3), box(1.4, 1.5, 2, 2)]
    geoms = build.clean_coverage(np.array(geoms, dtype=object))  # as in the pipeline: noded first
    com = gpd.GeoDataFrame({"code": list("ABCDF"), "nom": list("ABCDF")}, geometry=geoms, crs=4326)
    com["outline"] = "source"
    report = BuildReport()
    out = fill_holes(com, frozenset(), report)
    assert [h["commune"] for h in report.holes_filled] == ["B"]
    assert report.holes_filled[0]["rule"] == "plus longue frontière commune"
    assert math.isclose(out.geometry.iloc[1].area, 1.4)
    assert shapely.coverage_is_valid(out.geometry.to_numpy())


def test_overlaps_are_resolved_into_a_clean_coverage(built):
    com = built.levels["communes"]
    g = com.geometry[~com.geometry.is_empty].to_numpy()
    assert shapely.coverage_is_valid(g)
    a, b = com.set_index("code").loc[["01001", "01002"], "geometry"]
    assert shapely.area(shapely.intersection(a, b)) < 1e-12
    assert built.report.overlaps_resolved_km2 > 0


def test_equal_area_matches_the_sphere_formula():
    # A 0.1° square at 46°N: R² · Δλ · (sin φ2 − sin φ1), within 0.5 % (ellipsoid vs sphere).
    r = 6371.0088
    expected = r * r * math.radians(0.1) * (math.sin(math.radians(46.1)) - math.sin(math.radians(46.0)))
    got = equal_area_km2(np.array([box(5.0, 46.0, 5.1, 46.1)]), np.array(["01"]))[0]
    assert math.isclose(got, expected, rel_tol=5e-3)
    # Overseas: a square in La Réunion measured in its own LAEA.
    exp_reu = r * r * math.radians(0.1) * (math.sin(math.radians(-21.0)) - math.sin(math.radians(-21.1)))
    got_reu = equal_area_km2(np.array([box(55.4, -21.1, 55.5, -21.0)]), np.array(["974"]))[0]
    assert math.isclose(got_reu, exp_reu, rel_tol=5e-3)


def test_levels_sum_their_communes(built):
    lv = built.levels
    com = lv["communes"]
    for level, key in [("departements", "dep"), ("epci", "epci"), ("regions", "reg")]:
        df = lv[level].set_index("code")
        for code, grp in com.groupby(key):
            assert math.isclose(df.at[code, "area_km2"], grp["area_km2"].sum(), abs_tol=0.01)
            assert math.isclose(df.at[code, "geometry"].area, shapely.union_all(grp.geometry).area, rel_tol=1e-9)


def test_reports_what_it_cannot_repair(built):
    rep = built.report
    assert [c["code"] for c in rep.communes_without_epci] == ["66004"]
    assert [p["siren"] for p in rep.placeholder_sirens] == ["992367730"]
    epci = built.levels["epci"]
    assert not epci["siren_provisoire"].any()  # the placeholder EPCI has no commune here


def test_outline_held_by_another_commune(source):
    # A commune with neither outline nor parts, known to lie inside another's outline.
    from territoires.geo import reference

    com = source.communes
    com.loc[com["code"] == "01004", "code"] = "15031"
    com.loc[com["code"] == "15031", "geometry"] = None
    source.communes = com
    reference.OUTLINE_HELD_BY.setdefault("15031", "15141")
    source.communes.loc[source.communes["code"] == "01006", "code"] = "15141"
    out = build.build(source)
    c = out.levels["communes"].set_index("code")
    assert c.at["15031", "geometry"].is_empty
    assert c.at["15031", "outline_of"] == "15141"
    assert out.report.outline_held_by == [{"code": "15031", "nom": "Ceyzériat", "contour_de": "15141"}]


def test_display_sets_nest_and_stay_coverages(built):
    for scale, levels in built.display.items():
        for name, df in levels.items():
            g = df.geometry[~df.geometry.is_empty].to_numpy()
            assert shapely.coverage_is_valid(g), (scale, name)
        # each département of a display set is the union of its display communes
        com = levels["communes"]
        for code, grp in com.groupby("dep"):
            dep = levels["departements"].set_index("code").at[code, "geometry"]
            assert math.isclose(dep.area, shapely.union_all(grp.geometry).area, rel_tol=1e-9)
