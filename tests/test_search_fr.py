"""The place search answers the official's question first: members marked and ranked first, the EPCIs
of 2012 found by their 2012 name, the actors of the place apart from people, events and wider ones."""

from __future__ import annotations

import pytest

from territoires import search
from territoires.dataset import load_dataset

from synthetic import app_rows, row, write_registry

MEMBER = "adhérente du RTES"


@pytest.fixture
def ds(app_dir):
    extra = [
        row(id="ev-gex", kind="event", name="Rencontre de Gex", level="commune", code="01008", precision="commune"),
        row(id="pr-gex", kind="partner", name="Caisse de Gex", level="commune", code="01008", precision="commune"),
    ]
    write_registry(app_dir, app_rows() + extra)
    return load_dataset(app_dir)


def test_a_member_is_marked_and_ranked_first_among_homonyms(ds):
    found = search.find_places(ds, "Saint-Martin")
    assert found[0] == ("commune:2A004", f"Saint-Martin (2A) — commune 2A004 — {MEMBER}")
    assert ("commune:01003", "Saint-Martin (01) — commune 01003") in found  # the larger homonym, not a member


def test_a_member_found_by_its_code_is_marked(ds):
    assert search.find_places(ds, "01008") == [("commune:01008", f"Gex (01) — commune 01008 — {MEMBER}")]
    labels = dict(search.find_places(ds, "01"))
    assert MEMBER not in labels["commune:01003"]


def test_an_epci_of_2012_is_found_by_its_2012_name_and_siren(ds):
    by_name = dict(search.find_places(ds, "CC du Bugey 2012"))
    assert by_name["epci:240100001"] == f"CC du Bugey 2012 — EPCI de 2012 240100001 — {MEMBER}"
    assert "epci:240100001" in dict(search.find_places(ds, "240100001"))
    assert "epci:200000001" in dict(search.find_places(ds, "Bugey"))  # today's EPCI too


def test_an_epci_of_2012_is_its_2012_perimeter_and_its_member_covers_it(ds):
    assert search.place_communes(ds, "epci:240100001") == ["01001", "01010"]
    covering = search.covering_members(ds, "epci:240100001").set_index("id")
    assert covering.at["m-epci-bugey", "couverture"] == "entière"
    assert search.place_communes(ds, "epci:999999999") == []


def test_actors_are_split_between_the_place_and_wider_territories(ds):
    gex = search.actors_in(ds, "commune:01008").set_index("id")
    assert gex.at["p3", "lieu"] == search.INSIDE
    wider = search.actors_in(ds, "epci:200000001")  # 01001, 01002, 01004, 01005, 01007, 01008
    assert set(wider.loc[wider["lieu"] == search.INSIDE, "id"]) == {"p3", "p4"}


def test_no_person_event_or_partner_among_the_actors(ds):
    ids = set(search.actors_in(ds, "commune:01008")["id"])
    assert ids == {"p3"}  # not the board member « Une Élue », the event nor the partner placed at Gex
    assert list(search.events_in(ds, "commune:01008")["id"]) == ["ev-gex"]


def test_the_carte_page_lists_actors_and_events_apart(ds, app_dir, monkeypatch):
    from test_app import run, texts

    at = run("carte", app_dir, monkeypatch)
    assert at.text_input[0].key == "q_place"  # the first input of the page: the official's question
    at.text_input(key="q_place").input("Gex").run()
    assert not at.exception
    body = texts(at)
    assert "Pôles et initiatives situés dans ce lieu :" in body
    assert "Pôles et initiatives situés plus largement (région, département…) :" in body
    assert "Rencontres dans ce lieu :" in body
    names = {n for df in at.dataframe for n in df.value.iloc[:, 0].tolist()}
    assert {"PLES de Gex", "Rencontre de Gex"} <= names
    assert not names & {"Une Élue", "Caisse de Gex"}


def test_an_epci_of_2012_is_outlined_and_placed_in_its_regions(ds):
    """The map outlines a 2012 intercommunality from its communes of 2012, and the « hors des régions »
    notice knows where it lies."""
    from territoires.selection import place_outside
    from territoires.state import MapState
    from territoires.webmap.geometry import GeometryCache, place_shape

    g = place_shape(GeometryCache(ds), "epci:240100001")
    assert g is not None and not g.is_empty
    reg = ds.units.table.loc[ds.units.of("epci", "240100001"), "reg_2012"].iloc[0]
    assert not place_outside(ds, MapState(place="epci:240100001", regions=(reg,)))
    assert place_outside(ds, MapState(place="epci:240100001", regions=("93",)))
