"""A fiche slide: a territory's map for a room (export/fiche.py's drawing, laid out by slide.py's rules)."""

from __future__ import annotations

import textwrap
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from territoires import fmt
from territoires.export.slide import (
    BOTTOM,
    INK,
    MARGIN,
    MARKER_PX,
    MARKER_S,
    MAX_LABELS,
    RIGHT,
    Composed,
    W,
    _frame_px,
    _reserved,
    _scale_bar,
    fit_limits,
    place_labels,
)
from territoires.readable import NOUNS
from territoires.state import parse_fiche_key
from territoires.storyboard.model import Slide
from territoires.webmap.geometry import GeometryCache


def fiche_map(fig: Figure, cache: GeometryCache, slide: Slide, top: float) -> Composed:
    """The fiche's map (export/fiche.py's drawing), large: the territory among its neighbours on the land
    around it, its actors named, its figures and the members that cover it in a box."""
    from territoires.export.fiche import _draw_map, map_layers
    from territoires.fiche import fiche

    level, code = parse_fiche_key(slide.fiche) or ("", "")
    f = fiche(cache.ds, level, code)
    layers = map_layers(cache.ds, f)
    frame = _frame_px(top, False)
    bounds = _fiche_bounds(layers, f.level)
    per_px = max((bounds[2] - bounds[0]) / frame.width, (bounds[3] - bounds[1]) / frame.height)
    ax = fig.add_axes((0, BOTTOM, 1, top - BOTTOM))
    drawn = _draw_map(ax, f, layers, spread=0.6 * MARKER_PX * per_px)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for coll in ax.collections:  # the fiche's symbols are for A4: make them room-sized
        if isinstance(coll, PathCollection):
            coll.set_sizes([MARKER_S])
    if layers.outline is not None:  # the land around (not a false sea beyond the département)
        deps = cache.boundaries_at("region").departements
        deps.to_crs(layers.crs).plot(ax=ax, color="white", edgecolor="#9a9a9a", linewidth=0.8, zorder=0.9)
    ax.set(xlabel="", ylabel="", xticks=[], yticks=[])  # geopandas labels projected axes: a map needs none
    obstacles = [_fiche_legend(fig, ax, top)]
    fit_limits(ax, bounds, frame, pad=0.0)
    for line in list(ax.lines):  # a relation whose other end is beyond the slide would point at nothing
        x, y = line.get_data()
        if min(x) < bounds[0] or max(x) > bounds[2] or min(y) < bounds[1] or max(y) > bounds[3]:
            line.remove()
    out = Composed(fig, ax, frame, bounds)
    obstacles.append(_scale_bar(ax))
    obstacles.append(_facts_box(fig, f, below=obstacles[0]))
    if layers.outline is not None:  # the territory's name on it, then its actors'
        p = gpd.GeoSeries([layers.outline], crs="EPSG:4326").to_crs(layers.crs).representative_point()
        named = pd.concat([pd.DataFrame({"x": p.x, "y": p.y, "name": [f.name]}), drawn.head(MAX_LABELS)])
        out.labels = place_labels(ax, named.reset_index(drop=True), [*obstacles, _reserved(top)])
    return out


def _fiche_bounds(layers: Any, level: str) -> tuple[float, float, float, float]:
    """What a fiche slide frames: the territory and its actors; a commune or an EPCI among its
    neighbours (30 km across at least), a larger territory close up."""
    if layers.outline is None:
        return (0.0, 0.0, 1.0, 1.0)
    geoms = [
        layers.outline,
        *(shapely.Point(x, y) for x, y in zip(layers.points["x"], layers.points["y"], strict=True)),
    ]
    w, s, e, n = gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs(layers.crs).total_bounds
    small = level in ("commune", "epci")
    r = max(e - w, n - s) / 2 * (1.5 if small else 1.08)
    r = max(r, 15_000.0 if small else 1.0)
    cx, cy = (w + e) / 2, (s + n) / 2
    return (cx - r, cy - r, cx + r, cy + r)


def _facts_box(fig: Figure, f: Any, below: Bbox) -> Bbox:
    """The territory's name, level and code, population, membership, and the members that cover it,
    at the right, under the legend (``below``: its box, pixels)."""
    others = [m for m in f.members_covering if not (f.member and m["id"] == f.member["id"])]
    covered = ", ".join(f"{m['name']} ({NOUNS[m['level']].format(code=m['code'])})" for m in others)
    facts = [
        f.name,
        f"{f.level_label}, code {f.code}",
        f"{fmt.number(f.population, 0)} habitants",
        f.member_text,
        f"Aussi couvert par : {covered}." if covered else "",
    ]
    box = {"facecolor": "white", "edgecolor": "#999999", "boxstyle": "round,pad=0.6"}
    text = "\n".join(textwrap.fill(x, 30) for x in facts if x)
    t = fig.text(
        RIGHT + 0.01, 0.55, text, bbox=box, fontsize=17, va="top", color=INK, linespacing=1.4, parse_math=False
    )
    return t.get_window_extent(fig.canvas.get_renderer()).expanded(1.1, 1.1)


def _fiche_legend(fig: Figure, ax: Any, top: float) -> Bbox:
    """The fiche's legend (made for A4) again in room-sized type, at the top right; its box."""
    old = ax.get_legend()
    if old is None:
        return Bbox([[0, 0], [0, 0]])
    handles, names = old.legend_handles, [t.get_text() for t in old.get_texts()]
    old.remove()
    leg = fig.legend(handles, names, loc="upper right", bbox_to_anchor=(1 - MARGIN / W, top - 0.01), fontsize=16)
    for h in leg.legend_handles:
        if hasattr(h, "set_markersize"):
            h.set_markersize(16)
    for t in leg.get_texts():
        t.set_parse_math(False)
    return leg.get_window_extent(fig.canvas.get_renderer())
