"""Sources: what each layer comes from, its vintage and licence, and how to cite it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from territoires import fmt, readable
from territoires.errors import TerritoiresError
from territoires.geo.store import repair_notes
from territoires.ui.common import dataset, fr_styled, show_error, store_summary

CITATION = (
    "Territoires (2026), carte de la coopération territoriale dans l'ESS d'après la lettre "
    "Transversales du RTES (automne 2012) ; contours IGN/INSEE, Licence Ouverte 2.0."
)


def _text(v: Any) -> str:
    """A manifest's value as a cell: missing (None, NaN) → "" (never « None » on the page)."""
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


def layers_table(src: Mapping[str, Any]) -> pd.DataFrame:
    """Each layer's source, vintage and licence; ``src``: the boundary store's ``source`` (its manifest)."""
    rows = [
        (
            "Contours : communes, intercommunalités (EPCI), départements, régions",
            # Who made the data (IGN, INSEE) before how it was fetched (a package, a feed).
            _text(src.get("producer") or src.get("source")),
            _text(src.get("vintage")),
            _text(src.get("licence")),
        ),
        (
            "Régions de 2012 (22 + 5)",
            "INSEE, COG 2015 (départements → régions d'avant 2016)",
            "2015",
            "Licence Ouverte 2.0",
        ),
        (
            "Acteurs et adhérents",
            "Lettre Transversales du RTES, automne 2012",
            "adhérents au 31 août 2012",
            "faits et courtes citations ; registre Licence Ouverte 2.0",
        ),
        (
            "Périmètres des intercommunalités de 2012",
            "DGCL, compositions au 1er janvier 2012 (Etalab, geohisto)",
            "2012",
            "Licence Ouverte 2.0",
        ),
        (
            "Cartographie",
            "Leaflet, Leaflet.markercluster, Font Awesome (paquets XStatic)",
            "",
            "BSD-2, MIT, OFL/MIT",
        ),
    ]
    return pd.DataFrame(rows, columns=["Couche", "Source", "Millésime", "Licence"])


def counts_table(counts: Mapping[str, int]) -> pd.DataFrame:
    """How many outlines of each level the store holds, each level by its French name."""
    return pd.DataFrame(
        {"Contours": [readable.store_level(lv) for lv in counts], "Nombre": [int(n) for n in counts.values()]}
    )


def _commune_names(ds) -> dict[str, str]:
    """Today's communes by code, to name the commune whose outline covers another."""
    communes = ds.levels.get("communes")
    if communes is None or not {"code", "nom"} <= set(communes.columns):
        return {}
    return dict(zip(communes["code"], communes["nom"], strict=True))


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
    st.dataframe(layers_table(summary["source"]), hide_index=True, width="stretch")
    st.header("Comment citer")
    st.text(CITATION)
    st.header("Contours : contenu et réparations")
    st.dataframe(fr_styled(counts_table(summary["counts"])), hide_index=True)
    st.text("\n".join(repair_notes(summary["repairs"], detail=False, names=_commune_names(ds))))
    built = fmt.date_time(summary["built_at"])
    if built:
        st.text(f"Contours construits le {built}.")
    st.header("Enregistrements non localisés")
    nl = ds.placed[ds.placed["level"] == "none"][["name", "notes"]]
    nl = nl.astype(object).where(nl.notna(), "")  # a record without a note shows an empty reason, not « None »
    st.dataframe(nl.rename(columns={"name": "Nom", "notes": "Raison"}), hide_index=True, width="stretch")
