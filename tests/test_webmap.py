"""The web map built layer by layer, and drawn the same way on every render (issue 12)."""

from __future__ import annotations

import re

import folium
import pytest
from streamlit_folium import generate_leaflet_string

from territoires.dataset import load_dataset
from territoires.selection import select
from territoires.state import MapState
from territoires.webmap import layers
from territoires.webmap.compose import build_map
from territoires.webmap.geometry import GeometryCache
from territoires.webmap.plumbing import OfflineMap

STATES = [
    MapState(),
    MapState(regions=("82",), layers=("departements", "epci"), statistic="per_million", presentation=True),
    MapState(system="2016", kinds=("ptce_pole", "ples"), place="commune:01008", communes_of="01"),
]
# JavaScript names that folium and our scripts give to map elements.
NAME = re.compile(r"\b((?:map|marker_cluster|compact_layer|layer_control|territoires_script)_[0-9a-z_]+)\b")


@pytest.fixture
def cache(app_dir):
    return GeometryCache(load_dataset(app_dir))


def undeclared(js: str) -> set[str]:
    """Element names a script uses without declaring them (``var|let|const name = …``)."""
    declared = set(re.findall(r"\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)", js))
    return set(NAME.findall(js)) - declared


def streamlit_folium_js(m: folium.Map) -> str:
    """The script streamlit-folium sends to the browser for ``m``: it renders the map twice, then
    renames every element as it writes the script. A second pass over the same object would find
    folium's per-render children named after the first names: hence a new map for every render."""
    m.render()
    m.render()
    return generate_leaflet_string(m)


@pytest.mark.parametrize("state", STATES, ids=["defaut", "region-densite", "lieu"])
def test_every_render_declares_every_name_it_uses(cache, state):
    for _ in range(3):  # every visitor gets a map of its own, built from the shared caches
        js = streamlit_folium_js(build_map(cache, state))
        assert "markerClusterGroup" in js or not select(cache.ds, state).kinds_shown
        assert not undeclared(js), sorted(undeclared(js))[:5]


def test_builds_do_not_share_objects(cache):
    a, b = build_map(cache, MapState()), build_map(cache, MapState())
    assert a is not b
    assert not set(map(id, a._children.values())) & set(map(id, b._children.values()))


def test_each_layer_alone(cache):
    state = MapState(
        regions=("82",), layers=("departements", "epci", "communes"), statistic="count", communes_of="", kinds=("ples",)
    )
    sel = select(cache.ds, state)
    for layer, expect in (
        (layers.choropleth, "Densité : Nombre"),
        (layers.regions, "Régions de 2012"),
        (layers.departements, "Départements"),
        (layers.epci, "Intercommunalités (2025)"),
        (layers.communes, "Communes"),
        (layers.members, "Région adhérente"),
    ):
        m = OfflineMap(tiles=None)
        layer(m, cache, sel)
        names = [getattr(c, "layer_name", None) for c in m._children.values()]
        assert expect in names, (layer.__name__, names)
    m = OfflineMap(tiles=None)
    layers.actors(m, cache, sel)
    html = m.get_root().render()
    assert "PLES de Gex" in html and "Pôle des Monts" not in html  # only the kinds chosen


def test_layers_follow_the_state(cache):
    quiet = select(cache.ds, MapState(layers=(), statistic=""))
    m = OfflineMap(tiles=None)
    for layer in (layers.choropleth, layers.departements, layers.epci, layers.communes):
        layer(m, cache, quiet)
    assert not [c for c in m._children.values() if getattr(c, "layer_name", None)]


def test_cache_is_pure_data_and_survives_pickling(cache):
    import pickle

    build_map(cache, MapState())
    copy = pickle.loads(pickle.dumps(cache.national_part()))
    assert copy.encoded and copy.popups
    html_a = build_map(cache, MapState()).get_root().render()
    html_b = build_map(copy, MapState()).get_root().render()
    strip = re.compile(r"_[0-9a-f]{32}")
    assert strip.sub("", html_a) == strip.sub("", html_b)


def test_a_searched_place_frames_the_map_without_loading_every_commune(cache):
    from territoires.webmap.geometry import place_bounds

    from synthetic import X0, Y0, S

    box = place_bounds(cache, "commune:01008")  # Gex: the cell (1, 2) of the synthetic grid
    assert list(box.round(6)) == [round(v, 6) for v in (X0 + S, Y0 + 2 * S, X0 + 2 * S, Y0 + 3 * S)]
    assert place_bounds(cache, "commune:99999") is None
    assert place_bounds(cache, "epci:200000001") is not None
    assert "region" not in cache.boundaries  # no display level was read for it
    m = build_map(cache, MapState(place="commune:01008"))
    (fit,) = [c for c in m._children.values() if isinstance(c, folium.map.FitBounds)]
    (s, w), (n, e) = fit.bounds
    assert (round(w, 6), round(s, 6), round(e, 6), round(n, 6)) == tuple(round(v, 6) for v in box)


def test_the_searched_place_is_outlined_even_outside_the_selected_regions(cache):
    from territoires.selection import place_outside

    state = MapState(regions=("82",), place="commune:66001")  # a commune of the Pyrénées-Orientales
    assert place_outside(cache.ds, state)
    assert not place_outside(cache.ds, MapState(regions=("82",), place="commune:01008"))
    names = [getattr(c, "layer_name", None) for c in build_map(cache, state)._children.values()]
    assert "Lieu recherché" in names
    from territoires.webmap.popups import legend_html

    assert "Lieu recherché" in legend_html([], [], None, "", place=True)
    assert "Lieu recherché" not in legend_html(["ples"], ["commune"], None, "")
    assert "Lieu recherché" not in [
        getattr(c, "layer_name", None) for c in build_map(cache, MapState())._children.values()
    ]
