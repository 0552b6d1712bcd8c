"""The web map: a layered Folium map of a selection, drawn with no network.

- :mod:`~territoires.webmap.plumbing`: folium elements of ours (offline assets, data passed once
  through Jinja, scripts whose names are taken at render time);
- :mod:`~territoires.webmap.geometry`: :class:`GeometryCache`, the encoded geometries and popups,
  kept per dataset (pure data, shared by every session);
- :mod:`~territoires.webmap.popups`: popup and legend HTML, every data string escaped;
- :mod:`~territoires.webmap.layers`: one function per layer;
- :mod:`~territoires.webmap.compose`: :func:`build_map`, their composition.

A map object is built afresh for every render: streamlit-folium renames a map's elements
when it draws them, so an object shared between renders draws once and breaks after.
This package's ``__init__`` imports nothing, so that :mod:`geometry` can be used without folium.
"""
