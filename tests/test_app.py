"""Every page under Streamlit's AppTest, on the synthetic data: renders, reacts, round-trips the URL."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from territoires.settings import REPO_ROOT

PAGES = ["carte", "statistiques", "donnees", "sources"]


def _page(name: str) -> None:
    import importlib

    importlib.import_module(f"territoires.ui.{name}").render()


def run(name: str, data_dir, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(data_dir))
    st.cache_resource.clear()  # the dataset is cached per process: start from this data directory
    st.cache_data.clear()
    at = AppTest.from_function(_page, args=(name,), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def texts(at: AppTest) -> str:
    return "\n".join(t.value for t in at.text)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page, app_dir, monkeypatch):
    at = run(page, app_dir, monkeypatch)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title, "each page has a title"


def test_the_app_entry_point_runs(app_dir, monkeypatch):
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(app_dir))
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value.startswith("Carte")


def test_changing_a_filter_changes_the_records(app_dir, monkeypatch):
    at = run("donnees", app_dir, monkeypatch)
    before = texts(at)
    assert "enregistrements selon les filtres" in before
    at.checkbox(key="f_members").uncheck().run()
    at.multiselect(key="f_kinds").set_value(["ples"]).run()
    after = texts(at)
    assert after != before
    # the one PLES, and the records with no place, which the page always lists (a national figure, a member
    # whose territory is unknown)
    assert "3 enregistrements selon les filtres." in after.splitlines()
    assert sorted(at.dataframe[0].value["Nom"]) == ["PLES de Gex", "Pays flou", "Réponses"]
    assert at.query_params["acteurs"] == "ples"
    assert at.query_params["adherents"] == "0"


def test_query_parameters_round_trip(app_dir, monkeypatch):
    at = run("carte", app_dir, monkeypatch, {"region": "82", "acteurs": "ptce_pole", "annee": "2010"})
    assert at.multiselect(key="f_regions").value == ["82"]
    assert at.multiselect(key="f_kinds").value == ["ptce_pole"]
    assert at.slider(key="f_year").value == 2010
    at.slider(key="f_year").set_value(2005).run()
    assert at.query_params["annee"] == "2005"
    assert at.query_params["region"] == "82"
    assert any("region=82" in t and "annee=2005" in t for t in texts(at).splitlines())


def test_layers_panel_is_drawn_only_when_open(app_dir, monkeypatch):
    at = run("carte", app_dir, monkeypatch)
    keys = {w.key for w in at.multiselect}
    assert "f_layers" not in keys, "closed by default: its widgets are not sent"
    assert [e.label for e in at.expander].count("Couches et densité") == 1, "the panel is there, closed"


def test_a_link_with_a_layer_setting_opens_the_layers_panel(app_dir, monkeypatch):
    at = run("carte", app_dir, monkeypatch, {"couches": "epci", "annee": "2010"})
    assert at.multiselect(key="f_layers").value == ["epci"]
    # Another filter changes: the layer setting is kept, and the URL still carries it.
    at.slider(key="f_year").set_value(2008).run()
    assert at.query_params["couches"] == "epci"
    assert at.multiselect(key="f_layers").value == ["epci"]


def test_region_filter_narrows_statistics_rows(app_dir, monkeypatch):
    at = run("statistiques", app_dir, monkeypatch)
    n_all = len(at.dataframe[0].value)
    at.multiselect(key="f_regions").set_value(["82"]).run()
    assert not at.exception
    assert len(at.dataframe[0].value) < n_all
    at.selectbox(key="s_kind").set_value("ples").run()
    assert not at.exception


def test_place_search(app_dir, monkeypatch):
    at = run("carte", app_dir, monkeypatch)
    at.text_input(key="q_place").input("Gex").run()
    assert not at.exception
    body = texts(at)
    assert "Adhérents du RTES dont le territoire couvre ce lieu" in body
    names = [df.value.iloc[:, 0].tolist() for df in at.dataframe]
    assert any("Gex" in n for group in names for n in group)


def test_missing_store_gives_a_french_message(tmp_path, monkeypatch):
    for page in PAGES:
        at = run(page, tmp_path, monkeypatch)
        assert not at.exception, page
        assert any("Les données ne peuvent pas être chargées" in e.value for e in at.error), page
        assert "territoires geo build" in texts(at)


def test_the_layers_panel_stays_open_while_its_settings_change(app_dir, monkeypatch):
    at = run("carte", app_dir, monkeypatch, {"couches": "epci"})
    at.multiselect(key="f_layers").set_value(["departements"]).run()  # back to the default
    assert not at.exception, at.exception
    assert at.multiselect(key="f_layers").value == ["departements"], "still drawn: the panel stayed open"
    assert "couches" not in at.query_params


# ------------------------------------------------------------------ figures, status, places (issue 15)
FIGURES = json.dumps(
    [
        {"label": "emplois sauvegardés", "value": 332, "text": "332 emplois sauvegardés par 27 reprises depuis 2007"},
        {"label": "reprises", "value": 27, "quote": "27 projets de reprise"},
    ],
    ensure_ascii=False,
)


def figure_rows() -> list[dict[str, str]]:
    """A registry in the columns of issue 15: figures, status, places, several represented bodies."""
    from synthetic import row

    return [
        row(id="m-gex", kind="rtes_member", name="Gex", level="commune", code="01008"),
        row(id="m-ain", kind="rtes_member", name="Ain", level="departement", code="01"),
        row(
            id="ca-bv",
            kind="rtes_board_member",
            name="Bérénice Vincent",
            level="commune",
            code="01008",
            precision="commune",
            role="Administratrice",
            represents="m-gex; m-ain",
        ),
        row(
            id="rf-1",
            kind="regional_figure",
            name="Transméa",
            level="national",
            code="FR",
            precision="national",
            figures=FIGURES,
        ),
        row(
            id="p-1",
            kind="ptce_project",
            name="Projet à l'étude",
            level="commune",
            code="01005",
            precision="commune",
            status="studied",
            places="departement:2A; commune:01003",
            figures='[{"label": "emplois", "value": 40, "unit": "emplois", "kind": "min"}]',
        ),
    ]


@pytest.fixture
def figures_dir(store_dir):
    from synthetic import write_registry

    write_registry(store_dir, figure_rows())
    return store_dir


def test_donnees_table_reads_figures_status_and_places():
    from territoires.ui.donnees import table

    records = pd.DataFrame(
        [
            {
                "name": "A",
                "kind": "ptce_project",
                "level": "commune",
                "code": "01005",
                "precision": "commune",
                "figures": FIGURES,
                "status": "planned",
                "places": "departement:2A; region_2012:94",
                "perimetre_approche": True,
            },
            {
                "name": "B",
                "kind": "ples",
                "level": "commune",
                "code": "01008",
                "precision": "commune",
                "figures": None,
                "status": None,
                "places": None,
                "perimetre_approche": False,
            },
        ]
    )
    t = table(records, {"departement": {"2A": "Corse-du-Sud"}, "region_2012": {"94": "Corse"}})
    assert {"Chiffres", "Statut", "Autres lieux", "Périmètre"} <= set(t.columns)
    assert "figures" not in t.columns
    a, b = t.to_dict("records")
    assert a["Chiffres"] == "332 emplois sauvegardés par 27 reprises depuis 2007 ; reprises : 27"
    assert a["Statut"] == "prévu" and a["Autres lieux"] == "Corse-du-Sud ; Corse" and a["Périmètre"] == "approché"
    assert b["Chiffres"] == b["Statut"] == b["Autres lieux"] == b["Périmètre"] == ""
    # an older registry, without the new columns, still shows
    old = table(records.drop(columns=["figures", "status", "places", "perimetre_approche"]), {})
    assert "Chiffres" in old.columns and "Périmètre" not in old.columns


def test_donnees_and_statistiques_pages_show_readings_never_json(figures_dir, monkeypatch):
    at = run("donnees", figures_dir, monkeypatch)
    assert not at.exception, at.exception
    df = at.dataframe[0].value.set_index("Nom")
    assert {"Chiffres", "Statut", "Autres lieux"} <= set(df.columns)
    assert df.at["Projet à l'étude", "Chiffres"] == "emplois : plus de 40 emplois"
    assert df.at["Projet à l'étude", "Statut"] == "à l'étude"
    assert df.at["Projet à l'étude", "Autres lieux"] == "Corse-du-Sud ; Saint-Martin"
    assert df.at["Transméa", "Chiffres"].startswith("332 emplois sauvegardés par 27 reprises depuis 2007 ; ")
    assert not df.astype(str).apply(lambda c: c.str.contains('"label"')).any().any()
    at = run("statistiques", figures_dir, monkeypatch)
    assert not at.exception, at.exception
    (fig,) = [d.value for d in at.dataframe if "Ce que dit la lettre" in d.value.columns]
    assert list(fig.columns) == ["Territoire", "Ce qui est compté", "Ce que dit la lettre", "Citation"]
    assert list(fig["Ce que dit la lettre"]) == ["332 emplois sauvegardés par 27 reprises depuis 2007", "reprises : 27"]
    assert list(fig["Territoire"]) == ["France entière"] * 2
    assert fig["Citation"].iloc[1] == "27 projets de reprise"
