"""Statistics against a small synthetic case computed by hand.

Synthetic store (tests/synthetic.py): population by département 01 = 1000+…+9000 = 45 000
(région of 2012: 82, today 84), 2A = 500 (94/94), 66 = 4 × 100 = 400 (91/76),
75 = 2 100 000 (11/11); France = 2 145 900.
Poles: two in communes of Ain (01003, 01005), one in 66001, one placed only in
Rhône-Alpes (82).
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from territoires import charts, fmt, stats
from territoires.cli import app
from territoires.dataset import load_dataset

from synthetic import ROWS, row, write_registry

runner = CliRunner()
FRANCE = 2_145_900

POLES = [
    row(id="p1", kind="ptce_pole", name="Pôle 1", level="commune", code="01003", precision="commune"),
    row(id="p2", kind="ptce_pole", name="Pôle 2", level="commune", code="01005", precision="commune"),
    row(id="p3", kind="ptce_pole", name="Pôle 3", level="commune", code="66001", precision="commune"),
    row(id="p4", kind="ptce_pole", name="Pôle 4", level="region_2012", code="82", precision="region"),
]


@pytest.fixture
def ds(store_dir):
    base_rows = [r for r in ROWS if r["kind"] != "ptce_pole"]
    write_registry(store_dir, base_rows + POLES)
    return load_dataset(store_dir)


def test_counts_share_density_and_location_quotient_by_region_2012(ds):
    terr = stats.territories(ds.levels, "region_2012")
    t = stats.density_table(ds.placed, terr, "ptce_pole").set_index("code")
    assert list(t.index[:2]) == ["82", "91"]  # sorted by count
    assert t.at["82", "count"] == 3 and t.at["91", "count"] == 1 and t.at["11", "count"] == 0
    assert t.at["82", "population"] == 45_000
    assert math.isclose(t.at["82", "share"], 0.75)
    assert math.isclose(t.at["82", "per_million"], 3 / 45_000 * 1e6)
    assert math.isclose(t.at["91", "per_million"], 2500.0)
    assert math.isclose(t.at["82", "location_quotient"], 0.75 / (45_000 / FRANCE))
    assert math.isclose(t.at["91", "location_quotient"], 0.25 / (400 / FRANCE))
    assert math.isclose(t.at["82", "per_10k_km2"], 3 / t.at["82", "area_km2"] * 1e4)
    assert list(t.reset_index().columns) == stats.COLUMNS_ONE_KIND


def test_concentration(ds):
    terr = stats.territories(ds.levels, "region_2012")
    c = stats.concentration(stats.density_table(ds.placed, terr, "ptce_pole"), "ptce_pole", "region_2012")
    assert c.total == 4
    assert c.leaders == ["Rhône-Alpes"] and c.leader_count == 3
    assert math.isclose(c.herfindahl, 0.75**2 + 0.25**2)
    assert math.isclose(c.gini, 0.625)  # counts [0, 0, 1, 3]: Σ|xi−xj| = 20, 2·n²·mean = 32


def test_gini_and_herfindahl_edge_cases():
    assert math.isclose(stats.gini(pd.Series([2, 2, 2])), 0.0)
    assert math.isclose(stats.herfindahl(pd.Series([1, 1, 1, 1])), 0.25)
    assert math.isnan(stats.herfindahl(pd.Series([0, 0])))


def test_region_level_actor_is_not_counted_by_departement(ds):
    terr = stats.territories(ds.levels, "departement")
    t = stats.density_table(ds.placed, terr, "ptce_pole").set_index("code")
    assert t.at["01", "count"] == 2 and t.at["66", "count"] == 1
    assert t["count"].sum() == 3
    left = stats.unattributed(ds.placed, "departement", ["ptce_pole"])
    assert list(left["id"]) == ["p4"]


def test_todays_regions(ds):
    terr = stats.territories(ds.levels, "region")
    t = stats.density_table(ds.placed, terr, "ptce_pole").set_index("code")
    assert t.at["84", "count"] == 3  # Rhône-Alpes (82) lies wholly in Auvergne-Rhône-Alpes
    assert t.at["76", "count"] == 1


def test_coverage_inherits_and_never_double_counts(ds):
    terr = stats.territories(ds.levels, "region_2012")
    cov = stats.coverage(ds.placed, ds.registry.perimeters, terr).set_index("code")
    # Région 82 is a member: all of Ain, once, although 01008, 01004 and Bugey are members too.
    assert cov.at["82", "covered_population"] == 45_000
    assert math.isclose(cov.at["82", "covered_population_share"], 1.0)
    assert cov.at["94", "covered_population"] == 500  # Saint-Martin (2A004)
    assert cov.at["91", "covered_population"] == 0
    assert cov.at["82", "members"] == 5  # région, département, EPCI, 2 communes
    assert cov.at["82", "members_commune"] == 2


def test_coverage_without_the_region_sums_distinct_communes(store_dir):
    rows = [r for r in ROWS if r["id"] not in ("m-reg-82", "m-dep-01", "ptce-x")]
    write_registry(store_dir, rows)
    d = load_dataset(store_dir)
    cov = stats.coverage(d.placed, d.registry.perimeters, stats.territories(d.levels, "region_2012"))
    cov = cov.set_index("code")
    # 01008 (8 000) + 01004 (4 000) + Bugey 2012 = 01001 (1 000) + Lompnes (01010, a commune of 2012
    # now in 01009: half of its 9 000 people by area, not Hauteville's half); board member adds nothing
    assert cov.at["82", "covered_population"] == 17_500


def test_figures_stand_apart(ds):
    f = stats.figures(ds.placed)
    assert list(f["id"]) == ["rf-x"]
    assert f.at[0, "nature"].startswith("chiffre donné par la lettre")
    terr = stats.territories(ds.levels, "region_2012")
    assert "regional_figure" not in stats.multi_kind_table(ds.placed, terr, ["ptce_pole"]).columns


def test_multi_kind_table(ds):
    terr = stats.territories(ds.levels, "region_2012")
    t = stats.multi_kind_table(ds.placed, terr, ["ptce_pole", "rtes_member"])
    assert list(t.columns) == ["code", "nom", "ptce_pole", "rtes_member", "population", "area_km2"]
    assert t.iloc[0]["code"] == "82"


def test_cli_formats(ds, store_dir):
    res = runner.invoke(
        app, ["stats", "--by", "region_2012", "--kind", "ptce_pole", "--format", "csv", "--data-dir", str(store_dir)]
    )
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()
    assert lines[0] == ",".join(stats.COLUMNS_ONE_KIND)
    assert lines[1].startswith("82,Rhône-Alpes,3,")
    assert "Millésime" in res.stderr
    res = runner.invoke(app, ["stats", "--kind", "ptce_pole", "--format", "json", "--data-dir", str(store_dir)])
    data = json.loads(res.stdout)
    assert data["table"][0]["code"] == "82"
    assert data["concentration"][0]["leaders"] == ["Rhône-Alpes"]
    assert data["chiffres_de_la_lettre"][0]["value"] == 150
    assert data["chiffres_de_la_lettre"][0]["reading"]
    res = runner.invoke(app, ["stats", "--kind", "ptce_pole", "--format", "markdown", "--data-dir", str(store_dir)])
    assert "| 82 | Rhône-Alpes | 3 |" in res.stdout
    assert "75,0\u00a0%" in res.stdout
    assert "Chiffres donnés par la lettre" in res.stdout
    res = runner.invoke(app, ["stats", "--kind", "ptce_pole", "--kind", "ples", "--data-dir", str(store_dir)])
    assert res.stdout.splitlines()[0] == "code,nom,ptce_pole,ples,population,area_km2"


def test_cli_unknown_kind_fails_in_french(store_dir):
    res = runner.invoke(app, ["stats", "--kind", "regional_figure", "--data-dir", str(store_dir)])
    assert res.exit_code == 1
    assert "Type d'acteur inconnu" in res.output


@pytest.mark.parametrize("method", list(charts.METHODS))
def test_classify(method):
    values = pd.Series([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, float("nan")])
    c = charts.classify(values, method, k=5)
    assert len(c.bins) == len(c.labels) == len(c.colors) == 5
    assert c.classes[-1] == -1  # missing value
    assert c.bins[-1] == 9
    assert (pd.Series(c.classes[:-1]).diff().dropna() >= 0).all()  # monotone
    assert c.labels[0].startswith("0")


def test_classify_equal_interval_by_hand():
    c = charts.classify([0, 10, 20, 30, 40], "equal_interval", k=4)
    assert c.bins == [10, 20, 30, 40]
    # Each class from the smallest to the largest value it holds: no bound shared by two labels.
    assert c.labels == ["0 – 10", "20", "30", "40"]
    assert list(c.classes) == [0, 0, 1, 2, 3]


def test_ranking_chart_highlights_the_leader():
    spec = charts.ranking_chart(pd.DataFrame({"nom": ["A", "B"], "count": [3, 1]}), title="Pôles").to_dict()
    assert spec["layer"][0]["mark"]["type"] == "bar"  # bars, then their values as text
    values = next(iter(spec["datasets"].values()))
    assert [v["en_tete"] for v in values] == [True, False]


def test_french_formats():
    assert fmt.number(1234567.891, 1) == "1\u202f234\u202f567,9"
    assert fmt.percent(0.8) == "80,0\u00a0%"
    assert fmt.date("2012-06-25") == "25 juin 2012"
    assert fmt.date("2012-07-01") == "1er juillet 2012"
    assert fmt.date("2012-04") == "avril 2012"
    assert fmt.number(None) == "–"


# ------------------------------------------------------------------ labelled figures (issue 15)
def _figure_records() -> pd.DataFrame:
    """Joined records with the registry's ``figures`` column: two figures for one, one for another."""
    transmea = [
        {
            "label": "emplois sauvegardés",
            "value": 332,
            "unit": "emplois",
            "text": "332 emplois sauvegardés par 27 reprises depuis 2007",
            "quote": "ce qui correspond à 332 emplois sauvegardés",
        },
        {"label": "reprises", "value": 250, "value_max": 300, "kind": "range", "status": "planned"},
    ]
    culture = [
        {
            "label": "structures culturelles",
            "value": 15,
            "kind": "approx",
            "text": "une quinzaine d'associations et d'entreprises coopératives culturelles",
        }
    ]
    base = {"level": "region_2012", "precision": "region", "source_section": "Dossier", "status": None}
    rows = [
        {
            **base,
            "id": "rf-t",
            "kind": "regional_figure",
            "name": "Transméa",
            "code": "31",
            "reg_2012": "31",
            "figures": json.dumps(transmea, ensure_ascii=False),
            "source_quote": "27 projets de reprise",
        },
        {
            **base,
            "id": "rf-c",
            "kind": "regional_figure",
            "name": "Culture et Coopération",
            "code": "52",
            "reg_2012": "52",
            "figures": json.dumps(culture, ensure_ascii=False),
            "source_quote": "une quinzaine",
        },
        {
            **base,
            "id": "rf-0",
            "kind": "regional_figure",
            "name": "Sans chiffre",
            "code": "11",
            "reg_2012": "11",
            "figures": None,
            "source_quote": "rien",
        },
        {
            **base,
            "id": "p",
            "kind": "ptce_pole",
            "name": "Pôle",
            "code": "31",
            "reg_2012": "31",
            "figures": json.dumps([{"label": "emplois", "value": 40}]),
            "source_quote": "pôle",
        },
    ]
    return pd.DataFrame(rows)


def test_figures_one_row_per_figure_with_its_reading_and_quote():
    f = stats.figures(_figure_records())
    assert list(f.columns) == stats.FIGURE_COLUMNS
    assert list(f["id"]) == ["rf-t", "rf-t", "rf-c"]  # a pole's figures are not the newsletter's regional ones
    assert list(f["reading"]) == [
        "332 emplois sauvegardés par 27 reprises depuis 2007",
        "reprises : de 250 à 300 — prévu",
        "une quinzaine d'associations et d'entreprises coopératives culturelles",
    ]
    assert list(f["label"]) == ["emplois sauvegardés", "reprises", "structures culturelles"]
    # the figure's own quote, else the record's
    assert list(f["quote"]) == ["ce qui correspond à 332 emplois sauvegardés", "27 projets de reprise", "une quinzaine"]
    assert list(f["status"]) == ["", "prévu", ""]
    assert f["nature"].str.startswith("chiffre donné par la lettre").all()
    assert stats.figures(_figure_records().iloc[2:3]).empty  # no figure, no row


def test_report_writes_the_readings():
    f = stats.figures(_figure_records())
    rep = stats.Report("region_2012", [], pd.DataFrame({"code": ["31"]}), [], pd.DataFrame(columns=["name"]), f, "v")
    md = rep.to_markdown()
    assert "- 332 emplois sauvegardés par 27 reprises depuis 2007 (31)" in md
    assert "- reprises : de 250 à 300 — prévu (31)" in md
    assert "[{" not in md and '"label"' not in md  # never the raw JSON
    data = json.loads(rep.to_json())
    assert [d["reading"] for d in data["chiffres_de_la_lettre"]][:2] == list(f["reading"])[:2]
    assert data["chiffres_de_la_lettre"][0]["value"] == 332
