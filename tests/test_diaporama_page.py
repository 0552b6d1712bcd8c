"""The « Diaporama » page under Streamlit's AppTest: every change saved at once to the file store,
a stale save refused, a corrupt file reported in French (and left alone), hostile text shown as text."""

from __future__ import annotations

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from territoires.storyboard import FileStoryboards, Slide, Storyboard

NAME = "rencontre-nationale"
HOSTILE = "{{7*7}}<script>window.__pwned=1</script>"


def _page(signed_in: bool) -> None:
    from territoires.ui import diaporama, staff

    if signed_in:  # a signed-in staff member's session (the sign-in itself is tested in test_staff)
        staff.panel = lambda: "alice"
    diaporama.render()


def _present() -> None:
    from territoires.ui import carte

    carte.render()


@pytest.fixture
def boards(app_dir, monkeypatch):
    """The data dir's storyboards: a small default one of two slides."""
    from territoires.ui import staff

    monkeypatch.setattr(staff, "panel", staff.panel)  # restored after the test
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(app_dir))
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    store = FileStoryboards(app_dir / "storyboards")
    sb = Storyboard(
        title="Rencontre d'essai",
        slides=[
            Slide(title="La France", figure="88 adhérents", view="acteurs=-"),
            Slide(title="Gex", fiche="commune:01008"),
        ],
    )
    store.save(NAME, sb, expected=None)
    return store


def run(signed_in: bool = True, query: dict | None = None, fn=_page) -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_function(fn, args=(signed_in,) if fn is _page else (), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def texts(at: AppTest) -> str:
    return "\n".join(t.value for t in at.text)


def titles(store: FileStoryboards) -> list[str]:
    return [s.title for s in store.load(NAME)[0].slides]


def button(at: AppTest, label: str, n: int = 0):
    return [b for b in at.button if b.label == label][n]


def test_add_move_edit_delete_each_saved_at_once(boards):
    at = run(query={"region": "82", "acteurs": "ptce_pole"})
    assert not at.exception, at.exception
    assert at.selectbox(key="sb_name").value == NAME
    # Add the current view (its title defaults to the map's).
    form_title = next(t for t in at.text_input if t.label == "Titre de la diapositive")
    assert "Rhône-Alpes" in form_title.value or "82" in form_title.value
    form_title.set_value("Les pôles de Rhône-Alpes")
    button(at, "Ajouter cette vue").click().run()
    assert not at.exception, at.exception
    assert titles(boards) == ["La France", "Gex", "Les pôles de Rhône-Alpes"]
    added = boards.load(NAME)[0].slides[-1]
    assert "region=82" in added.view and "acteurs=ptce_pole" in added.view and "presentation" not in added.view
    # Move it up, twice.
    button(at, "Monter", 2).click().run()
    button(at, "Monter", 1).click().run()
    assert titles(boards) == ["Les pôles de Rhône-Alpes", "La France", "Gex"]
    assert button(at, "Monter", 0).disabled and button(at, "Descendre", 2).disabled
    # Edit its title, figure and notes.
    at.text_input(key=next(k for k in _keys(at, "sb_title_") if k.endswith("_0"))).set_value("Pôles témoins")
    at.text_input(key=next(k for k in _keys(at, "sb_figure_") if k.endswith("_0"))).set_value("4 pôles sur 5")
    at.text_area(key=next(k for k in _keys(at, "sb_notes_") if k.endswith("_0"))).set_value("À dire.")
    button(at, "Enregistrer", 0).click().run()
    first = boards.load(NAME)[0].slides[0]
    assert (first.title, first.figure, first.notes) == ("Pôles témoins", "4 pôles sur 5", "À dire.")
    # Delete the second slide: asked first, then confirmed.
    button(at, "Supprimer", 1).click().run()
    assert titles(boards) == ["Pôles témoins", "La France", "Gex"]  # not yet
    assert any("Supprimer cette diapositive" in w.value for w in at.warning)
    button(at, "Confirmer la suppression").click().run()
    assert titles(boards) == ["Pôles témoins", "Gex"]
    assert not at.error, [e.value for e in at.error]
    assert not at.exception


def _keys(at: AppTest, prefix: str) -> list[str]:
    return [w.key for w in [*at.text_input, *at.text_area] if w.key and w.key.startswith(prefix)]


def test_a_stale_save_is_refused_and_the_other_version_shown(boards):
    at = run()
    sb, version = boards.load(NAME)
    other = Storyboard.model_validate({**sb.model_dump(), "title": "Modifié ailleurs"})
    boards.save(NAME, other, expected=version)  # someone else, meanwhile
    saved = (boards.dir / f"{NAME}.json").read_text(encoding="utf-8")
    button(at, "Descendre", 0).click().run()
    assert not at.exception
    assert any("non enregistrée" in e.value for e in at.error)
    assert "modifié par quelqu'un d'autre" in texts(at)
    assert (boards.dir / f"{NAME}.json").read_text(encoding="utf-8") == saved  # nothing lost
    assert "Modifié ailleurs" in texts(at)  # the page shows the other version
    button(at, "Descendre", 0).click().run()  # from the version now shown: accepted
    assert titles(boards) == ["Gex", "La France"]


def test_a_corrupt_file_is_reported_in_french_and_left_alone(boards):
    path = boards.dir / f"{NAME}.json"
    path.write_text('{"format": 1, "title": "x", "slides": [{"title": ""}', encoding="utf-8")
    before = path.read_bytes()
    at = run()
    assert not at.exception, at.exception
    assert at.error and "Traceback" not in texts(at)
    assert "JSON" in texts(at) and NAME in texts(at)
    path.write_text(json.dumps({"format": 1, "title": "x", "slides": [{"title": "a", "view": "zzz=1"}]}))
    at = run()
    assert "paramètre(s) inconnu(s) : zzz" in texts(at)
    assert not at.exception
    path.write_bytes(before)
    run()
    assert path.read_bytes() == before


def test_hostile_title_is_shown_as_text(boards):
    sb, version = boards.load(NAME)
    bad = Storyboard.model_validate(
        {**sb.model_dump(), "slides": [{**sb.slides[0].model_dump(), "title": HOSTILE[:90], "figure": HOSTILE}]}
    )
    boards.save(NAME, bad, expected=version)
    at = run()
    assert not at.exception
    assert HOSTILE[:90] in texts(at)
    assert not any("7*7" in m.value or m.value == "49" for m in at.markdown)
    assert any(HOSTILE[:90] in str(df.value.values) for df in at.dataframe)


def test_visitors_see_and_present_but_do_not_edit(boards):
    at = run(signed_in=False)
    assert not at.exception
    assert not [b for b in at.button if b.label in ("Monter", "Supprimer", "Ajouter cette vue")]
    assert "./?presentation=1&diaporama=rencontre-nationale&diapo=1"[1:] in texts(at)


def test_new_storyboard(boards):
    at = run()
    at.text_input(key="sb_new_name").set_value("essai-2")
    at.text_input(key="sb_new_title").set_value("Essai")
    button(at, "Créer le diaporama").click().run()
    assert not at.exception
    assert boards.names() == ["essai-2", NAME]
    assert at.selectbox(key="sb_name").value == "essai-2"
    at.text_input(key="sb_new_name").set_value("Pas Bon")
    button(at, "Créer le diaporama").click().run()
    assert "Nom de diaporama invalide" in texts(at)


@pytest.mark.parametrize("n", ["1", "2", "9", "x"])
def test_presenting_a_slide_draws_the_map(boards, n):
    at = run(query={"presentation": "1", "diaporama": NAME, "diapo": n}, fn=_present)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.query_params["diaporama"] == NAME  # the slide's view does not overwrite the link


def test_presenting_an_unknown_storyboard_says_so(boards):
    at = run(query={"presentation": "1", "diaporama": "absent"}, fn=_present)
    assert not at.exception
    assert "Pas de diaporama « absent »" in texts(at)


def test_the_deck_is_exported_on_demand(boards):
    at = run(signed_in=False)
    assert not at.get("download_button")  # nothing built before it is asked for
    at.radio(key="sb_fmt").set_value("pdf").run()
    button(at, "Préparer l'export").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.get("download_button"), "pas de bouton de téléchargement"


def test_an_empty_title_is_refused_in_french(boards):
    at = run()
    before = (boards.dir / f"{NAME}.json").read_text(encoding="utf-8")
    at.text_input(key=next(k for k in _keys(at, "sb_title_") if k.endswith("_0"))).set_value("   ")
    button(at, "Enregistrer", 0).click().run()
    assert not at.exception
    assert "Diapositive refusée : titre." in texts(at)
    assert (boards.dir / f"{NAME}.json").read_text(encoding="utf-8") == before


def test_the_presentation_map_has_its_band_and_no_controls(app_dir):
    from territoires.dataset import load_dataset
    from territoires.state import MapState
    from territoires.webmap.compose import Banner, build_map
    from territoires.webmap.geometry import GeometryCache

    cache = GeometryCache(load_dataset(app_dir))
    html = build_map(cache, MapState(presentation=True), banner=Banner(HOSTILE[:90], HOSTILE, 2, 5)).get_root().render()
    assert '"zoomControl": false' in html and '"keyboard": false' in html
    # The band's control (its class given to Leaflet); the shared library only looks for it (terrFit).
    assert "terrFit(map_" in html and '"terr-band"' in html
    assert 'data-index=\\"2\\" data-total=\\"5\\"' in html
    assert "<script>window.__pwned" not in html and "{{7*7}}" not in html  # escaped, braces included
    plain = build_map(cache, MapState()).get_root().render()
    assert '"terr-band"' not in plain and "terrFit(map_" not in plain and '"zoomControl": true' in plain


def test_the_qr_address_is_the_public_one_and_a_local_one_is_warned_of(boards, monkeypatch):
    monkeypatch.setenv("TERRITOIRES_PUBLIC_URL", "https://territoires.exemple.fr/")
    at = run(signed_in=False)
    assert at.text_input(key="sb_qr_base").value == "https://territoires.exemple.fr"
    assert not at.warning
    assert "Lien de la présentation : https://territoires.exemple.fr/?presentation=1" in texts(at)
    monkeypatch.delenv("TERRITOIRES_PUBLIC_URL")
    at = run(signed_in=False)  # the address the visitor reached: here, none (a test) → localhost
    assert at.text_input(key="sb_qr_base").value == "http://localhost:8501"
    assert any("téléphones de la salle" in w.value for w in at.warning)
    at.text_input(key="sb_qr_base").set_value("territoires.exemple.fr").run()
    assert any("Adresse invalide" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "Préparer l'export"]  # nothing built from a bad address
    at.text_input(key="sb_qr_base").set_value("https://rtes.exemple.org").run()
    assert not at.error and not at.warning
    button(at, "Préparer l'export").click().run()
    assert not at.exception, at.exception
    assert at.get("download_button")


def test_a_wrong_storyboard_link_says_so_and_leads_on(boards):
    at = run(query={"presentation": "1", "diaporama": "ancien-nom"}, fn=_present)
    assert not at.exception
    assert [t.value for t in at.title] == ["Diaporama introuvable"]
    assert "Ce lien de présentation ne mène à aucun diaporama." in [e.value for e in at.error]
    assert "Voir les diaporamas" in [p.proto.label for p in at.get("page_link")]
    button(at, "Aller à la carte").click().run()
    assert not at.query_params.get("diaporama")
    at = run(query={"presentation": "1", "diaporama": NAME, "diapo": "99"}, fn=_present)
    assert at.query_params["diapo"] == ["2"] or at.query_params["diapo"] == "2"  # the last, and the link says so


def test_the_decks_day_is_typed_in_french_and_checked(boards):
    at = run(signed_in=False)
    at.text_input(key="sb_day").set_value("31/02/2026").run()
    assert any("Date invalide" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "Préparer l'export"]
    at.text_input(key="sb_day").set_value("08/12/2026").run()
    assert not at.error
    at.radio(key="sb_fmt").set_value("pdf").run()
    button(at, "Préparer l'export").click().run()
    assert not at.exception, at.exception
    assert at.get("download_button")
