"""One selection for every view, and one rule for which communes a territory holds (issue 13)."""

from __future__ import annotations

import pytest

from territoires import search, selection, stats
from territoires.dataset import load_dataset
from territoires.state import MapState
from territoires.webmap.geometry import GeometryCache

from synthetic import app_rows, row, write_registry

# An intercommunality member whose 2012 perimeter the registry lacks: today's EPCI 200000002
# (communes 01003, 01006, 01009 of the synthetic source).
NO_PERIMETER = row(id="m-epci-sans", kind="rtes_member", name="CC sans périmètre", level="epci", code="200000002")


@pytest.fixture
def ds(app_dir):
    write_registry(app_dir, [*app_rows(), NO_PERIMETER])
    return load_dataset(app_dir)


def test_map_search_and_coverage_agree_on_an_epci_without_2012_perimeter(ds):
    expected = {"01003", "01006", "01009"}
    # the rule itself, in communes of 2012: today's 01009 gathers Hauteville (01009) and Lompnes (01010)
    mc = stats.member_communes(ds.placed, ds.units)
    assert set(mc.loc[mc["member"] == "m-epci-sans", "commune"]) == expected | {"01010"}
    # the map draws it over those communes
    cache = GeometryCache(ds)
    shape = cache.shapes_at("region").geometry["m-epci-sans"]
    communes = cache.boundaries_at("region").communes
    drawn = [
        c
        for c in communes.index
        if communes.at[c, "geometry"] is not None and shape.contains(communes.at[c, "geometry"].representative_point())
    ]
    assert set(drawn) == expected
    # the search finds it covering each of them
    for code in expected:
        assert "m-epci-sans" in set(search.covering_members(ds, f"commune:{code}")["id"])
    # the coverage statistics count their population
    terr = stats.territories(ds.levels, "departement")
    cov = stats.coverage(ds.placed, ds.registry.perimeters, terr).set_index("code")
    assert cov.at["01", "members_epci"] >= 1
    com = ds.levels["communes"].set_index("code")
    assert cov.at["01", "covered_population"] >= com.loc[sorted(expected), "population"].sum()


def test_selection_is_what_every_view_shows(ds):
    sel = selection.select(ds, MapState(regions=("82",), kinds=("ples", "ptce_pole")))
    assert sel.system.column == "reg_2012" and list(sel.regions.index) == ["82"]
    assert set(sel.actors["kind"]) <= {"ples", "ptce_pole", "rtes_member"}
    assert sel.kinds_shown == ["ples", "ptce_pole"]  # in the state's order
    assert "region_2012" in sel.levels_shown
    today = selection.select(ds, MapState(system="2016", regions=("84",)))
    assert today.system.level == "regions" and list(today.regions.index) == ["84"]
    assert {"p1", "m-ville-gex", "m-dep-01"} <= set(today.actors["id"])  # the Ain, in today's région
    assert "p2" not in set(today.actors["id"])  # Pyrénées-Orientales


def test_choropleth_by_region_then_by_departement_within_a_selection(ds):
    national = selection.choropleth(ds, MapState(statistic="count", stat_kind="ptce_pole"))
    assert national.unit_level == "regions_2012"
    assert len(national.values) == len(ds.levels["regions_2012"])
    assert national.values["82"] >= 1  # Pôle des Monts is in Rhône-Alpes
    within = selection.choropleth(ds, MapState(regions=("82",), statistic="count", stat_kind="ptce_pole"))
    assert within.unit_level == "departements" and list(within.values.index) == ["01"]
    assert "Ain — Nombre : " in within.text("01")
    assert selection.choropleth(ds, MapState()) is None


def test_narrow_table_maps_a_region_to_the_other_system(ds):
    table = stats.density_table(ds.placed, stats.territories(ds.levels, "region"), "ptce_pole")
    narrowed = selection.narrow_table(ds, MapState(regions=("82",)), table, "region")
    assert list(narrowed["code"]) == ["84"]  # Rhône-Alpes (2012) lies in Auvergne-Rhône-Alpes
    deps = stats.density_table(ds.placed, stats.territories(ds.levels, "departement"), "ptce_pole")
    assert list(selection.narrow_table(ds, MapState(regions=("82",)), deps, "departement")["code"]) == ["01"]
    assert len(selection.narrow_table(ds, MapState(), deps, "departement")) == len(deps)
