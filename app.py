"""Territoires — entry point: sets up the page and routes to the pages in src/territoires/ui/."""

import streamlit as st

from territoires.ui import pages, runlog

# Presentation mode (?presentation=1) opens with the sidebar folded: the map takes the whole width.
# The toggle's value, when the session has one, is the current one (the URL is updated later in the run).
presenting = st.session_state.get("f_presentation", st.query_params.get("presentation") == "1")
st.set_page_config(
    page_title="Territoires — ESS et coopération territoriale",
    page_icon="🗺️",
    layout="wide",
    initial_sidebar_state="collapsed" if presenting else "auto",
)
with runlog.timed():
    st.navigation(pages.all_pages()).run()
