"""The map as a 16:9 image drawn on the server (PNG, SVG, PDF), with matplotlib.

At slide resolution (1920×1080 by default): the title made from the filters, metropolitan
France (or the selected régions) in Lambert-93, insets for the five overseas départements,
one legend, and the source and date line. What is drawn comes from the same
:func:`~territoires.selection.select` as the web map.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure  # the object API: no pyplot state, safe in a server's threads
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from territoires import charts, readable
from territoires.geo import reference as ref
from territoires.registry.relations import DIRECTED, TYPES
from territoires.registry.schema import KINDS
from territoires.selection import Selection, select, selected_departements, source_line, title_for
from territoires.state import MapState
from territoires.styles import (
    APPROX_NOTE,
    KIND_STYLE,
    LEVEL_STYLE,
    MEMBERS_HEADING,
    NEW_MEMBER_COLOR,
    NEW_MEMBER_LABEL,
    NO_DATA_COLOR,
    RELATION_STYLE,
    SEA,
)
from territoires.webmap import links
from territoires.webmap.geometry import GeometryCache

HOLLOW_NOTE = "Symbole vide : situé seulement dans une région ou un département"
MARKERS = {
    "ptce_pole": "o",
    "ptce_project": "s",
    "ples": "^",
    "citeslab": "D",
    "initiative": "P",
    "event": "X",
    "network_office": "*",
    "rtes_board_member": "h",
    "partner": "v",
}
DROM_NAMES = {"971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte"}
# The members' outlines over a choropleth: the blues of LEVEL_STYLE darkened, large to small, so that
# they stay apart from the density palette's yellows, reds and purples.
MEMBER_EDGE = {"region_2012": "#2171b5", "region": "#2171b5", "departement": "#08519c", "epci": "#08306b"}
MEMBER_EDGE |= {"commune": "#000000"}
METRO_CRS = "EPSG:2154"  # Lambert-93: conformal, the usual projection of maps of France (not for areas)


@dataclass
class _Frame:
    """One axes of the image: the départements it shows, in a projection."""

    ax: Any
    crs: str
    deps: gpd.GeoDataFrame  # display geometries of the départements drawn
    regions: gpd.GeoDataFrame  # the régions (of the state's system) that hold them

    def clip(self, g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        box = self.deps.total_bounds
        return g.cx[box[0] : box[2], box[1] : box[3]]


def _draw(
    ax,
    cache: GeometryCache,
    sel: Selection,
    crs: str,
    deps: list[str],
    marker_size: float = 80,
    spread: float | None = None,
    members_outline: bool = False,
) -> pd.DataFrame | None:
    """Draw boundaries, choropleth, members and actors on ``ax`` for the départements ``deps``.

    ``spread``: how far apart coinciding symbols are set (map units; default: 1.2 % of the frame's
    width); ``members_outline``: members as outlines, so that a choropleth under them keeps its colours.
    Returns the actors drawn (their records, with ``x``/``y`` where their symbol is, in ``crs``) so
    that a slide can name them; None when there is nothing to draw.
    """
    b = cache.boundaries_at(sel.state.scale)
    dep_layer = b.departements[b.departements.index.isin(deps)]
    if dep_layer.empty:  # e.g. an overseas inset for data without that département
        ax.set_axis_off()
        return None
    regions = getattr(b, sel.system.level)
    frame = _Frame(ax, crs, dep_layer, regions[regions.index.isin(set(dep_layer[sel.system.column]))])
    _draw_fill(frame, sel)
    _draw_members(frame, cache, sel, members_outline)
    dep_layer.to_crs(crs).boundary.plot(ax=ax, color="#8a8a8a", linewidth=0.35, linestyle=(0, (2, 2)))
    frame.regions.to_crs(crs).boundary.plot(ax=ax, color="#444444", linewidth=0.9)
    # Lines as thick as the symbols are large (a slide's symbols are 5× an image's): seen, not hinted.
    _draw_links(frame, cache, sel, max(1.0, math.sqrt(marker_size / 80)))
    drawn = _draw_actors(frame, cache, sel, marker_size, spread)
    ax.set_axis_off()
    ax.set_aspect("equal")
    return drawn


def _draw_fill(frame: _Frame, sel: Selection) -> None:
    """The choropleth's colours (the selection's own classes), or white land."""
    ch = sel.choropleth
    if ch is None:
        frame.regions.to_crs(frame.crs).plot(ax=frame.ax, color="#ffffff", linewidth=0)
        return
    units = frame.deps if ch.unit_level == "departements" else frame.regions
    colors = ch.colors()
    units.to_crs(frame.crs).plot(ax=frame.ax, color=[colors.get(c, NO_DATA_COLOR) for c in units.index], linewidth=0)


def _draw_members(frame: _Frame, cache: GeometryCache, sel: Selection, outline: bool = False) -> None:
    """Members as their perimeter, large to small; dashed when the perimeter is approximate."""
    geo = cache.shapes_at(sel.state.scale)
    members = sel.members
    approx = readable.approximate_flags(members)
    for lv in sel.levels_shown:
        for dashed in (False, True):
            ids = members.loc[(members["level"] == lv) & (approx == dashed), "id"]
            g = gpd.GeoDataFrame(geometry=geo.loc[ids, "geometry"].to_numpy(), crs="EPSG:4326")
            g = frame.clip(g[g.geometry.notna()])
            if len(g):
                color = LEVEL_STYLE[lv][0]
                g.to_crs(frame.crs).plot(
                    ax=frame.ax,
                    facecolor="none" if outline else color,
                    alpha=1.0 if outline else 0.3 if dashed else 0.45,
                    edgecolor=MEMBER_EDGE[lv] if outline else color,
                    linewidth=2.2 if outline else 0.8,
                    linestyle="--" if dashed else "-",
                )
    new = readable.new_members(members)
    g = gpd.GeoDataFrame(geometry=geo.loc[new["id"], "geometry"].to_numpy(), crs="EPSG:4326")
    g = frame.clip(g[g.geometry.notna()])
    if len(g):  # the welcomed new members: a thick dark outline over every fill (the web map's rule)
        g.to_crs(frame.crs).plot(ax=frame.ax, facecolor="none", edgecolor=NEW_MEMBER_COLOR, linewidth=2.4)


def _draw_actors(
    frame: _Frame, cache: GeometryCache, sel: Selection, marker_size: float = 80, spread: float | None = None
) -> pd.DataFrame:
    """Actors as symbols, hollow when placed only in a région or a département, spread where they coincide.

    Returns the actors drawn with the ``x``/``y`` of their symbol."""
    geo = cache.shapes_at(sel.state.scale)
    sub = sel.actors[sel.actors["kind"].isin(sel.state.kinds)]
    anchors = geo.loc[sub["id"], "anchor"]
    keep = anchors.notna().to_numpy()
    sub, anchors = sub[keep], anchors[keep]
    if not len(sub):
        return sub.assign(x=[], y=[])
    pts = gpd.GeoSeries(anchors.to_numpy(), crs="EPSG:4326")
    box = frame.deps.total_bounds
    inside = ((pts.x >= box[0]) & (pts.x <= box[2]) & (pts.y >= box[1]) & (pts.y <= box[3])).to_numpy()
    sub, p = sub[inside], pts[inside].to_crs(frame.crs)
    width = np.ptp(frame.deps.to_crs(frame.crs).total_bounds[[0, 2]])
    xy = _dodge(np.column_stack([p.x, p.y]), radius=spread or 0.012 * max(width, 1.0))
    vague = sub["precision"].isin(["region", "departement"]).to_numpy()
    for kind in sel.state.kinds:
        color = KIND_STYLE[kind][0]
        for is_vague in (False, True):
            m = (sub["kind"].to_numpy() == kind) & (vague == is_vague)
            if m.any():
                frame.ax.scatter(
                    xy[m, 0],
                    xy[m, 1],
                    s=marker_size,
                    marker=MARKERS[kind],
                    zorder=5,
                    color="white" if is_vague else color,
                    edgecolors=color if is_vague else "white",
                    linewidths=1.8 if is_vague else 1.2,
                )
    return sub.assign(x=xy[:, 0], y=xy[:, 1])


def _drawn_links(cache: GeometryCache, sel: Selection) -> list[dict]:
    """The web map's arcs of the « Coopérations » (loops left out: a point on a slide)."""
    if sel.relations is None or sel.relations.empty:
        return []
    lines, _ = links.plan(sel.relations, cache.marker_map(sel.state.scale))
    return [line for line in lines if "o" not in line]


def _draw_links(frame: _Frame, cache: GeometryCache, sel: Selection, width: float = 1.0) -> None:
    """The relations as the web map's arcs, coloured by type, dashed and arrowed alike; ``width``: a factor."""
    lines = _drawn_links(cache, sel)
    if not lines:
        return
    box = frame.deps.total_bounds
    types = list(TYPES)
    paths, colors, widths, styles = [], [], [], []
    for line in lines:
        lat, lon = np.array(line["c"]).T
        if not ((lon >= box[0]) & (lon <= box[2]) & (lat >= box[1]) & (lat <= box[3])).any():
            continue
        pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(frame.crs)
        xy = np.column_stack([pts.x, pts.y])
        color = RELATION_STYLE[types[line["k"]]][0]
        paths.append(xy)
        colors.append(color)
        widths.append(line["w"] * 0.7 * width)
        styles.append((0, (4, 3)) if line["d"] else "solid")
        if line["r"]:  # the arrowhead just before the target's symbol (drawn only inside the frame)
            frame.ax.annotate(
                "",
                xy=tuple(xy[-2]),
                xytext=tuple(xy[max(len(xy) - 3, 0)]),
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": 0, "mutation_scale": 14 * width},
                zorder=4,
            )
    # autolim=False: a line to a far place must not widen the frame.
    lc = LineCollection(paths, colors=colors, linewidths=widths, linestyles=styles, alpha=0.8, zorder=4)
    frame.ax.add_collection(lc, autolim=False)


def _dodge(xy: np.ndarray, radius: float) -> np.ndarray:
    """Spread points that share a position on a small circle, so that none hides another."""
    out = xy.copy()
    keys = [tuple(np.round(p, -2)) for p in xy]  # same place within 100 m
    groups: dict[tuple, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    for idx in groups.values():
        if len(idx) > 1:
            for j, i in enumerate(idx):
                angle = 2 * np.pi * j / len(idx)
                out[i] = xy[i] + radius * np.array([np.cos(angle), np.sin(angle)])
    return out


def render_image(
    cache: GeometryCache, state: MapState, fmt: str = "png", size: tuple[int, int] = (1920, 1080)
) -> bytes:
    """The map as PNG, SVG or PDF bytes, 16:9 at ``size`` pixels (100 dpi)."""
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"format d'image inconnu : {fmt!r}")
    ds = cache.ds
    sel = select(ds, state)
    dpi = 100
    fig = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi, facecolor=SEA)
    title = title_for(sel.state, ds)
    # parse_math=False: names come from the data; a "$" in one must not start TeX (or fail to parse).
    fig.text(
        0.02,
        0.965,
        "\n".join(textwrap.wrap(title, 80)),
        fontsize=22,
        fontweight="bold",
        va="top",
        color="#1a1a1a",
        parse_math=False,
    )
    fig.text(0.02, 0.02, source_line(ds), fontsize=11, color="#333333", parse_math=False)
    deps = selected_departements(ds, sel.state).index.tolist()
    metro = [d for d in deps if d not in ref.OVERSEAS_DEPS]
    show_drom = not sel.state.regions or len(metro) < len(deps)
    main = fig.add_axes((0.15 if show_drom else 0.02, 0.06, 0.58, 0.8))
    _draw(main, cache, sel, METRO_CRS, metro or deps)
    if show_drom:
        for i, dep in enumerate(ref.OVERSEAS_DEPS):
            ax = fig.add_axes((0.02, 0.71 - i * 0.16, 0.11, 0.13))
            _draw(ax, cache, sel, ref.EQUAL_AREA_CRS[dep], [dep])
            ax.set_title(DROM_NAMES[dep], fontsize=11, pad=3)
            ax.set_axis_on()
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_color("#999999")
    leg = fig.legend(
        handles=_legend_handles(sel) + _link_handles(cache, sel),
        loc="upper right",
        bbox_to_anchor=(0.985, 0.86),
        frameon=True,
        fontsize=12,
        title="Légende",
        title_fontsize=14,
    )
    leg.get_frame().set_facecolor("white")
    buf = io.BytesIO()
    metadata = {"Title": title} if fmt != "png" else None
    fig.savefig(buf, format=fmt, dpi=dpi, facecolor=fig.get_facecolor(), metadata=metadata)
    return buf.getvalue()


def _symbol(marker: str, face: str, edge: str, label: str, edge_width: float = 1.0) -> Line2D:
    return Line2D(
        [],
        [],
        marker=marker,
        color="none",
        markerfacecolor=face,
        markeredgecolor=edge,
        markeredgewidth=edge_width,
        markersize=12,
        label=_wrap(label),
    )


def _legend_handles(sel: Selection, members_outline: bool = False) -> list:
    """The legend entries of what the image draws: member levels, actor kinds, classes."""
    handles: list = []
    if sel.levels_shown:
        handles.append(Patch(color="none", label=MEMBERS_HEADING))
        for lv in sel.levels_shown:
            color, label = LEVEL_STYLE[lv]
            if members_outline:
                handles.append(Patch(facecolor="none", edgecolor=MEMBER_EDGE[lv], linewidth=2.2, label=_wrap(label)))
            else:
                handles.append(Patch(facecolor=color, alpha=0.6, edgecolor=color, label=_wrap(label)))
        if len(readable.new_members(sel.members)):
            handles.append(
                Patch(facecolor="none", edgecolor=NEW_MEMBER_COLOR, linewidth=2.4, label=_wrap(NEW_MEMBER_LABEL))
            )
        if readable.any_approximate(sel.members):
            handles.append(Patch(facecolor="none", edgecolor="#555555", linestyle="--", label=_wrap(APPROX_NOTE)))
    kinds = [k for k in sel.kinds_shown if k in sel.state.kinds]
    if kinds:
        handles.append(Patch(color="none", label="Acteurs"))
        handles += [_symbol(MARKERS[k], KIND_STYLE[k][0], "white", KIND_STYLE[k][2]) for k in kinds]
        handles.append(_symbol("o", "white", "#555555", HOLLOW_NOTE, 1.8))
    ch = sel.choropleth
    if ch is not None and ch.classification.labels:
        cls = ch.classification
        heading = f"{ch.label} : {KINDS[sel.state.stat_kind]} ({charts.METHODS[cls.method]})"
        handles.append(Patch(color="none", label=_wrap(heading)))
        handles += [Patch(facecolor=c, label=lab) for lab, c in zip(cls.labels, cls.colors, strict=True)]
        if (cls.classes < 0).any():
            handles.append(Patch(facecolor=NO_DATA_COLOR, label=charts.NO_DATA))
        if cls.message:  # fewer classes than asked: the slide says why
            handles.append(Patch(color="none", label=_wrap(cls.message)))
    return handles


def _link_handles(cache: GeometryCache, sel: Selection) -> list:
    """The legend entries of the relation types the image draws."""
    drawn = {line["k"] for line in _drawn_links(cache, sel)}
    types = [t for i, t in enumerate(TYPES) if i in drawn]
    if not types:
        return []
    handles: list = [Patch(color="none", label=links.NAME)]
    for t in types:
        color, label = RELATION_STYLE[t]
        handles.append(Line2D([], [], color=color, linewidth=2, label=label + (" →" if t in DIRECTED else "")))
    return handles


def _wrap(label: str, width: int = 42) -> str:
    return "\n".join(textwrap.wrap(label, width))
