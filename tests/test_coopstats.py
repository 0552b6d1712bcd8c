"""Statistics of cooperation by région, against a small synthetic case computed by hand.

Synthetic store (tests/synthetic.py): Ain (01) lies in Rhône-Alpes (82 in 2012, 84 today),
Pyrénées-Orientales (66) in Languedoc-Roussillon (91, today 76).  Ends of the relations:

- in 82: the members m-reg-82, m-dep-01, Gex, Bugey (4 authorities), the poles ptce-x, p1, p3,
  p4 and an association placed in the région (not an authority);
- in 91: the conseil général of the Pyrénées-Orientales (a partner authority) and the pole p2;
- nowhere: the Caisse des Dépôts and the ARF (national).

rel-1…rel-6 (synthetic.RELATIONS, all in 82: 1 000 000 € exact, 20 000 € approx), rel-7 Caisse des
Dépôts → p1 5 000 € (82, a national end), rel-8 CG 66 → p2 3 ans (91), rel-9 association → Ain
(82), rel-10 Caisse des Dépôts ↔ ARF (no région: the total only).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from territoires import coopstats
from territoires.cli import app
from territoires.dataset import load_dataset

from synthetic import RELATIONS, ROWS, app_rows, relation, row, write_registry

runner = CliRunner()
PARTNERS = [
    row(id="partner-cdc", kind="partner", name="Caisse des Dépôts", level="national", code="FR", precision="national"),
    row(id="partner-arf", kind="partner", name="ARF", level="national", code="FR", precision="national"),
    row(id="partner-cg-66", kind="partner", name="CG des P.-O.", level="departement", code="66"),
    row(id="partner-asso", kind="partner", name="=Asso", level="region_2012", code="82", precision="region"),
]
MORE = [
    relation("rel-7", "partner-cdc", "cofinance", "p1", amount="5000", unit="€", amount_kind="exact"),
    relation("rel-8", "partner-cg-66", "soutient", "p2", amount="3", unit="ans", amount_kind="exact"),
    relation("rel-9", "partner-asso", "associé", "m-dep-01"),
    relation("rel-10", "partner-cdc", "partenaire", "partner-arf"),
]


@pytest.fixture
def coop_dir(store_dir):
    poles = [r for r in app_rows() if r["id"] in ("p1", "p2", "p3", "p4")]
    write_registry(store_dir, ROWS + poles + PARTNERS, relations=RELATIONS + MORE)
    return store_dir


@pytest.fixture
def ds(coop_dir):
    return load_dataset(coop_dir)


def test_authorities_are_members_and_partners_that_are_a_territory():
    assert coopstats.is_authority("rtes_member", "epci", "territoire")
    assert coopstats.is_authority("partner", "departement", "territoire")
    assert not coopstats.is_authority("partner", "region_2012", "region")  # an association placed there
    assert not coopstats.is_authority("partner", "national", "national")
    assert not coopstats.is_authority("rtes_member", "none", "inconnue")
    assert not coopstats.is_authority("ptce_pole", "commune", "commune")


@pytest.mark.parametrize(("by", "ra", "lr"), [("region_2012", "82", "91"), ("region", "84", "76")])
def test_by_region_computed_by_hand(ds, by, ra, lr):
    rep = coopstats.report(ds.relations, ds.levels, by)
    t = rep.table.set_index("code")
    assert list(rep.table.columns) == coopstats.COLUMNS
    assert t.at[ra, "relations"] == 8  # rel-1…7 and rel-9, once each although both ends are there
    assert t.at[ra, "collectivites"] == 4
    assert t.at[ra, "euros"] == 1_025_000 and t.at[ra, "euros_environ"] == 20_000
    assert t.at[ra, "autres_montants"] == ""
    assert t.at[lr, "relations"] == 1 and t.at[lr, "collectivites"] == 1
    assert t.at[lr, "euros"] == 0 and t.at[lr, "autres_montants"] == "3 ans"
    # every région of the system listed, 0 when none; the national total last
    regions = set(ds.levels[coopstats.LEVEL[by]]["code"])
    assert set(t.index) == regions | {"FR"}
    assert all(t.at[c, "relations"] == 0 for c in regions - {ra, lr})
    assert rep.table.iloc[0]["code"] == ra and rep.table.iloc[-1]["code"] == "FR"
    fr = t.loc["FR"]
    assert (fr["nom"], fr["relations"], fr["collectivites"]) == ("France entière", 10, 5)
    assert (fr["euros"], fr["euros_environ"], fr["autres_montants"]) == (1_025_000, 20_000, "3 ans")
    assert rep.national_ends == 2 and rep.nowhere == 1
    assert rep.notes()[0].startswith("2 relation(s) ont une extrémité de portée nationale")


def test_other_units_are_listed_not_added_up(ds):
    rel = ds.relations.copy()
    rel.loc[rel["id"] == "rel-9", ["amount", "unit", "amount_kind"]] = [2.0, "ans", "approx"]
    euros, approx, other = coopstats.amounts(rel)
    assert (euros, approx) == (1_025_000, 20_000)
    # 3 years (exact) and 2 years (approximate) are two durations, not « 5 years »
    assert other == "environ 2 ans ; 3 ans"


def test_no_relation_gives_zeros_everywhere(ds):
    rep = coopstats.report(ds.relations.iloc[0:0], ds.levels, "region_2012")
    assert (rep.table["relations"] == 0).all() and (rep.table["euros"] == 0).all()
    assert rep.national_ends == 0 and rep.nowhere == 0


def test_cli_stats_of_relations_json_csv_markdown(coop_dir):
    r = runner.invoke(app, ["stats", "--what", "relations", "--format", "json", "--data-dir", str(coop_dir)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    rows = {x["code"]: x for x in doc["table"]}
    assert rows["82"]["relations"] == 8 and rows["FR"]["euros"] == 1_025_000
    assert doc["relations_de_portee_nationale"] == 2
    r = runner.invoke(app, ["stats", "--what", "relations", "--by", "region", "--data-dir", str(coop_dir)])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == ",".join(coopstats.COLUMNS)
    assert "84,Auvergne-Rhône-Alpes,8,4,1025000,20000," in lines
    r = runner.invoke(app, ["stats", "--what", "relations", "--format", "markdown", "--data-dir", str(coop_dir)])
    assert r.exit_code == 0, r.output
    assert "| Code | Région | Relations |" in r.stdout and "| 1 025 000 |" in r.stdout.replace("\u202f", " ")


def test_cli_stats_refuses_in_french(coop_dir):
    r = runner.invoke(app, ["stats", "--what", "relations", "--by", "departement", "--data-dir", str(coop_dir)])
    assert r.exit_code == 1 and "Regroupement impossible" in r.output
    r = runner.invoke(app, ["stats", "--what", "liens", "--data-dir", str(coop_dir)])
    assert r.exit_code == 1 and "Statistiques inconnues" in r.output


def test_cli_stats_default_is_unchanged(coop_dir):
    r = runner.invoke(app, ["stats", "--data-dir", str(coop_dir)])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0].startswith("code,nom,")
    assert "relations" not in r.stdout.splitlines()[0]


@pytest.mark.realdata
def test_rhone_alpes_cooperates_in_the_real_data(real_store):
    ds = load_dataset()
    t = coopstats.report(ds.relations, ds.levels, "region_2012").table.set_index("code")
    assert t.at["82", "relations"] > 0 and t.at["82", "collectivites"] > 0
    assert t.at["82", "euros"] >= 1_000_000  # the Région's capital in Transméa
    assert t.at["FR", "relations"] == len(ds.relations)
    today = coopstats.report(ds.relations, ds.levels, "region").table.set_index("code")
    assert today.at["84", "relations"] >= t.at["82", "relations"]


def test_the_statistiques_page_shows_cooperation_by_region_following_the_selection(coop_dir, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        from territoires.ui import statistiques

        statistiques.render()

    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(coop_dir))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_function(page, default_timeout=120).run()
    assert not at.exception, at.exception
    assert "Coopérations par région" in [s.value for s in at.header]

    def coop() -> object:
        return next(d.value for d in at.dataframe if "Collectivités engagées" in d.value.columns)

    t = coop().set_index("Code")
    assert t.at["82", "Relations"] == 8 and t.at["FR", "Relations"] == 10
    n_all = len(t)
    at.multiselect(key="f_regions").set_value(["91"]).run()
    assert not at.exception, at.exception
    assert list(coop()["Code"]) == ["91", "FR"] and n_all > 2
    at.radio(key="s_by").set_value("region").run()  # today's régions: Languedoc-Roussillon is in Occitanie
    assert not at.exception, at.exception
    assert list(coop()["Code"]) == ["76", "FR"]
