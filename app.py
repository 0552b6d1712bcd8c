"""Territoires — entry point: sets up the page and routes to the pages in src/territoires/ui/."""

import streamlit as st

from territoires.ui import pages

st.set_page_config(page_title="Territoires — ESS et coopération territoriale", page_icon="🗺️", layout="wide")
st.navigation(pages.all_pages()).run()
