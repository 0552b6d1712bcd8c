"""The list of pages, for ``st.navigation``."""

from __future__ import annotations

import streamlit as st

from territoires.ui import carte, communes, diaporama, donnees, fiche, sources, statistiques
from territoires.ui.common import guarded


def all_pages() -> list:
    """Every page of the dashboard, in menu order."""
    return [
        # Material icons ship with Streamlit (an emoji would need a font the server may lack).
        st.Page(guarded(carte.render), title="Carte", icon=":material/map:", default=True),
        fiche.page(),
        st.Page(
            guarded(statistiques.render), title="Statistiques", icon=":material/bar_chart:", url_path="statistiques"
        ),
        st.Page(guarded(communes.render), title="Communes", icon=":material/grid_on:", url_path="communes"),
        st.Page(guarded(donnees.render), title="Données", icon=":material/table:", url_path="donnees"),
        diaporama.page(),
        st.Page(guarded(sources.render), title="Sources", icon=":material/menu_book:", url_path="sources"),
    ]
