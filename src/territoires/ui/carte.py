"""Carte: the layered map, the place search, sharing and exports."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from territoires import readable, search, selection
from territoires.registry.schema import KINDS, LEVELS
from territoires.state import FRAMINGS, METHODS, MapState, to_query
from territoires.styles import STAT_LABELS
from territoires.ui import diaporama, donnees, fiche, mapframe
from territoires.ui.common import current_state, dataset, fr_table, geometry, sidebar_filters, sync_url

FRAMING_LABELS = {
    "auto": "La sélection",
    "metropole": "Métropole",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}
STAT_OPTIONS = {"": "Aucune", **STAT_LABELS}
METHOD_LABELS = {"quantiles": "Quantiles", "jenks": "Seuils naturels (Jenks)", "equal_interval": "Intervalles égaux"}


@st.cache_data(show_spinner="Préparation de l'export…", max_entries=16)
def _export(state: MapState, fmt: str) -> bytes:
    from territoires import export

    return export.render(geometry(), state, fmt)


LAYER_FIELDS = ("layers", "communes_of", "statistic", "stat_kind", "method", "classes", "framing")


def _layers_panel(ds, state: MapState) -> None:
    # Lazy (on_change="rerun"): its seven widgets are drawn only when it is open; drawn closed,
    # they cost the first visit ~0.3 s of the browser's time. Their values live in the session
    # state either way. A link that sets one of them opens the panel, so that the setting shows.
    if "x_layers_panel" not in st.session_state:  # the session's first run: open or not, then the user decides
        default = MapState()
        st.session_state["x_layers_panel"] = any(getattr(state, f) != getattr(default, f) for f in LAYER_FIELDS)
    panel = st.sidebar.expander("Couches et densité", key="x_layers_panel", on_change="rerun")
    if not panel.open:
        return
    with panel:
        st.multiselect(
            "Contours",
            ["departements", "epci"],
            key="f_layers",
            format_func={"departements": "Départements", "epci": "Intercommunalités"}.get,
        )
        deps = ds.levels["departements"].sort_values("code")
        opts = ["", *deps["code"].tolist()]
        names = dict(zip(deps["code"], deps["nom"], strict=True))
        st.selectbox(
            "Communes du département",
            opts,
            key="f_communes_of",
            format_func=lambda c: "Aucune" if not c else f"{c} — {names[c]}",
        )
        st.selectbox("Densité (aplat)", list(STAT_OPTIONS), key="f_statistic", format_func=STAT_OPTIONS.get)
        st.selectbox(
            "Type d'acteur de la densité",
            ["ptce_pole", "ptce_project", "ples", "initiative", "rtes_member", "citeslab"],
            key="f_stat_kind",
            format_func=KINDS.get,
        )
        st.selectbox("Classes", list(METHODS), key="f_method", format_func=METHOD_LABELS.get)
        st.slider("Nombre de classes", 2, 7, key="f_classes")
        st.selectbox("Cadrage", list(FRAMINGS), key="f_framing", format_func=FRAMING_LABELS.get)


def _search(ds) -> None:
    """The place search. It runs before the state is read, so that the place chosen frames this
    very run's map and reaches the URL at once (not one search late)."""
    q = st.text_input(
        "Rechercher un lieu : commune ou intercommunalité (nom ou code)",
        key="q_place",
        placeholder="ex. Lille, 42218, Sicoval",
    )
    found = search.find_places(ds, q) if q else []
    if q and not found:
        st.info("Aucune commune ni intercommunalité ne correspond.")
    if not found:
        return
    labels = dict(found)
    options = list(labels)
    if st.session_state.get("q_last") != q or st.session_state.get("q_choice") not in options:
        # A new query: keep the current place if it is among the results, else take the first.
        current = st.session_state.get("f_place", "")
        st.session_state["q_choice"] = current if current in options else options[0]
        st.session_state["q_last"] = q
    place = st.radio("Résultats", options, format_func=labels.get, key="q_choice", horizontal=True)
    st.session_state["f_place"] = place


def _clear_place() -> None:
    # A callback: it runs before the next run draws the search box, so the box may be emptied too.
    st.session_state["f_place"] = ""
    st.session_state["q_place"] = ""
    st.session_state.pop("q_last", None)


def _place_details(ds, place: str) -> None:
    """Who covers the searched place; the poles and initiatives in it, apart from those known only
    at a wider level; the events held there."""
    st.header("Le lieu recherché")
    st.button("Ne plus cibler ce lieu", key="x_clear_place", on_click=_clear_place)
    kind, _, code = place.partition(":")
    level = "commune" if kind == "commune2012" else kind
    st.page_link(
        fiche.page(),
        label="Voir la fiche du territoire",
        icon=":material/description:",
        query_params={fiche.PARAM: f"{level}:{code}"},
    )
    covering = search.covering_members(ds, place)
    st.text("Adhérents du RTES dont le territoire couvre ce lieu :")
    if covering.empty:
        st.text("aucun")
    else:
        covering = covering.assign(level=covering["level"].map(lambda lv: LEVELS.get(lv, lv)))
        st.dataframe(
            fr_table(covering, {"name": "Adhérent", "level": "Niveau", "code": "Code", "couverture": "Couverture"}),
            hide_index=True,
        )
    actors = search.actors_in(ds, place)
    here = actors["lieu"] == search.INSIDE
    # The official asks first what is in the place itself; the actors known only at the scale of a
    # région or a département that holds it are listed apart, not mixed with them.
    _actors_table("Pôles et initiatives situés dans ce lieu :", actors[here])
    _actors_table("Pôles et initiatives situés plus largement (région, département…) :", actors[~here])
    events = search.events_in(ds, place)
    if not events.empty:
        _actors_table("Rencontres dans ce lieu :", events, {"name": "Rencontre", "lieu": "Située"})


def _actors_table(title: str, actors, cols: dict[str, str] | None = None) -> None:
    """A titled table of actors (their type in French), or « aucun »."""
    st.text(title)
    if actors.empty:
        st.text("aucun")
        return
    cols = cols or {"name": "Acteur", "kind": "Type"}
    st.dataframe(fr_table(actors.assign(kind=actors["kind"].map(KINDS)), cols), hide_index=True)


TABLE_ANCHOR = "la-carte-en-tableau"
TABLE_COLUMNS = ["Nom", "Type", "Niveau", "Département", "Région 2012", "Région", "Statut"]


def _map_table(ds, state: MapState) -> None:
    """The records the map shows, as a table: for keyboard and screen-reader users (RGAA 4.1), and for
    anyone who prefers reading a list. Drawn only when its panel is open (a table costs the first visit)."""
    st.header("La carte en tableau", anchor=TABLE_ANCHOR)
    shown_rows = selection.actor_mask(ds.placed, state)
    panel = st.expander(
        f"Les {int(shown_rows.sum())} adhérents et acteurs que montre la carte", key="x_map_table", on_change="rerun"
    )
    if not panel.open:
        return
    records = ds.placed[shown_rows]
    names = readable.place_names(ds.levels, records, selection.territory_names(ds))
    shown = donnees.table(records, names)
    region = "Région 2012" if state.region_system.column == "reg_2012" else "Région"
    cols = [c for c in TABLE_COLUMNS if c in shown.columns and (c == region or not c.startswith("Région"))]
    panel.dataframe(shown[cols], hide_index=True, width="stretch")


def render() -> None:
    """Draw the page."""
    wanted = st.query_params.get(fiche.PARAM)
    if wanted is not None:  # a fiche's link opened on the default page: the fiche page shows it
        st.switch_page(fiche.page(), query_params={fiche.PARAM: wanted})
    if st.query_params.get(diaporama.NAME_PARAM) and st.query_params.get("presentation") == "1":
        diaporama.present()  # a storyboard's slide: its own view, not the filters'
        return
    ds = dataset()
    if ds is None:
        return
    sidebar_filters(ds)  # first: it seeds the widgets from the URL, the searched place among them
    # The official's question first: in the page, only the title and its caption come before the
    # place search; the rest of the sidebar is drawn after it.
    if not st.session_state.get("f_presentation"):
        st.title("Carte de la coopération territoriale (2012)", anchor=False)
        st.caption(
            "Adhérents du RTES au 31 août 2012 et acteurs cités par la lettre Transversales "
            "(automne 2012). Survolez pour le nom, cliquez pour le détail et la source."
        )
        _search(ds)
    _layers_panel(ds, current_state())
    st.sidebar.toggle(
        "Mode présentation",
        key="f_presentation",
        help="La carte en pleine largeur, avec titre, légende, source et date.",
    )
    state = current_state()
    sync_url(state)
    if selection.place_outside(ds, state):
        st.info(
            "Le lieu recherché est hors des régions choisies : seul son contour est dessiné. "
            "Retirez le filtre « Région(s) » pour voir ses adhérents et ses acteurs."
        )
    if not state.presentation:
        # RGAA 12.7: a link to pass the map (its frame holds the map's own controls) and reach the
        # same information as a table.
        st.markdown("[Passer la carte : aller à la carte en tableau](#la-carte-en-tableau)")  # TABLE_ANCHOR
    if state.presentation:  # the whole viewport; Escape (the page's script) leaves
        diaporama.presentation_map(state)
        return
    # returned_objects=[]: panning or zooming never reruns the script.
    mapframe.draw(state, height=640)
    if note := selection.classes_note(ds, state):
        st.caption(note)
    _map_table(ds, state)
    col_share, col_exp = st.columns([1, 1])
    with col_share:
        st.header("Partager cette vue")
        st.text("Le lien de la page (barre d'adresse) reproduit les filtres, les couches et le cadrage :")
        query = "&".join(f"{k}={v}" for k, v in to_query(state).items())
        # st.text, not st.code: the code block's highlighter is 0.3 s more of JavaScript on the first visit.
        st.text(f"?{query}" if query else "(vue par défaut)")
    with col_exp:
        st.header("Exporter")
        fmt = st.radio(
            "Format",
            ["png", "svg", "pdf", "html"],
            horizontal=True,
            key="x_fmt",
            format_func={"png": "PNG 1920×1080", "svg": "SVG", "pdf": "PDF", "html": "HTML autonome"}.get,
        )
        mime = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html"}[fmt]
        # Drawn on demand: rendering an image on every rerun would make each filter change slow.
        wanted = (replace(state, presentation=True), fmt)
        if st.button("Préparer l'export", key="x_prep"):
            st.session_state["x_ready"] = wanted
        if st.session_state.get("x_ready") == wanted:
            st.download_button(
                "Télécharger la carte",
                data=_export(*wanted),
                file_name=f"territoires-carte.{fmt}",
                mime=mime,
                key="x_dl",
            )
    if state.place:
        _place_details(ds, state.place)
