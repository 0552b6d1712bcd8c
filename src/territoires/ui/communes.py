"""Communes: every commune of France on one map, coloured by the share of its population covered by
an RTES member at any level (the commune, its intercommunality, its département, its région)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from territoires import communeview, fmt
from territoires.errors import TerritoiresError
from territoires.ui import mapframe
from territoires.ui.carte import FRAMING_LABELS
from territoires.ui.common import current_as_of, dataset, fr_table, geometry_for, show_error
from territoires.webmap.communes import communes_map
from territoires.webmap.compose import FRAMES

TABLE_ANCHOR = "les-communes-en-tableau"
COLUMNS = {"code": "Code INSEE", "nom": "Commune", "share": "Part couverte", "members": "Adhérents"}


@st.cache_resource(show_spinner="Calcul de la couverture des communes…", max_entries=8)
def _table(vintage: str, as_of: str) -> pd.DataFrame:
    """Each commune's covered share (:func:`.communeview.shares`), with its name and population: one
    object shared by every session, never modified (the map keeps its values while it is the same)."""
    ds = geometry_for(as_of).ds
    t = communeview.shares(ds.placed, ds.units, vintage)
    if vintage == "2012":
        ref = ds.units.table[["nom", "population"]]
    else:
        ref = ds.levels["communes"].set_index("code")[["nom", "population"]]
    return t.join(ref.astype({"population": float}), how="left")


@st.cache_data(show_spinner=False, max_entries=32)
def _map_args(vintage: str, as_of: str, framing: str) -> dict:
    """The map's frame arguments for a view (:mod:`.mapframe`): built once, shared by every session."""
    m = communes_map(geometry_for(as_of), vintage, _table(vintage, as_of), FRAMES[framing])
    return mapframe.component_args(m)


def _caption(table: pd.DataFrame, vintage: str) -> None:
    s = communeview.summary(table, table["population"])
    pop = s["population"] / s["population_total"] if s["population_total"] else float("nan")
    which = "communes de 2012" if vintage == "2012" else "communes d'aujourd'hui"
    how = (
        "sont dans le territoire d'au moins un adhérent du RTES (au 31 août 2012)"
        if vintage == "2012"
        else "sont couvertes par au moins un adhérent du RTES (au 31 août 2012), en tout ou en partie "
        "(une commune nouvelle dont seules certaines communes de 2012 l'étaient)"
    )
    st.caption(
        f"{fmt.number(s['communes'])} des {fmt.number(s['total'])} {which} {how}. "
        f"Les territoires des adhérents réunissent {fmt.percent(pop)} des habitants de la France "
        "(population d'aujourd'hui). "
        "Un département ou une région adhérent couvre toutes ses communes : d'où les grands aplats. "
        "Survolez ou cliquez une commune pour son nom, son code et sa part couverte."
    )


def _communes_table(table: pd.DataFrame) -> None:
    """The same figures as a table (RGAA: the map's information without the map), drawn when opened."""
    st.header("Les communes en tableau", anchor=TABLE_ANCHOR)
    panel = st.expander(
        f"Les {fmt.number(len(table))} communes et leur part couverte", key="x_cv_table", on_change="rerun"
    )
    if not panel.open:
        return
    shown = table.reset_index(names="code")[["code", "nom", "share", "members"]]
    shown = shown.assign(share=shown["share"].map(communeview.share_text))
    panel.dataframe(fr_table(shown, COLUMNS), hide_index=True, width="stretch")


def render() -> None:
    """Draw the page."""
    ds = dataset()
    if ds is None:
        return
    st.title("Les communes couvertes par le RTES", anchor=False)
    left, right = st.columns(2)
    vintages = list(communeview.VINTAGES)
    vintage = left.radio("Communes", vintages, format_func=communeview.VINTAGES.get, horizontal=True, key="cv_vintage")
    frames = [f for f in FRAMING_LABELS if f in FRAMES]
    framing = right.selectbox("Cadrage", frames, format_func=FRAMING_LABELS.get, key="cv_framing")
    as_of = current_as_of()
    try:
        table = _table(vintage, as_of)
        if mapframe.FAST:
            args = _map_args(vintage, as_of, framing)
        else:
            m = communes_map(geometry_for(as_of), vintage, table, FRAMES[framing])
    except TerritoiresError as exc:
        show_error(exc, "La carte des communes ne peut pas être affichée.")
        return
    _caption(table, vintage)
    st.markdown("[Passer la carte : aller aux communes en tableau](#les-communes-en-tableau)")  # TABLE_ANCHOR
    # returned_objects=[]: panning or zooming never reruns the script.
    if mapframe.FAST:
        mapframe.show(args, 640, "communes")
    else:
        st_folium(m, returned_objects=[], use_container_width=True, height=640, key="communes")
    _communes_table(table)
