"""The territory profile (« Fiche territoire ») on the synthetic data, against expectations computed by hand.

Synthetic registry (tests/synthetic.py, ``app_rows``): Gex (01008) is a member city, in the member
département of Ain (01, a new member) and the member région Rhône-Alpes (82); the Bugey EPCI's 2012
perimeter is Ambérieu (01001) and Lompnes (01010). Actors: p1 (PTCE, 01003), p2 (PTCE, 66001), p3 (PLES,
01008), p4 (initiative with a hostile name, 01005). Population of Gex 8,000; of Ain 45,000; France 2,145,900.
"""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from territoires import stats
from territoires.cli import app
from territoires.dataset import load_dataset
from territoires.errors import TerritoiresError
from territoires.fiche import fiche, find_territories
from territoires.webmap.popups import fiche_link, popup_html

from synthetic import HOSTILE

runner = CliRunner()
FRANCE = 2_145_900


@pytest.fixture
def ds(app_dir):
    return load_dataset(app_dir)


def _ids(rows: list[dict]) -> list[str]:
    return [r["id"] for r in rows]


def _figure(f, group: str, scope: str) -> dict:
    return next(r for r in f.figures if r["group"] == group and r["scope"] == scope)


def test_gex_by_hand(ds):
    f = fiche(ds, "commune", "01008")
    assert (f.name, f.level, f.code, f.population, f.communes_2012) == ("Gex", "commune", "01008", 8000, 1)
    assert f.member == {"id": "m-ville-gex", "name": "Gex", "new_member": False}
    assert f.member_text == "Adhérent du RTES au 31 août 2012."
    # Inheritance: its région of 2012, its département, itself; the Bugey's perimeter does not hold it.
    assert _ids(f.members_covering) == ["m-reg-82", "m-dep-01", "m-ville-gex"]
    assert {m["couverture"] for m in f.members_covering} == {"entière"}
    assert f.members_in == []
    assert _ids(f.actors_in) == ["p3"]  # not the board member placed at Gex
    assert f.actors_wider == []
    # Its own record's relations and its actors': Gex–Bugey, Gex → p1, Rhône-Alpes → p3 (PLES de Gex).
    assert sorted(_ids(f.relations)) == ["rel-3", "rel-4", "rel-5"]
    rel4 = next(r for r in f.relations if r["id"] == "rel-4")
    assert rel4["sentence"] == "Gex cofinance Pôle des Monts (environ 20\u202f000 €)"
    assert rel4["amount"] == 20000 and rel4["status"] == "en place"
    # The amounts they declare, added up as the statistics add them (euros only).
    assert f.declared == "environ 20\u202f000 €"
    assert f.as_dict()["declared"] == f.declared
    # One PLES in Gex among the 4 actors France counts by département.
    gex = _figure(f, "acteurs", "territoire")
    assert gex["count"] == 1
    assert math.isclose(gex["per_million"], 1 / 8000 * 1e6)
    assert math.isclose(gex["location_quotient"], (1 / 4) / (8000 / FRANCE))
    assert _figure(f, "ptce_pole", "territoire")["count"] == 0
    region = _figure(f, "acteurs", "region_2012")
    assert (region["name"], region["count"]) == ("Rhône-Alpes", 3)
    assert _figure(f, "acteurs", "france")["count"] == 4


def test_departement_new_member_members_and_actors_within(ds):
    f = fiche(ds, "departement", "01")
    assert f.member_text == "Adhérent du RTES au 31 août 2012 (nouvel adhérent en 2012)."
    assert _ids(f.members_covering) == ["m-reg-82", "m-dep-01"]
    assert set(_ids(f.members_in)) == {"m-epci-bugey", "m-ville-gex", "m-cantal"}
    assert set(_ids(f.actors_in)) == {"p1", "p3", "p4"}
    assert sorted(_ids(f.relations)) == ["rel-4", "rel-5", "rel-6"]
    # Counted as the statistics count: the same figures as stats.density_table.
    table = stats.density_table(ds.placed, stats.territories(ds.levels, "departement"), "ptce_pole")
    row = table.set_index("code").loc["01"]
    mine = _figure(f, "ptce_pole", "territoire")
    assert mine["count"] == row["count"] == 1
    for col in ("per_million", "per_10k_km2", "location_quotient"):
        assert math.isclose(mine[col], row[col]), col
    assert math.isclose(_figure(f, "acteurs", "territoire")["location_quotient"], (3 / 4) / (45_000 / FRANCE))


def test_epci_of_2012_and_a_wider_actor(ds, app_dir):
    f = fiche(ds, "epci", "240100001")
    assert f.communes_2012 == 2 and f.member["id"] == "m-epci-bugey"
    assert _ids(f.members_covering) == ["m-reg-82", "m-dep-01", "m-epci-bugey"]
    # A pole placed only in the région: placed more widely, not in the EPCI.
    from synthetic import ROWS, app_rows, write_registry

    write_registry(app_dir, app_rows() + [r for r in ROWS if r["id"] == "ptce-x"])
    f = fiche(load_dataset(app_dir), "commune", "01001")
    assert _ids(f.actors_wider) == ["ptce-x"]
    assert f.actors_wider[0]["place_name"] == "Rhône-Alpes (région de 2012)"
    assert _ids(f.members_covering) == ["m-reg-82", "m-dep-01", "m-epci-bugey"]


def test_region_today_is_covered_in_part_and_json_keys(ds):
    f = fiche(ds, "region", "84")
    assert f.member is None and f.members_covering[0]["id"] == "m-reg-82"
    doc = json.loads(f.to_json())
    for key in ("name", "level", "code", "members_covering", "actors_in", "actors_wider", "relations", "figures"):
        assert key in doc
    assert set(doc["members_covering"][0]) >= {"id", "name", "level", "code"}
    assert "communes" not in doc  # counted (communes_2012), not listed


def test_unknown_code_names_code_level_and_candidates(ds):
    with pytest.raises(TerritoiresError) as exc:
        fiche(ds, "commune", "01018")
    msg = exc.value.message
    assert "01018" in msg and "commune" in msg and "01008 (Gex)" in msg


def test_search_finds_every_level(ds):
    keys = [k for k, _ in find_territories(ds, "Ain")]
    assert "departement:01" in keys
    assert "region_2012:82" in [k for k, _ in find_territories(ds, "Rhône")]
    assert "commune:01008" in [k for k, _ in find_territories(ds, "Gex")]


def test_cli_json_pdf_png_and_unknown_code(app_dir, tmp_path):
    r = runner.invoke(
        app, ["fiche", "--level", "commune", "--code", "01008", "--format", "json", "--data-dir", str(app_dir)]
    )
    assert r.exit_code == 0, r.output
    assert _ids(json.loads(r.stdout)["members_covering"]) == ["m-reg-82", "m-dep-01", "m-ville-gex"]
    for fmt_, magic in (("pdf", b"%PDF"), ("png", b"\x89PNG")):
        out = tmp_path / f"gex.{fmt_}"
        args = ["fiche", "--level", "departement", "--code", "01", "--format", fmt_, "-o", str(out)]
        r = runner.invoke(app, [*args, "--data-dir", str(app_dir)])
        assert r.exit_code == 0, r.output
        assert out.read_bytes().startswith(magic)
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", (tmp_path / "gex.pdf").read_bytes())
    assert len(pages) == 1
    bad = tmp_path / "bad.pdf"
    args = ["fiche", "--level", "commune", "--code", "99999", "--format", "pdf", "-o", str(bad)]
    r = runner.invoke(app, [*args, "--data-dir", str(app_dir)])
    assert r.exit_code == 1
    assert "99999" in r.output and "commune" in r.output and "Traceback" not in r.output
    assert not bad.exists()
    r = runner.invoke(app, ["fiche", "--level", "canton", "--code", "01", "--data-dir", str(app_dir)])
    assert r.exit_code != 0


def test_hostile_name_stays_text(ds):
    from territoires.export.fiche import fit, render_fiche

    f = fiche(ds, "commune", "01005")
    assert [a["name"] for a in f.actors_in] == [HOSTILE]
    assert json.loads(f.to_json())["actors_in"][0]["name"] == HOSTILE
    assert render_fiche(ds, f, "pdf").startswith(b"%PDF")  # "$" in a name does not start TeX
    # Long lists are cut to fit: every section keeps its title, the cut one says how many are left.
    lines = fit([("A", [f"élément {i}" for i in range(50)]), ("B", ["seul"])], budget=10)
    assert sum(len(s) for s in lines) <= 10 and lines[0][-1] == "  … et 44 autres" and lines[1] == ["B", "• seul"]


def test_popup_link_to_the_fiche_only_for_a_territory(ds):
    p = ds.placed.set_index("id", drop=False)
    html = popup_html(p.loc["m-ville-gex"], {})
    assert '<a href="../../fiche?fiche=commune:01008" target="_blank" rel="noopener">Voir la fiche</a>' in html
    assert fiche_link(p.loc["p3"]) == ""  # an actor: no fiche of its own
    forged = pd.Series({"kind": "rtes_member", "level": "commune", "code": '01"><script>'})
    assert fiche_link(forged) == ""


def test_fiche_link_parameter_is_checked():
    from territoires.ui.fiche import parse_key

    assert parse_key("commune:38185") == ("commune", "38185")
    assert parse_key("epci:243800901") == ("epci", "243800901")
    for bad in ("canton:01", "commune:", "commune:38185:1", "commune:<b>", "commune:1234567890", None, "x"):
        assert parse_key(bad) is None, bad


def test_declared_lists_other_units_without_adding_them_up():
    from territoires.coopstats import declared

    rows = [
        {"amount": 3.0, "unit": "ans", "amount_kind": "exact"},
        {"amount": 3.0, "unit": "ans", "amount_kind": "exact"},
        {"amount": 1000.0, "unit": "€", "amount_kind": "exact"},
        {"amount": None, "unit": None, "amount_kind": None},
    ]
    assert declared(rows) == "1\u202f000 € ; autres : 3 ans (×2)"
    assert declared([]) == ""
