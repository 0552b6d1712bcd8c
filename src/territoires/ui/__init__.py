"""Streamlit pages. Thin: they read widgets and call the domain modules."""
