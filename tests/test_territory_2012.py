"""Territories are made of the communes of 2012: the rule (``join.Units``), the join, the area check."""

from __future__ import annotations

import types
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely.affinity
from typer.testing import CliRunner

from territoires.cli import app
from territoires.geo import layout
from territoires.registry import extent
from territoires.registry.check import check_registry
from territoires.registry.join import Units, units_2012

from synthetic import ROWS, write_registry

runner = CliRunner()


def _today() -> pd.DataFrame:
    """Today's communes: 50129 gathers three communes of 2012, 93066 two, 38001 is one of 2012 too."""
    return pd.DataFrame(
        {
            "code": ["50129", "93066", "38001", "2A004", "01001"],
            "reg": ["28", "11", "84", "94", "84"],
            "epci": ["200067205", "200057867", "200040715", "200000003", "200000001"],
            "population": [78000, 150000, 6000, 500, 1000],
        }
    ).set_index("code")


def _c2012() -> pd.DataFrame:
    """The communes of 2012, with a homonym (Saint-Martin in 2A and in 01), an approximate outline."""
    return pd.DataFrame(
        {
            "code": ["50129", "50602", "50173", "93066", "93059", "38001", "38029", "2A004", "01001"],
            "nom": [
                "Cherbourg-Octeville",
                "Tourlaville",
                "Équeurdreville-Hainneville",
                "Saint-Denis",
                "Pierrefitte-sur-Seine",
                "Les Abrets",
                "La Bâtie-Divisin",
                "Saint-Martin",
                "Saint-Martin",
            ],
            "dep": ["50", "50", "50", "93", "93", "38", "38", "2A", "01"],
            "reg_2012": ["25", "25", "25", "11", "11", "82", "82", "94", "82"],
            "commune": ["50129", "50129", "50129", "93066", "93066", "38001", "38001", "2A004", "01001"],
            "area_km2": [16.0, 17.0, 13.0, 12.4, 3.4, 10.0, 5.0, 40.0, 20.0],
            "outline": [
                *("commune_deleguee", "commune_deleguee", "approx", "supplement", "supplement"),
                *("commune_deleguee", "commune_deleguee", "own", "own"),
            ],
        }
    )


PERIMETERS = pd.DataFrame(
    {
        "siren_2012": ["243800604", "243800604"],
        "nom_2012": ["CA du Pays Voironnais"] * 2,
        "commune_2012": ["38029", "01001"],
        "nom_commune_2012": ["La Bâtie-Divisin", "Saint-Martin"],
        "commune": ["38001", "01001"],
    }
)


@pytest.fixture
def units() -> Units:
    return Units.build(units_2012(_today(), _c2012()), PERIMETERS)


def test_units_carry_codes_as_strings_and_population_shared_by_area(units):
    t = units.table
    assert t.index.tolist()[:2] == ["50129", "50602"] and t.at["2A004", "dep"] == "2A"
    # 78,000 people of today's Cherbourg-en-Cotentin shared by area among its three communes of 2012
    assert t.loc[["50129", "50602", "50173"], "population"].sum() == pytest.approx(78000)
    assert t.at["50129", "population"] == pytest.approx(78000 * 16 / 46)
    assert t.at["93059", "reg"] == "11" and t.at["38029", "epci"] == "200040715"


def test_a_ville_of_2012_is_its_commune_of_2012_not_todays(units):
    assert units.of("commune", "50129") == ["50129"]  # Cherbourg-Octeville, without Tourlaville
    assert units.of("commune", "93066") == ["93066"]  # Saint-Denis, without Pierrefitte
    assert units.of("commune", "2A004") == ["2A004"]  # the Corsican homonym, by code
    assert units.of("commune", "99999") == []


def test_an_epci_of_2012_is_its_perimeter_and_otherwise_todays_epci(units):
    # the Voironnais holds La Bâtie-Divisin but not Les Abrets, though both are in today's 38001
    assert units.of("epci", "243800604") == ["01001", "38029"]
    assert "38001" not in units.of("epci", "243800604")
    assert units.of("epci", "200057867") == ["93059", "93066"]  # no 2012 perimeter: today's EPCI
    assert units.of("departement", "93") == ["93059", "93066"]
    assert units.of("region_2012", "25") == ["50129", "50173", "50602"]
    assert units.of("region", "11") == ["93059", "93066"]


def test_a_record_with_several_places_holds_all_of_them(units):
    a = types.SimpleNamespace(level="departement", code="93", commune=None, places="departement:50; region_2012:94")
    assert units.of_record(a) == ["2A004", "50129", "50173", "50602", "93059", "93066"]
    # 50173's outline is a guess, but the three communes of 2012 of today's 50129 together are not
    assert not units.approximate(units.of_record(a))
    assert units.approximate(["50173"]) and units.approximate(["50173", "50602"])
    assert not units.approximate(units.of("commune", "50129"))  # a true outline


def test_area_gap_over_two_percent_is_reported_in_french():
    areas = pd.DataFrame(
        [
            ("m-ville-cherbourg", "Cherbourg-Octeville", "commune", "50129", 68.7, 16.0, 68.7 / 16 - 1, False),
            ("m-ville-saint-denis", "Saint-Denis", "commune", "93066", 12.45, 12.4, 12.45 / 12.4 - 1, False),
        ],
        columns=extent.AREA_COLUMNS,
    )
    problems = extent.area_problems(areas)
    assert len(problems) == 1
    assert "Cherbourg-Octeville" in problems[0] and "68,7 km²" in problems[0] and "16,0 km²" in problems[0]


def test_perimeter_rows_must_agree_with_the_2012_layer(units):
    reg = types.SimpleNamespace(perimeters=PERIMETERS.assign(commune=["38001", "01002"]))
    problems = extent.perimeter_problems(reg, units)
    assert len(problems) == 1 and "01001" in problems[0] and "01002" in problems[0]
    reg = types.SimpleNamespace(perimeters=PERIMETERS.assign(commune_2012=["38029", "77777"]))
    assert "absente de la couche des communes de 2012" in extent.perimeter_problems(reg, units)[0]


# --------------------------------------------------------------------- on a built synthetic store
def test_the_synthetic_registry_passes_and_every_member_is_measured(app_dir):
    rep = check_registry(app_dir)
    assert rep.ok, rep.problems
    assert rep.areas is not None and len(rep.areas) >= 4
    assert (rep.areas["gap"].abs() <= extent.TOLERANCE).all(), rep.areas


def _enlarge(store: Path, code: str) -> None:
    """Draw the 2012 commune ``code`` ten times larger, its recorded area unchanged."""
    path = layout.level_path("communes_2012", base=store)
    layer = gpd.read_parquet(path)
    i = layer.index[layer["code"] == code][0]
    g = layer.at[i, "geometry"]
    layer.at[i, "geometry"] = shapely.affinity.scale(g, 3.2, 3.2)
    layer.to_parquet(path)


def test_check_fails_when_a_member_is_drawn_larger_than_its_2012_communes(app_dir):
    member = next(r for r in ROWS if r["kind"] == "rtes_member" and r["level"] == "commune")
    _enlarge(app_dir, member["code"])
    rep = check_registry(app_dir)
    assert not rep.ok
    text = "\n".join(rep.problems)
    assert member["id"] in text and "le tracé ne suit pas les communes de 2012" in text
    result = runner.invoke(app, ["data", "check", "--data-dir", str(app_dir)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "dessiné sur" in result.output


def test_check_fails_on_a_garbled_name_in_a_copy(store_dir):
    rows = [dict(r) for r in ROWS]
    rows[0]["name"] = "CC C\x9cur Côte Fleurie"
    write_registry(store_dir, rows)
    rep = check_registry(store_dir)
    assert not rep.ok and any("caractère de contrôle" in p for p in rep.problems)


def test_a_record_placed_in_two_regions_is_shown_in_each(units):
    from territoires.registry.join import place
    from territoires.registry.schema import COLUMNS
    from territoires.selection import select_actors
    from territoires.state import MapState

    row = dict.fromkeys(COLUMNS)
    urscop = {**row, "id": "i-1", "kind": "initiative", "name": "URSCOP", "level": "region_2012", "code": "25"}
    urscop["places"] = "region_2012:11"
    elsewhere = {**row, "id": "i-2", "kind": "initiative", "name": "Ailleurs", "level": "commune", "code": "2A004"}
    reg = types.SimpleNamespace(actors=pd.DataFrame([urscop, elsewhere]))
    deps = pd.DataFrame({"code": ["50", "93", "2A"], "reg": ["28", "11", "94"], "reg_2012": ["25", "11", "94"]})
    placed = place(reg, units, deps.set_index("code"))
    assert placed.set_index("id").at["i-1", "reg_2012_autres"] == "11"
    shown = select_actors(placed, MapState(kinds=("initiative",), regions=("11",)).validated())
    assert list(shown["id"]) == ["i-1"]


def test_the_map_reads_only_the_2012_communes_it_draws(app_dir):
    from territoires.dataset import load_dataset
    from territoires.webmap.geometry import GeometryCache

    cache = GeometryCache(load_dataset(app_dir))
    drawn = cache.shapes_at("region")
    assert drawn.geometry["m-ville-gex"] is not None and not drawn.geometry["m-ville-gex"].is_empty
    assert "communes_2012" not in cache.boundaries_at("region").loaded()  # a parquet filter, not the layer
