"""The map's frame on a page: streamlit-folium's component, its arguments prepared once per view.

Building a folium map and rendering it is most of a rerun's server time (≈ 80 % on the national
view): a room of viewers changing filters asks for the same few views again and again. What the
component receives — the map's script, head and HTML, as strings — is pure data: it is cached per
view (state, slide banner), shared by every session, and forgotten when the registry changes
(``reload_data`` clears ``st.cache_data``). The folium map itself is never cached (streamlit-folium
renames its elements when it draws it): it is built anew, once per view, inside the cached function.

streamlit-folium's own ``st_folium`` does the same steps on every run; the helpers used here are its
module's functions (pinned in pyproject.toml). If a new version lacks one, the page falls back to
``st_folium`` (slower, same map): ``FAST`` says which path runs (checked by a test).
"""

from __future__ import annotations

import streamlit as st
import streamlit_folium as sf
from streamlit_folium import st_folium

from territoires.state import MapState

_HELPERS = ("_component_func", "_get_header", "_get_html", "_get_map_string", "get_full_id", "generate_js_hash")
FAST = all(hasattr(sf, name) for name in _HELPERS)


def _new_map(state: MapState, banner=None):
    from territoires.ui.common import geometry_for
    from territoires.webmap.compose import build_map

    return build_map(geometry_for(state.as_of), state, banner=banner, published=True)


def component_args(m) -> dict:
    """What ``st_folium`` passes to its component for map ``m`` (rendered here; ``m`` is spent after)."""
    m.get_root().render()
    m.render()
    html = sf._get_html(m)  # before _get_map_string, which alters the map (as st_folium does)
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    css: list[str] = []
    js: list[str] = []

    def walk(el):
        if hasattr(el, "default_js"):  # folium's JSCSSMixin: the elements that bring files
            yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    for el in walk(m):
        css.extend(href for _, href in getattr(el, "default_css", []))
        js.extend(src for _, src in getattr(el, "default_js", []))
    return {
        "script": script,
        "header": header,
        "html": html,
        "id": sf.get_full_id(m),
        "css_links": list(dict.fromkeys(css)),
        "js_links": list(dict.fromkeys(js)),
    }


@st.cache_data(show_spinner=False, max_entries=256)  # ≈ 50 KB a view: 256 views ≈ 13 MB
def _cached_args(state: MapState, banner) -> dict:
    return component_args(_new_map(state, banner))


def draw(state: MapState, height: int, banner=None) -> None:
    """The map of ``state`` in its frame, full width; nothing the map does reruns the script."""
    if not FAST:
        st_folium(_new_map(state, banner), returned_objects=[], use_container_width=True, height=height, key="carte")
        return
    show(_cached_args(state, banner), height, "carte")


def show(args: dict, height: int, key: str) -> None:
    """A map's frame from its prepared arguments (:func:`component_args`), full width."""
    sf._component_func(
        **args,
        # The frame's key: the same map keeps its frame, another one gets a new one (as st_folium does).
        key=sf.generate_js_hash(args["script"], key, False),
        height=height,
        width=None,
        returned_objects=[],
        default={},
        zoom=None,
        center=None,
        feature_group=None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        on_change=None,
        wrap_longitude=False,
    )
