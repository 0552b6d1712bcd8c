"""Filters that behave (issue 17, item 4): témoins only, régions across systems, French dates, titles."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from territoires import selection
from territoires.dataset import load_dataset
from territoires.state import MapState, as_of_problem, from_query, parse_date_fr
from test_app import run


@pytest.fixture
def ds(app_dir):
    return load_dataset(app_dir)


# ------------------------------------------------------------- pôles témoins
def test_test_only_shows_only_the_test_poles_and_the_members(ds):
    shown = selection.select_actors(ds.placed, MapState(test_only=True))
    actors = shown[shown["kind"] != "rtes_member"]
    assert set(actors["id"]) == {"p1"}  # p2 (another pole), p3 (a PLES), p4 (an initiative) are hidden
    assert {"m-ville-gex", "m-dep-01"} <= set(shown["id"])  # « Collectivités adhérentes » is on
    alone = selection.select_actors(ds.placed, MapState(test_only=True, members=False))
    assert set(alone["id"]) == {"p1"}


def test_test_only_keeps_the_other_filters(ds):
    # the actor kinds still apply: without the PTCE poles, no test pole either
    none = selection.select_actors(ds.placed, MapState(test_only=True, members=False, kinds=("ples",)))
    assert none.empty
    # and the year: p1 was founded in 2010
    assert selection.select_actors(ds.placed, MapState(test_only=True, members=False, year=2005)).empty


def test_title_of_test_only_names_only_the_test_poles(ds):
    title = selection.title_for(MapState(test_only=True), ds)
    assert title == "Adhérents du RTES et pôles PTCE témoins — France, 2012", title
    assert selection.title_for(MapState(test_only=True, members=False), ds).startswith("Pôles PTCE témoins —")


# ------------------------------------------------------ régions across systems
DEPS = pd.DataFrame(
    {
        "code": ["01", "03", "69", "2A", "971"],
        "nom": ["Ain", "Allier", "Rhône", "Corse-du-Sud", "Guadeloupe"],
        "reg": ["84", "84", "84", "94", "01"],
        "reg_2012": ["82", "83", "82", "94", "01"],
    }
)


def test_a_region_of_2012_becomes_todays_and_back():
    assert selection.counterpart_regions(DEPS, ["82"], "2016") == ["84"]
    assert selection.counterpart_regions(DEPS, ["84"], "2012") == ["82", "83"]
    assert selection.counterpart_regions(DEPS, ["82", "83", "94"], "2016") == ["84", "94"]  # each once, in order
    assert selection.counterpart_regions(DEPS, ["01"], "2012") == ["01"]  # overseas: the same code
    assert selection.counterpart_regions(DEPS, ["99"], "2016") == []  # unknown: dropped
    assert selection.counterpart_regions(DEPS, [], "2012") == []


def test_counterpart_regions_read_the_dataset(ds):
    deps = ds.levels["departements"]
    assert selection.counterpart_regions(deps, ["82"], "2016") == ["84"]
    assert "82" in selection.counterpart_regions(deps, ["84"], "2012")


def test_switching_the_region_system_keeps_the_region(app_dir, monkeypatch):
    at = run("carte", app_dir, monkeypatch, {"region": "82"})
    at.radio(key="f_system").set_value("2016").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="f_regions").value == ["84"]
    assert at.query_params["region"] == "84"
    at.radio(key="f_system").set_value("2012").run()
    assert at.multiselect(key="f_regions").value == ["82"]


# ------------------------------------------------------------ French dates
@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("31/08/2012", "2012-08-31"),
        (" 1/8/2012 ", "2012-08-01"),
        ("31.08.2012", "2012-08-31"),
        ("31-08-2012", "2012-08-31"),
        ("2012-08-31", "2012-08-31"),
        ("", ""),
    ],
)
def test_french_and_iso_dates_are_understood(typed, iso):
    assert parse_date_fr(typed) == iso
    assert as_of_problem(typed) == ""


@pytest.mark.parametrize("typed", ["2012-13-45", "31/02/2012", "2012-02-30", "demain", "31/08/12", "٢٠١٢-٠٨-٣١"])
def test_impossible_dates_are_refused_in_french(typed):
    assert parse_date_fr(typed) is None
    message = as_of_problem(typed)
    assert "n'est pas une date valide" in message and "31/08/2012" in message
    assert "Le registre d'aujourd'hui est affiché." in message


def test_a_future_date_is_refused_with_its_reason():
    tomorrow = date.today() + timedelta(days=1)
    assert parse_date_fr(tomorrow.strftime("%d/%m/%Y")) is None
    assert "date à venir" in as_of_problem(tomorrow.isoformat())


def test_the_url_keeps_iso_dates_only():
    assert from_query({"au": "2012-08-31"}).as_of == "2012-08-31"
    assert from_query({"au": "31/08/2012"}).as_of == ""  # valid_as_of guards the URL


def test_the_date_box_reads_french_and_says_what_it_refuses(app_dir, monkeypatch):
    at = run("carte", app_dir, monkeypatch)
    at.text_input(key="f_as_of").set_value("31/08/2012").run()
    assert not at.exception, at.exception
    assert at.query_params["au"] == "2012-08-31"
    assert not [e for e in at.sidebar.error if "date" in e.value]
    at.text_input(key="f_as_of").set_value("31/02/2012").run()
    assert any("n'est pas une date valide" in e.value for e in at.sidebar.error)
    assert "au" not in at.query_params


# ------------------------------------------------------------------ titles
def test_title_says_the_year_and_the_registry_date(ds):
    assert selection.title_for(MapState(), ds).endswith("— France, 2012")
    assert selection.title_for(MapState(year=2005), ds).endswith("— France, connus en 2005")
    dated = selection.title_for(MapState(year=2005, as_of="2012-08-31", regions=("82",)), ds)
    assert dated.endswith("— Rhône-Alpes, connus en 2005, registre au 31 août 2012"), dated
    assert selection.title_for(MapState(as_of="2012-09-01"), ds).endswith(
        "France, 2012, registre au 1er septembre 2012"
    )
