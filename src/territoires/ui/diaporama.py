"""Diaporama: the storyboards of the national meeting — choose, reorder, edit, present.

Every change is saved at once, through the store, with the version the visitor was looking at:
if someone else saved in between, the store refuses it (French message) and the page shows the
other version. Editing is the staff's (as imports are); viewing and presenting are everyone's.
The presentation itself is the map page with ``?presentation=1&diaporama=<nom>&diapo=<n>``
(:func:`present`).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from territoires import selection
from territoires.dataset import Dataset
from territoires.errors import TerritoiresError
from territoires.fiche import territory
from territoires.fiche_view import map_state
from territoires.settings import data_dir, database_url
from territoires.state import FICHE_LEVELS, MapState, parse_fiche_key
from territoires.storyboard import (
    DEFAULT_NAME,
    Slide,
    Storyboard,
    StoryboardError,
    StoryboardStore,
    open_storyboards,
    view_of,
)
from territoires.storyboard import check_name as _check_name
from territoires.styles import STAT_LABELS
from territoires.ui import deck_export, mapframe, staff
from territoires.ui.common import current_state, dataset, guarded, show_error, sidebar_filters

URL_PATH = "diaporama"
NAME_PARAM = "diaporama"  # the storyboard presented
SLIDE_PARAM = "diapo"  # its slide, from 1
ERROR_KEY = "sb_error"  # a message left by a callback, shown by the next draw
# Presentation: Streamlit's chrome hidden, the map's frame fixed to the whole viewport. Constant CSS
# (no data); the frame is found by the keyed container around it, not by its title (translated).
PRESENTATION_CSS = """<style>
header[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stToolbar"], [data-testid="stDecoration"] {
  display: none !important; }
[data-testid="stMainBlockContainer"], [data-testid="stMain"] { padding: 0 !important; max-width: none !important; }
.st-key-terr-presentation iframe { position: fixed !important; top: 0 !important; left: 0 !important;
  width: 100vw !important; height: 100vh !important; border: 0 !important; z-index: 999990; background: #fff; }
</style>"""


@st.cache_resource(show_spinner=False)
def _store(base: str, url: str | None) -> StoryboardStore:
    # Keyed by where the storyboards live: one SQL engine (connection pool) per process, not per run.
    return open_storyboards(url=url) if url else open_storyboards()


def store() -> StoryboardStore:
    """This deployment's storyboards (files, or PostgreSQL), opened once per process."""
    return _store(str(data_dir()), database_url())


def page() -> st.Page:
    """The page for ``st.navigation``."""
    return st.Page(guarded(render), title="Diaporama", icon=":material/slideshow:", url_path=URL_PATH)


def presentation_map(state: MapState, banner=None) -> None:
    """The map of ``state`` over the whole viewport (presentation mode), with a slide's ``banner``."""
    st.html(PRESENTATION_CSS)
    with st.container(key="terr-presentation"):
        mapframe.draw(state, height=860, banner=banner)


def present_params(name: str, n: int = 1) -> dict[str, str]:
    """The map page's query that presents storyboard ``name`` from slide ``n``."""
    return {"presentation": "1", NAME_PARAM: name, SLIDE_PARAM: str(n)}


def present_link(name: str, n: int = 1) -> str:
    """The presentation of storyboard ``name`` from slide ``n`` (relative: works under a base path)."""
    return "./?" + urlencode(present_params(name, n))


def _map_page() -> st.Page:
    """The map page, where presentations are drawn (links open in the same tab, unlike link buttons)."""
    from territoires.ui.pages import all_pages  # at call time: the page list imports this module

    return all_pages()[0]


# --------------------------------------------------------------------------- presenting
def slide_state(ds: Dataset, slide: Slide) -> MapState:
    """The map a slide shows: its view, or its fiche's map (:func:`territoires.fiche_view.map_state`)."""
    if not slide.fiche:
        return slide.state
    return replace(map_state(ds, *(parse_fiche_key(slide.fiche) or ("", ""))), presentation=True)


def _slide_number(raw: str | None, total: int) -> int:
    try:
        n = int(str(raw or "1")[:4])
    except ValueError:
        n = 1
    return min(max(n, 1), total)


def present() -> None:
    """One slide of a storyboard, full screen; the page's keyboard script steps through them."""
    from territoires.webmap.compose import Banner

    ds = dataset()
    if ds is None:
        return
    try:
        name = _check_name(str(st.query_params.get(NAME_PARAM, "")))
        sb, _ = store().load(name)
    except StoryboardError as exc:  # a wrong or old link: say so, and the ways on (in this tab)
        st.title("Diaporama introuvable", anchor=False)
        show_error(exc, "Ce lien de présentation ne mène à aucun diaporama.")
        st.page_link(page(), label="Voir les diaporamas", icon=":material/slideshow:")
        st.button("Aller à la carte", icon=":material/map:", on_click=st.query_params.clear)
        return
    n = _slide_number(st.query_params.get(SLIDE_PARAM), len(sb.slides))
    if st.query_params.get(SLIDE_PARAM) != str(n):  # diapo=99 of 5: the link says which slide is shown
        st.query_params[SLIDE_PARAM] = str(n)
    slide = sb.slides[n - 1]
    try:
        state = slide_state(ds, slide)
    except TerritoiresError as exc:  # a fiche slide whose territory is not in this data
        st.title(slide.title, anchor=False)
        show_error(exc, "Cette diapositive montre un territoire inconnu de ces données.")
        return
    banner = Banner(slide.title, slide.figure, n, len(sb.slides))
    presentation_map(state, banner)


# --------------------------------------------------------------------------- editing
def _fail(exc: TerritoiresError) -> None:
    st.session_state[ERROR_KEY] = exc.message


def _save(name: str, version: str, change) -> None:
    """Apply ``change`` (Storyboard → Storyboard) to the stored storyboard, saved against ``version``."""
    try:
        sb, _ = store().load(name)
        store().save(name, change(sb), expected=version)
    except StoryboardError as exc:
        _fail(exc)
    except ValidationError as exc:  # an empty title, a line break in the key figure
        _fail(_refused(exc))


FIELDS_FR = {"title": "titre", "figure": "chiffre clé", "notes": "notes", "view": "vue", "fiche": "fiche"}


def _refused(exc: ValidationError) -> StoryboardError:
    """Pydantic's refusal, in French: which fields, and the rules they break."""
    fields = sorted({FIELDS_FR.get(str(e["loc"][-1]), str(e["loc"][-1])) for e in exc.errors()})
    return StoryboardError(
        f"Diapositive refusée : {', '.join(fields)}.",
        todo="un titre (90 caractères au plus) et un chiffre clé (160 au plus), chacun sur une ligne.",
    )


def _with_slides(sb: Storyboard, slides: list[Slide]) -> Storyboard:
    return Storyboard.model_validate({**sb.model_dump(), "slides": [s.model_dump() for s in slides]})


def _move(name: str, version: str, i: int, step: int) -> None:
    def change(sb: Storyboard) -> Storyboard:
        slides = list(sb.slides)
        j = min(max(i + step, 0), len(slides) - 1)
        slides[i], slides[j] = slides[j], slides[i]
        return _with_slides(sb, slides)

    _save(name, version, change)


def _edit(name: str, version: str, i: int) -> None:
    ss = st.session_state
    fields = {f: ss.get(f"sb_{f}_{version}_{i}", "") for f in ("title", "figure", "notes")}

    def change(sb: Storyboard) -> Storyboard:
        slides = list(sb.slides)
        slides[i] = Slide.model_validate({**slides[i].model_dump(), **fields})
        return _with_slides(sb, slides)

    _save(name, version, change)


def _delete(name: str, version: str, i: int) -> None:
    st.session_state.pop("sb_confirm", None)

    def change(sb: Storyboard) -> Storyboard:
        if len(sb.slides) <= 1:
            raise StoryboardError("Un diaporama garde au moins une diapositive : celle-ci ne peut être supprimée.")
        return _with_slides(sb, [s for k, s in enumerate(sb.slides) if k != i])

    _save(name, version, change)


def _add(name: str, version: str, view: str) -> None:
    ss = st.session_state
    title, figure = ss.get(f"sb_add_title_{version}", ""), ss.get(f"sb_add_figure_{version}", "")
    _save(name, version, lambda sb: _with_slides(sb, [*sb.slides, Slide(title=title, figure=figure, view=view)]))


def _create(view: str, default_title: str) -> None:
    ss = st.session_state
    try:
        name = _check_name(str(ss.get("sb_new_name", "")).strip())
        if name in store().names():
            raise StoryboardError(f"Un diaporama « {name} » existe déjà.", todo="choisir un autre nom.")
        sb = Storyboard(
            title=str(ss.get("sb_new_title", "")).strip() or name,
            slides=[Slide(title=default_title[:90], view=view)],
        )
        store().save(name, sb, expected=None)
        ss["sb_name"] = name
    except StoryboardError as exc:
        _fail(exc)
    except ValidationError as exc:
        _fail(_refused(exc))


def describe(ds: Dataset, slide: Slide) -> str:
    """A slide's view in words."""
    if slide.fiche:
        level, code = parse_fiche_key(slide.fiche) or ("", "")
        try:
            name = territory(ds, level, code).name
        except TerritoiresError:  # a territory these data do not hold: its code, as written
            name = code
        return f"Fiche du territoire : {name} ({FICHE_LEVELS.get(level, level).lower()} {code})"
    s = slide.state
    words = selection.title_for(s, ds)
    if s.statistic:
        words += f" ; aplat : {STAT_LABELS.get(s.statistic, s.statistic)}"
    if s.place:
        words += f" ; lieu : {s.place.partition(':')[2]}"
    return words


def _choose() -> str | None:
    names = store().names()
    if not names:
        st.info("Aucun diaporama pour l'instant.")
        return None
    wanted = st.session_state.get("sb_name") or st.query_params.get(NAME_PARAM) or DEFAULT_NAME
    if st.session_state.get("sb_name") not in names:
        st.session_state["sb_name"] = wanted if wanted in names else names[0]
    # The names, not the titles: a title edited by someone else must not change the choice under the
    # visitor's feet (Streamlit keeps a choice by its label). The title is shown just below.
    return st.selectbox("Diaporama (nom du lien)", names, key="sb_name")


def _slide_controls(name: str, version: str, sb: Storyboard, i: int) -> None:
    slide, last = sb.slides[i], len(sb.slides) - 1
    up, down, delete = st.columns(3)
    up.button("Monter", key=f"sb_up_{version}_{i}", on_click=_move, args=(name, version, i, -1), disabled=i == 0)
    down.button(
        "Descendre", key=f"sb_down_{version}_{i}", on_click=_move, args=(name, version, i, 1), disabled=i == last
    )
    if delete.button("Supprimer", key=f"sb_del_{version}_{i}"):
        st.session_state["sb_confirm"] = (name, version, i)
    if st.session_state.get("sb_confirm") == (name, version, i):
        st.warning("Supprimer cette diapositive ? Elle sera retirée du diaporama pour tout le monde.")
        yes, no = st.columns(2)
        yes.button("Confirmer la suppression", key=f"sb_yes_{version}_{i}", on_click=_delete, args=(name, version, i))
        no.button("Annuler", key=f"sb_no_{version}_{i}", on_click=st.session_state.pop, args=("sb_confirm", None))
    with st.expander("Modifier"), st.form(f"sb_form_{version}_{i}"):
        st.text_input("Titre", value=slide.title, max_chars=90, key=f"sb_title_{version}_{i}")
        st.text_input("Chiffre clé", value=slide.figure, max_chars=160, key=f"sb_figure_{version}_{i}")
        st.text_area("Notes de l'orateur", value=slide.notes, max_chars=5000, key=f"sb_notes_{version}_{i}")
        st.form_submit_button("Enregistrer", on_click=_edit, args=(name, version, i))


def _slides(ds: Dataset, name: str, version: str, sb: Storyboard, editing: bool) -> None:
    rows = [
        {"N°": k + 1, "Titre": s.title, "Chiffre clé": s.figure, "Vue": describe(ds, s)}
        for k, s in enumerate(sb.slides)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    for i, slide in enumerate(sb.slides):
        with st.container(border=True):
            st.text(f"{i + 1}. {slide.title}")
            if slide.figure:
                st.text(slide.figure)
            st.page_link(_map_page(), label="Présenter à partir d'ici", query_params=present_params(name, i + 1))
            if editing:
                _slide_controls(name, version, sb, i)


def _add_form(ds: Dataset, name: str, version: str) -> None:
    state = current_state()
    st.header("Ajouter cette vue")
    title = selection.title_for(state, ds)
    st.text(f"La vue actuelle de la carte (filtres de la barre latérale) : {title}")
    with st.form(f"sb_add_{version}"):
        st.text_input("Titre de la diapositive", value=title[:90], max_chars=90, key=f"sb_add_title_{version}")
        st.text_input("Chiffre clé", max_chars=160, key=f"sb_add_figure_{version}")
        st.form_submit_button("Ajouter cette vue", on_click=_add, args=(name, version, view_of(state)))


def _new_form(ds: Dataset) -> None:
    state = current_state()
    st.header("Nouveau diaporama")
    with st.form("sb_new", clear_on_submit=True):
        st.text_input("Nom (lettres minuscules, chiffres, tirets)", max_chars=63, key="sb_new_name")
        st.text_input("Titre", max_chars=120, key="sb_new_title")
        st.form_submit_button(
            "Créer le diaporama", on_click=_create, args=(view_of(state), selection.title_for(state, ds))
        )


def render() -> None:
    """Draw the page (or, from a presentation's link that names this page, the slide)."""
    if st.query_params.get(NAME_PARAM) and st.query_params.get("presentation") == "1":
        present()  # « Présenter » links lead here as well as to the map's page: both present
        return
    ds = dataset()
    if ds is None:
        return
    st.title("Diaporama")
    st.caption(
        "Les vues de la rencontre nationale : choisissez un diaporama, présentez-le en plein écran "
        "(flèches ← →, Page précédente / suivante ; Échap pour sortir)."
    )
    sidebar_filters(ds)  # « Ajouter cette vue » adds the map's view as these filters hold it
    main, bottom = st.container(), st.container()
    with bottom:  # drawn last on the page, asked first: who may edit
        editing = staff.panel() is not None
    with main:
        _main(ds, editing)
    if editing:
        _new_form(ds)


def _main(ds: Dataset, editing: bool) -> None:
    if (message := st.session_state.pop(ERROR_KEY, None)) is not None:
        st.error("Modification non enregistrée.")
        st.text(message)
    name = _choose()
    if name is None:
        return
    try:
        sb, version = store().load(name)
    except StoryboardError as exc:
        show_error(exc)
        return
    st.text(f"Titre : {sb.title}")
    if sb.description:
        st.text(sb.description)
    st.page_link(_map_page(), label="Présenter", icon=":material/slideshow:", query_params=present_params(name))
    st.text(f"Lien de la présentation : {deck_export.base_url()}/{present_link(name)[2:]}")
    _slides(ds, name, version, sb, editing)
    if editing:
        _add_form(ds, name, version)
    deck_export.section(sb)
