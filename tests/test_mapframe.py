"""The map's frame: the component's arguments prepared once per view (issue 19, a room of viewers)."""

from __future__ import annotations

import re

import pytest
import streamlit_folium as sf

from territoires.dataset import load_dataset
from territoires.state import MapState
from territoires.ui import mapframe
from territoires.webmap.compose import build_map
from territoires.webmap.geometry import GeometryCache


@pytest.fixture
def cache(app_dir, tmp_path, monkeypatch):
    from territoires.webmap import published

    monkeypatch.setattr(published, "GEO_DIR", tmp_path / "geo")
    monkeypatch.setattr(published, "_written", set())
    return GeometryCache(load_dataset(app_dir))


def _same(text: str) -> str:
    return re.sub(r"_[0-9a-f]{32}", "_X", text)  # folium's random element names


def test_the_fast_path_runs_with_the_pinned_streamlit_folium():
    assert mapframe.FAST, "streamlit-folium a changé : la carte passe par st_folium, plus lent"


def test_the_component_gets_what_st_folium_would_give_it(cache, monkeypatch):
    calls: list[dict] = []
    monkeypatch.setattr(sf, "_component_func", lambda **kw: calls.append(kw))
    state = MapState(regions=("82",))
    sf.st_folium(build_map(cache, state, published=True), returned_objects=[], height=640, key="carte")
    theirs = calls.pop()
    ours = mapframe.component_args(build_map(cache, state, published=True))
    for name in ("script", "header", "html", "id"):
        assert _same(ours[name]) == _same(theirs[name]), name
    assert ours["js_links"] == theirs["js_links"] and ours["css_links"] == theirs["css_links"]
    assert any("/app/static/geo/territoires-" in u for u in ours["js_links"])  # the shared code, loaded first
    assert "terrActors(" in ours["script"]


def test_a_view_is_built_once_for_every_session(cache, monkeypatch):
    built: list[MapState] = []

    def new_map(state, banner=None):
        built.append(state)
        return build_map(cache, state, banner=banner, published=True)

    monkeypatch.setattr(mapframe, "_new_map", new_map)
    calls: list[dict] = []
    monkeypatch.setattr(sf, "_component_func", lambda **kw: calls.append(kw))
    mapframe._cached_args.clear()
    for state in (MapState(), MapState(regions=("82",)), MapState(), MapState(regions=("82",))):
        mapframe.draw(state, height=640)
    assert built == [MapState(), MapState(regions=("82",))]
    assert calls[0]["script"] == calls[2]["script"] and calls[0]["key"] == calls[2]["key"]
    assert calls[0]["key"] != calls[1]["key"]  # another view, another frame
    mapframe._cached_args.clear()  # an import clears every cache (common.reload_data): built again
    mapframe.draw(MapState(), height=640)
    assert len(built) == 3


def test_without_the_helpers_the_page_falls_back_to_st_folium(cache, monkeypatch):
    drawn: list = []
    monkeypatch.setattr(mapframe, "FAST", False)
    monkeypatch.setattr(mapframe, "st_folium", lambda m, **kw: drawn.append((m, kw)))
    monkeypatch.setattr(mapframe, "_new_map", lambda state, banner=None: build_map(cache, state, published=True))
    mapframe.draw(MapState(), height=860)
    assert drawn and drawn[0][1]["height"] == 860 and drawn[0][1]["returned_objects"] == []
