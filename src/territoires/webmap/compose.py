"""The web map of a state: the layers of :mod:`~territoires.webmap.layers`, composed, and framed."""

from __future__ import annotations

from dataclasses import dataclass

import folium

from territoires import readable, safe
from territoires.selection import Selection, select, source_line, title_for
from territoires.state import MapState
from territoires.webmap import furniture, layers, links
from territoires.webmap.geometry import GeometryCache, place_bounds, place_shape
from territoires.webmap.library import Library
from territoires.webmap.plumbing import OfflineMap, Script, Style, control
from territoires.webmap.popups import legend_html

FRAMES = {  # (south, west, north, east)
    "metropole": (41.3, -5.2, 51.1, 9.6),
    "971": (15.8, -61.85, 16.55, -61.0),
    "972": (14.38, -61.25, 14.9, -60.8),
    "973": (2.1, -54.6, 5.8, -51.6),
    "974": (-21.4, 55.2, -20.85, 55.85),
    "976": (-13.0, 45.0, -12.63, 45.3),
}
# Bottom to top: what is drawn later covers what was drawn before.
LAYERS = (
    layers.choropleth,
    layers.regions,
    layers.departements,
    layers.epci,
    layers.communes,
    layers.members,
    layers.place,
    links.links,
)


@dataclass(frozen=True)
class Banner:
    """What a storyboard's slide puts in the presentation's band instead of the filters' title."""

    title: str
    figure: str = ""
    index: int = 0  # 1-based position in the storyboard; 0: not a storyboard
    total: int = 0


def build_map(
    cache: GeometryCache,
    state: MapState,
    *,
    height: str = "100%",
    banner: Banner | None = None,
    published: bool = False,
) -> folium.Map:
    """A new folium map for ``state``: layers, markers, legend, title, bounds.

    Always a new object: the caller may render it (streamlit-folium renames its elements when it
    does), so a map is never shared between renders. Building from the cache takes milliseconds.
    ``published``: the polygons are in shared files the browser fetches once
    (:mod:`~territoires.webmap.published`), for the dashboard; otherwise inline (exports).
    """
    if published:
        from territoires.webmap.published import PublishedCache

        cache = PublishedCache(cache)  # type: ignore[assignment]
    sel = select(cache.ds, state)
    presenting = state.presentation
    m = OfflineMap(
        location=[46.6, 2.4],
        zoom_start=6,
        tiles=None,
        zoom_snap=0.25,
        height=height,
        zoom_control=not presenting,  # a projected map is not zoomed: no buttons over it
        keyboard=not presenting,  # the arrow keys step through the slides, they do not pan
    )
    # With no tile layer, folium does not pass max_zoom to the map; MarkerCluster needs it there.
    m.options["max_zoom"] = 14
    m.options["min_zoom"] = 3
    m.add_child(Library(published))  # the shared functions and style sheets, linked or inlined
    if published:  # the records' popups: one shared file, fetched while the map draws
        m.add_child(Script(f"terrPopups({safe.script_json(cache.popups_url())});"))  # type: ignore[attr-defined]
    furniture.add(m)  # before the layers: the links' legend folds with the helper it defines
    for layer in LAYERS:
        layer(m, cache, sel)
    m.add_child(Script("terrDone();"))  # after the layers: every shared file asked for
    layers.actors(m, cache, sel)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    _furniture(m, cache, sel, banner)
    # A presentation, and a view framed on régions, a place or a density, is framed in the browser once
    # the overlays' sizes are known, so that no legend covers the selection; the national view of
    # markers keeps the whole of France at its largest (its legend folds).
    framed = presenting or bool(state.regions) or bool(state.place) or sel.choropleth is not None
    if framed:
        frame = safe.script_json(_frame(cache, sel))
        m.add_child(Script(lambda: f"terrFit({m.get_name()},{frame});"))
    else:
        m.fit_bounds(_frame(cache, sel))
    return m


def _furniture(m: folium.Map, cache: GeometryCache, sel: Selection, banner: Banner | None = None) -> None:
    """Legend (folding); in presentation mode, a top band (title, key figure, slide counter) and the
    source line under the legend, bottom-left: over the Atlantic, never over the selection."""
    place = bool(sel.state.place) and place_shape(cache, sel.state.place) is not None
    approx = readable.any_approximate(sel.members)
    new = bool(readable.new_members(sel.members).size)
    legend = legend_html(
        sel.kinds_shown,
        sel.levels_shown,
        sel.choropleth,
        sel.state.stat_kind,
        place,
        approx,
        sel.state.presentation,
        new,
    )
    if sel.state.presentation:
        m.add_child(Style(furniture.PRESENTATION_CSS))
        b = banner or Banner(title_for(sel.state, cache.ds))
        control(m, "topleft", "terr-band", furniture.band(b.title, b.figure, b.index, b.total))
        # Leaflet stacks bottom controls upwards: the source under the legend, above the scale.
        control(m, "bottomleft", "terr-source", safe.text(source_line(cache.ds)))
    if legend:
        control(m, "bottomleft", "terr-legend", furniture.foldable(legend), fold=True)


def _frame(cache: GeometryCache, sel: Selection) -> list[list[float]]:
    """[[south, west], [north, east]]: a chosen frame, the searched place, the selected régions, or France."""
    state = sel.state
    if state.framing in FRAMES:
        s, w, n, e = FRAMES[state.framing]
        return [[s, w], [n, e]]
    s, w, n, e = FRAMES["metropole"]
    if len(sel.regions) and state.regions:
        geoms = cache.boundaries_at(state.scale)
        w, s, e, n = getattr(geoms, sel.system.level).loc[sel.regions.index].total_bounds
    if state.place:
        pb = place_bounds(cache, state.place)
        if pb is not None:
            w, s, e, n = pb["w"], pb["s"], pb["e"], pb["n"]
    return [[float(s), float(w)], [float(n), float(e)]]
