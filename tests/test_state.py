"""The map state round-trips the URL; bad parameters fall back to defaults."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from territoires.state import MAP_KINDS, MapState, from_query, to_query


def test_default_state_has_an_empty_query():
    assert to_query(MapState()) == {}
    assert from_query({}) == MapState()


def test_round_trip():
    s = MapState(
        system="2016",
        regions=("84", "11"),
        kinds=("ptce_pole",),
        members=False,
        test_only=True,
        year=2007,
        layers=("departements", "epci"),
        communes_of="2A",
        statistic="per_million",
        stat_kind="ples",
        method="jenks",
        classes=4,
        framing="974",
        presentation=True,
        place="commune:2A004",
    )
    q = to_query(s)
    assert q["region"] == "84,11"
    assert q["lieu"] == "commune:2A004"
    assert from_query(q) == s


def test_empty_tuple_is_kept():
    s = MapState(kinds=())
    assert to_query(s)["acteurs"] == "-"
    assert from_query(to_query(s)).kinds == ()


def test_bad_values_fall_back():
    s = from_query(
        {
            "regions_de": "1789",
            "acteurs": "ptce_pole,<script>",
            "annee": "abc",
            "nb_classes": "99",
            "densite": "__import__('os')",
            "cadrage": "lune",
            "lieu": "commune:../../etc",
            "region": "82,{{7*7}}",
        }
    )
    assert s.system == "2012"
    assert s.kinds == ("ptce_pole",)
    assert s.year == 2012
    assert s.classes == 7
    assert s.statistic == ""
    assert s.framing == "auto"
    assert s.place == ""
    assert s.regions == ("82",)


@given(
    st.builds(
        MapState,
        system=st.sampled_from(["2012", "2016"]),
        regions=st.lists(st.sampled_from(["11", "82", "93", "2A", "84"]), max_size=3, unique=True).map(tuple),
        kinds=st.lists(st.sampled_from(MAP_KINDS), max_size=4, unique=True).map(tuple),
        members=st.booleans(),
        year=st.integers(1996, 2012),
        classes=st.integers(2, 7),
        presentation=st.booleans(),
    )
)
def test_round_trip_property(s):
    assert from_query(to_query(s)) == s.validated()


def test_registry_date_must_be_a_real_past_date_in_ascii_digits():
    from datetime import date, timedelta

    from territoires.state import from_query

    assert from_query({"au": "2012-06-01"}).as_of == "2012-06-01"
    assert from_query({"au": date.today().isoformat()}).as_of == date.today().isoformat()
    for bad in (
        "9999-99-99",
        "2012-13-45",
        "2012-02-30",
        "٢٠١٢-٠٦-٠١",
        "2012-6-1",
        (date.today() + timedelta(1)).isoformat(),
    ):
        assert from_query({"au": bad}).as_of == "", bad
