"""Données: the filtered records, with downloads as CSV, GeoJSON and XLSX."""

from __future__ import annotations

import io
import json

import pandas as pd
import streamlit as st

from territoires import maps
from territoires.registry.join import EXPORT_COLUMNS
from territoires.registry.schema import KINDS, LEVELS
from territoires.safe import spreadsheet_frame
from territoires.ui.common import dataset, fr_table, mapdata, sidebar_filters

LABELS = {
    "name": "Nom",
    "kind": "Type",
    "level": "Niveau",
    "code": "Code",
    "dep": "Dép.",
    "reg_2012": "Région 2012",
    "reg": "Région",
    "precision": "Précision",
    "source_section": "Source",
    "source_quote": "Citation",
}


@st.cache_data(show_spinner=False)
def _downloads(ids: tuple[str, ...]) -> dict[str, bytes]:
    md = mapdata()
    geo = md.actor_shapes("region")
    df = md.ds.placed.set_index("id").loc[list(ids)].reset_index()
    table = spreadsheet_frame(df[EXPORT_COLUMNS])  # no cell may run as a formula in a spreadsheet
    out = {"csv": table.to_csv(index=False).encode("utf-8")}
    g = geo.loc[list(ids)].reset_index()[[*EXPORT_COLUMNS, "geometry"]]
    out["geojson"] = json.dumps(json.loads(g.to_json(na="null", drop_id=True)), ensure_ascii=False).encode("utf-8")
    buf = io.BytesIO()
    table.to_excel(buf, index=False, sheet_name="acteurs")
    out["xlsx"] = buf.getvalue()
    return out


def render() -> None:
    """Draw the page."""
    ds = dataset()
    if ds is None:
        return
    state = sidebar_filters(ds)
    st.title("Données")
    shown = maps.select_actors(ds.placed, state)
    unplaced = ds.placed[ds.placed["level"].isin(["national", "none"])] if not state.regions else shown.iloc[0:0]
    records = shown if unplaced.empty else pd.concat([shown, unplaced])
    st.text(f"{len(records)} enregistrements selon les filtres.")
    view = records.assign(kind=records["kind"].map(KINDS), level=records["level"].map(LEVELS))
    st.dataframe(fr_table(view, LABELS), hide_index=True, width="stretch")
    files = _downloads(tuple(records["id"]))
    c1, c2, c3 = st.columns(3)
    c1.download_button("CSV", files["csv"], "territoires-acteurs.csv", "text/csv", key="d_csv")
    c2.download_button(
        "GeoJSON", files["geojson"], "territoires-acteurs.geojson", "application/geo+json", key="d_geojson"
    )
    c3.download_button(
        "XLSX",
        files["xlsx"],
        "territoires-acteurs.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="d_xlsx",
    )
