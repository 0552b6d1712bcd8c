"""Accueil: what the project is and what the boundary store holds (placeholder)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from territoires.errors import TerritoiresError
from territoires.ui.common import show_error, store_summary

LABELS = {
    "communes": "Communes",
    "arrondissements": "Arrondissements municipaux",
    "epci": "EPCI",
    "departements": "Départements",
    "regions": "Régions (aujourd'hui)",
    "regions_2012": "Régions de 2012",
}


def render() -> None:
    """Draw the page."""
    st.title("Territoires")
    st.write(
        "La coopération territoriale dans l'économie sociale et solidaire : "
        "les collectivités du RTES et les pôles de la lettre d'automne 2012, "
        "sur les contours officiels de l'IGN et de l'INSEE."
    )
    try:
        summary = store_summary()
    except TerritoiresError as exc:
        show_error(exc)
        return
    st.subheader("Contours disponibles")
    counts = pd.DataFrame(
        {"Niveau": [LABELS.get(k, k) for k in summary["counts"]], "Nombre": list(summary["counts"].values())}
    )
    st.dataframe(counts, hide_index=True)
    st.caption("Source des contours")
    st.text(
        f"{summary['source'].get('source')}\n{summary['source'].get('vintage')}\n"
        f"Licence : {summary['source'].get('licence')}"
    )
