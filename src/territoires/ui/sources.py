"""Sources: what each layer comes from, its vintage and licence, and how to cite it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from territoires.errors import TerritoiresError
from territoires.geo.store import repair_notes
from territoires.ui.common import dataset, show_error, store_summary

CITATION = (
    "Territoires (2026), carte de la coopération territoriale dans l'ESS d'après la lettre "
    "Transversales du RTES (automne 2012) ; contours IGN/INSEE, Licence Ouverte 2.0."
)


def render() -> None:
    """Draw the page."""
    st.title("Sources et licences")
    ds = dataset()
    if ds is None:
        return
    try:
        summary = store_summary()
    except TerritoiresError as exc:
        show_error(exc)
        return
    src = summary["source"]
    layers = pd.DataFrame(
        [
            {
                "Couche": "Contours : communes, EPCI, départements, régions",
                "Source": src.get("source"),
                "Millésime": src.get("vintage"),
                "Licence": src.get("licence"),
            },
            {
                "Couche": "Régions de 2012 (22 + 5)",
                "Source": "INSEE, COG 2015 (départements → régions d'avant 2016)",
                "Millésime": "2015",
                "Licence": "Licence Ouverte 2.0",
            },
            {
                "Couche": "Acteurs et adhérents",
                "Source": "Lettre Transversales du RTES, automne 2012",
                "Millésime": "adhérents au 31 août 2012",
                "Licence": "faits et courtes citations ; registre Licence Ouverte 2.0",
            },
            {
                "Couche": "Périmètres des intercommunalités de 2012",
                "Source": "DGCL, compositions au 1er janvier 2012 (Etalab, geohisto)",
                "Millésime": "2012",
                "Licence": "Licence Ouverte 2.0",
            },
            {
                "Couche": "Cartographie",
                "Source": "Leaflet, Leaflet.markercluster, Font Awesome (paquets XStatic)",
                "Millésime": "",
                "Licence": "BSD-2, MIT, OFL/MIT",
            },
        ]
    )
    st.dataframe(layers, hide_index=True, width="stretch")
    st.subheader("Comment citer")
    st.text(CITATION)
    st.subheader("Contours : contenu et réparations")
    counts = pd.DataFrame({"Niveau": list(summary["counts"]), "Nombre": list(summary["counts"].values())})
    st.dataframe(counts, hide_index=True)
    st.text("\n".join(repair_notes(summary["repairs"], detail=False)))
    st.caption("Contours construits le")
    st.text(summary["built_at"])
    st.subheader("Enregistrements non localisés")
    nl = ds.placed[ds.placed["level"] == "none"][["name", "notes"]].rename(columns={"name": "Nom", "notes": "Raison"})
    st.dataframe(nl, hide_index=True, width="stretch")
