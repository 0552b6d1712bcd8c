"""Helpers shared by the pages: loading with French errors, never a traceback."""

from __future__ import annotations

from typing import Any

import streamlit as st

from territoires.errors import TerritoiresError


def show_error(exc: TerritoiresError) -> None:
    """A French message, as plain text (data strings are never rendered as Markdown)."""
    st.error("Les données ne peuvent pas être chargées.")
    st.text(exc.message)


@st.cache_data(show_spinner=False)
def store_summary() -> dict[str, Any]:
    """The manifest's counts, source and vintage (cached)."""
    from territoires.geo import store

    manifest = store.read_manifest()
    return {
        "counts": manifest["counts"],
        "source": manifest["source"],
        "built_at": manifest["built_at"],
        "repairs": manifest["repairs"],
    }
