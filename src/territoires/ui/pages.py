"""The list of pages, for ``st.navigation``."""

from __future__ import annotations

import streamlit as st

from territoires.ui import accueil


def all_pages() -> list:
    """Every page of the dashboard, in menu order."""
    return [st.Page(accueil.render, title="Accueil", icon="🗺️", url_path="accueil", default=True)]
