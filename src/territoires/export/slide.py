"""A slide of the storyboard as a 16:9 picture (PNG, SVG, PDF) that reads from the back of the room.

The map of the view fills the frame (the selected régions, the searched place, or France with
Corsica), the actors shown are named when they are few, the key figure is in large type, and a QR
code opens the same view on the dashboard. A fiche slide shows the territory's map instead. The
drawing is image.py's and fiche.py's; this module lays it out for a room.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import segno
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from territoires import fmt
from territoires.export.image import DROM_NAMES, METRO_CRS, _draw, _legend_handles, _link_handles
from territoires.geo import reference as ref
from territoires.selection import Selection, select, selected_departements, source_line
from territoires.storyboard.model import Slide
from territoires.styles import SEA
from territoires.webmap.geometry import GeometryCache, place_bounds

W, H, DPI = 1920, 1080, 100  # pixels; 1 pt = DPI/72 px
PX = 72 / DPI  # points per pixel
TITLE_PT, FIGURE_PT = 30, 42  # 42 pt = 58 px: the key figure reads from the back of the room
MARKER_PX = 28  # a symbol's width: ≥ 24 px
MARKER_S = (MARKER_PX * PX) ** 2  # matplotlib's scatter size (points²)
QR_PX = 250  # the QR code's side, quiet zone included: a phone reads it from a few metres
MARGIN = 24  # pixels
RIGHT = 0.75  # the map's part of the width; the legend and the QR code have the rest
LEFT_INSETS = 0.14  # the overseas insets' column, when there are some
BOTTOM = 0.065  # the source line's band
INK, ACCENT = "#1a1a1a", "#701f81"  # the key figure in the density palette's dark purple
MAX_LABELS = 15


@dataclass
class Composed:
    """A slide's figure and the parts a test or the deck looks at."""

    fig: Figure
    ax: Any  # the main map's axes
    frame: Bbox  # where the selection must fit, in pixels
    selection: tuple[float, float, float, float]  # its bounds (w, s, e, n) in the map's coordinates
    title: Text | None = None
    figure: Text | None = None
    labels: list[Text] = field(default_factory=list)
    qr: Any = None  # the QR code's axes


def qr_matrix(url: str) -> np.ndarray:
    """The QR code of ``url`` as booleans (True: dark), with its quiet zone of 4 modules."""
    q = segno.make(url, error="m", micro=False)
    return np.pad(np.array(q.matrix, dtype=bool), 4)


def band_height(slide: Slide) -> float:
    """The title band's height, as a fraction of the slide: the title and the key figure's lines."""
    size, lines = figure_lines(slide)
    return (MARGIN + 1.25 * TITLE_PT / PX * len(title_lines(slide)) + 1.2 * size / PX * len(lines) + MARGIN) / H


def title_lines(slide: Slide) -> list[str]:
    """The title on one line, two when long (90 characters at most: see the model)."""
    return textwrap.wrap(slide.title, 64)[:2]


def figure_lines(slide: Slide) -> tuple[float, list[str]]:
    """The key figure's size (points) and lines: 42 pt on up to three lines, else 34 pt (47 px)."""
    if not slide.figure:
        return FIGURE_PT, []
    lines = textwrap.wrap(slide.figure, 48)  # 48 bold characters at 42 pt: the slide's width
    if len(lines) <= 3:
        return FIGURE_PT, lines
    return FIGURE_PT * 0.8, textwrap.wrap(slide.figure, 60)[:3]


def qr_box() -> tuple[float, float, float, float]:
    """Where the QR code goes (figure fractions): bottom right, above the source line."""
    return ((W - MARGIN - QR_PX) / W, BOTTOM, QR_PX / W, QR_PX / H)


def compose(
    cache: GeometryCache, slide: Slide, *, link: str, today: dt.date | None = None, text: bool = True
) -> Composed:
    """The slide's figure. ``text=False``: without the title, key figure, QR code and source line (the
    deck writes them as its own text boxes and pictures over the map)."""
    fig = Figure(figsize=(W / DPI, H / DPI), dpi=DPI, facecolor=SEA)
    FigureCanvasAgg(fig)  # a renderer, to measure the labels
    top = 1 - band_height(slide)
    if slide.fiche:
        from territoires.export.slide_fiche import fiche_map  # the fiche's drawing, only when a slide has one

        out = fiche_map(fig, cache, slide, top)
    else:
        out = _view_map(fig, cache, slide, top)
    if text:
        _texts(out, cache, slide, link, today)
    return out


def _texts(out: Composed, cache: GeometryCache, slide: Slide, link: str, today: dt.date | None) -> None:
    """The title, the key figure, the QR code and the source line."""
    # parse_math=False: titles and names come from the data; a "$" must not start TeX.
    big = {"fontweight": "bold", "va": "top", "parse_math": False, "linespacing": 1.1}
    lines, (size, figure) = title_lines(slide), figure_lines(slide)
    out.title = out.fig.text(MARGIN / W, 1 - MARGIN / H, "\n".join(lines), fontsize=TITLE_PT, color=INK, **big)
    if figure:
        y = 1 - (MARGIN + 1.25 * TITLE_PT / PX * len(lines)) / H
        out.figure = out.fig.text(MARGIN / W, y, "\n".join(figure), fontsize=size, color=ACCENT, **big)
    foot = "\n".join(textwrap.wrap(footer(cache, today), 150)[:2])
    out.fig.text(MARGIN / W, 0.012, foot, fontsize=13, color="#333333", parse_math=False)
    out.qr = draw_qr(out.fig, link)


def footer(cache: GeometryCache, today: dt.date | None = None) -> str:
    """The source and date line, in French."""
    day = (today or dt.date.today()).isoformat()
    return f"{source_line(cache.ds)} Présenté le {fmt.date(day)}."


def draw_qr(fig: Figure, link: str) -> Any:
    """The QR code of ``link`` at the bottom right, each module a whole number of pixels (crisp)."""
    m = qr_matrix(link)
    side = len(m) * max(1, QR_PX // len(m))
    ax = fig.add_axes(((W - MARGIN - side) / W, BOTTOM, side / W, side / H))
    ax.imshow(~m, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    fig.text((W - MARGIN - side / 2) / W, BOTTOM - 4 / H, "La vue en direct", ha="center", va="top", fontsize=13)
    return ax


def fit_limits(ax: Any, bounds: tuple[float, float, float, float], frame: Bbox, pad: float = 0.04) -> None:
    """Set ``ax``'s limits so that ``bounds`` (w, s, e, n) fill ``frame`` (pixels) at one scale, on its
    left: the legend has the room on the right."""
    w, s, e, n = bounds
    dx, dy = max(e - w, 1.0) * (1 + 2 * pad), max(n - s, 1.0) * (1 + 2 * pad)
    # The axes' own box, not the one an "equal" aspect would shrink it to at draw time.
    ax.set_aspect("auto")
    ax.set_position(ax.get_position(original=True))
    box = ax.get_position(original=True).transformed(ax.figure.transFigure)
    scale = max(dx / frame.width, dy / frame.height)  # map units per pixel
    cx = w - dx * pad / (1 + 2 * pad) - scale * (frame.x0 - box.x0)
    cy = (s + n) / 2 - scale * ((frame.y0 + frame.y1) / 2 - box.y0)
    ax.set_xlim(cx, cx + scale * box.width)
    ax.set_ylim(cy, cy + scale * box.height)


def _frame_px(top: float, insets: bool) -> Bbox:
    """The part of the slide the selection fills, in pixels."""
    x0 = LEFT_INSETS * W if insets else MARGIN
    return Bbox([[x0, BOTTOM * H + 40], [RIGHT * W, top * H - 8]])


def _bounds(cache: GeometryCache, sel: Selection, deps: list[str]) -> tuple[float, float, float, float]:
    """What the slide frames: the searched place, or the départements drawn (Lambert-93)."""
    if sel.state.place:
        b = place_bounds(cache, sel.state.place)
        if b is not None:
            box = gpd.GeoSeries.from_xy([b["w"], b["e"]], [b["s"], b["n"]], crs="EPSG:4326").to_crs(METRO_CRS)
            (w, s_, e, n), r = box.total_bounds, 40_000.0  # the place among its neighbours: 80 km at least
            cx, cy, r = (w + e) / 2, (s_ + n) / 2, max(r, (e - w) / 2, (n - s_) / 2)
            return (cx - r, cy - r, cx + r, cy + r)
    layer = cache.boundaries_at(sel.state.scale).departements
    return tuple(layer[layer.index.isin(deps)].to_crs(METRO_CRS).total_bounds)


def _drom_shown(sel: Selection, deps: list[str], ds: Any) -> list[str]:
    """The overseas départements of the view that hold a member or an actor shown."""
    shown = sel.actors[sel.actors["kind"].isin(sel.state.kinds) | (sel.actors["kind"] == "rtes_member")]
    if not sel.state.members:
        shown = shown[shown["kind"] != "rtes_member"]
    d, held = ds.levels["departements"], set(shown["dep"].dropna())
    for col in ("reg_2012", "reg"):  # members of a whole région
        held |= set(d.loc[d[col].isin(set(shown.loc[shown["dep"].isna(), col].dropna())), "code"])
    return [x for x in ref.OVERSEAS_DEPS if x in deps and x in held]


def _view_map(fig: Figure, cache: GeometryCache, slide: Slide, top: float) -> Composed:
    """The view's map: framed on its selection, overseas insets when they hold something, named actors."""
    ds = cache.ds
    sel = select(ds, slide.state)
    deps = selected_departements(ds, sel.state).index.tolist()
    metro = [d for d in deps if d not in ref.OVERSEAS_DEPS] or deps
    drom = _drom_shown(sel, deps, ds) if metro != deps else []
    ax = fig.add_axes((0, BOTTOM, 1, top - BOTTOM))
    frame = _frame_px(top, bool(drom))
    bounds = _bounds(cache, sel, metro)
    per_px = max((bounds[2] - bounds[0]) / frame.width, (bounds[3] - bounds[1]) / frame.height) * 1.08
    outline = sel.choropleth is not None  # members as outlines: the choropleth keeps its colours
    drawn = _draw(ax, cache, sel, METRO_CRS, metro, MARKER_S, spread=0.6 * MARKER_PX * per_px, members_outline=outline)
    fit_limits(ax, bounds, frame)
    out = Composed(fig, ax, frame, bounds)
    land = ax.transData.transform((bounds[2], bounds[3]))[0]
    obstacles = [_legend(fig, sel, cache, top, land, outline)]
    right = obstacles[0].x0 - 16 if obstacles[0].width else frame.x1
    if right > land:  # the selection centred in the room the legend leaves
        (x0, x1), shift = ax.get_xlim(), (right - land) / 2 * (ax.get_xlim()[1] - ax.get_xlim()[0]) / ax.bbox.width
        ax.set_xlim(x0 - shift, x1 - shift)
    for i, dep in enumerate(drom):
        obstacles.append(_inset(fig, cache, sel, dep, i, top))
    obstacles.append(_scale_bar(ax))
    if drawn is not None and 0 < len(drawn) <= MAX_LABELS:
        out.labels = place_labels(ax, drawn, [*obstacles, _reserved(top)])
    return out


def _reserved(top: float) -> Bbox:
    """The QR code's corner, kept free of labels even when the QR code is drawn by the deck."""
    x, y, _w, h = qr_box()
    return Bbox([[x * W - 8, 0], [W, (y + h) * H + 8]])


def _inset(fig: Figure, cache: GeometryCache, sel: Selection, dep: str, i: int, top: float) -> Bbox:
    """One overseas département, small, in the left column."""
    h = min(0.16, (top - BOTTOM - 0.02) / 5)
    ax = fig.add_axes((MARGIN / W, top - (i + 1) * h, LEFT_INSETS - 2 * MARGIN / W, h - 0.035))
    _draw(ax, cache, sel, ref.EQUAL_AREA_CRS[dep], [dep], marker_size=MARKER_S * 0.6)
    ax.set_title(DROM_NAMES[dep], fontsize=15, pad=3)
    ax.set(xticks=[], yticks=[])
    ax.set_axis_on()
    for spine in ax.spines.values():
        spine.set_color("#999999")
    return ax.get_tightbbox(fig.canvas.get_renderer())


def _legend(fig: Figure, sel: Selection, cache: GeometryCache, top: float, land: float, outline: bool) -> Bbox:
    """image.py's legend at the top right, in the largest type that keeps it above the QR code and
    right of the map (``land``: the selection's right edge, pixels); in two columns when long."""
    handles = _legend_handles(sel, outline) + _link_handles(cache, sel)
    if not handles:
        return Bbox([[0, 0], [0, 0]])
    floor = _reserved(top).y1 + 6
    tries = [(1, 16), (1, 15), (2, 16), (2, 15), (1, 14), (2, 14), (2, 13), (1, 13), (2, 12), (2, 11), (2, 10)]
    where = {"loc": "upper right", "bbox_to_anchor": (1 - MARGIN / W, top - 0.01), "title": "Légende"}
    for ncols, size in tries:
        leg = fig.legend(handles=handles, ncols=ncols, fontsize=size, title_fontsize=size + 2, markerscale=1.4, **where)
        box = leg.get_window_extent(fig.canvas.get_renderer())
        if (box.y0 >= floor and box.x0 >= land + 16) or (ncols, size) == tries[-1]:
            break
        leg.remove()
    leg.get_frame().set_facecolor("white")
    for t in leg.get_texts():
        t.set_parse_math(False)
    return box


def nice_length(span: float) -> float:
    """A round length (1, 2 or 5 × 10ⁿ) close below ``span``."""
    p = 10 ** math.floor(math.log10(span))
    return max(m * p for m in (1, 2, 5) if m * p <= span)


def _scale_bar(ax: Any) -> Bbox:
    """A metric scale bar at the bottom left of the map (Lambert-93 is in metres)."""
    x0, x1 = ax.get_xlim()
    per_px = (x1 - x0) / ax.get_window_extent().width
    length = nice_length(220 * per_px)
    label = f"{fmt.number(length / 1000, 0 if length >= 1000 else 1)} km"
    at = {"loc": "lower left", "bbox_to_anchor": (MARGIN, BOTTOM * H + 6), "bbox_transform": None, "pad": 0.6}
    bar = AnchoredSizeBar(ax.transData, length, label, size_vertical=5 * per_px, fontproperties={"size": 15}, **at)
    ax.add_artist(bar)
    return bar.get_window_extent(ax.figure.canvas.get_renderer())


# Candidate directions, the right first (the eye reads on), then left, above, below, the diagonals.
_ANGLES = (0, 180, 90, 270, 45, 135, 315, 225, 20, 160, 340, 200, 67, 113, 247, 293)
_RADII = (MARKER_PX * 0.6, 34, 60, 95, 140, 200, 270)  # pixels from the symbol's centre


def place_labels(ax: Any, drawn: pd.DataFrame, obstacles: list[Bbox]) -> list[Text]:
    """Name the actors drawn, no label over another, a symbol, the legend or the frame's edge.

    Greedy, in pixels: each label takes the first free spot on rings around its symbol (a leader
    line when it had to go far); deterministic, so a slide is the same every time.
    """
    renderer = ax.figure.canvas.get_renderer()
    to_px = ax.transData.transform
    pts = to_px(drawn[["x", "y"]].to_numpy(dtype=float))
    half = MARKER_PX / 2 + 2
    taken = [Bbox([[x - half, y - half], [x + half, y + half]]) for x, y in pts] + list(obstacles)
    area = ax.get_window_extent()
    order = np.argsort(-pts[:, 1], kind="stable")  # top to bottom
    out: list[Text] = []
    for i in order:
        name = "\n".join(textwrap.wrap(str(drawn["name"].iloc[i]), 24)[:2])
        t = ax.text(0, 0, name, fontsize=16, fontweight="bold", color=INK, zorder=7, parse_math=False)
        t.set_path_effects([patheffects.withStroke(linewidth=4, foreground="white")])
        w, h = (lambda b: (b.width, b.height))(t.get_window_extent(renderer))
        best, best_hits = None, None
        for r in _RADII:
            for a in _ANGLES:
                box = _candidate(pts[i], r, a, w, h)
                inside = area.x0 <= box.x0 and box.x1 <= area.x1 and area.y0 <= box.y0 and box.y1 <= area.y1
                hits = sum(box.overlaps(o) for o in taken) + (0 if inside else 100)
                if best_hits is None or hits < best_hits:
                    best, best_hits = (box, r), hits
                if hits == 0:
                    break
            if best_hits == 0:
                break
        box, r = best
        t.set_position(ax.transData.inverted().transform((box.x0, box.y0)))
        t.set_ha("left")
        t.set_va("bottom")
        taken.append(box.expanded(1.0, 1.0))
        if r > _RADII[1]:  # far from its symbol: a thin line says whose label it is
            nearest = np.clip(pts[i], [box.x0, box.y0], [box.x1, box.y1])
            (x0, y0), (x1, y1) = ax.transData.inverted().transform([pts[i], nearest])
            ax.add_line(Line2D([x0, x1], [y0, y1], color="#555555", linewidth=1.2, zorder=6))
        out.append(t)
    return out


def _candidate(p: np.ndarray, r: float, angle: float, w: float, h: float) -> Bbox:
    """The box of a ``w``×``h`` label at distance ``r`` from ``p`` in direction ``angle`` (degrees)."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    x = p[0] + r * c - (0 if c > 0.3 else w if c < -0.3 else w / 2)
    y = p[1] + r * s - (0 if s > 0.3 else h if s < -0.3 else h / 2)
    return Bbox([[x - 3, y - 3], [x + w + 3, y + h + 3]])


def save(fig: Figure, fmt_: str, title: str = "") -> bytes:
    """The figure as PNG, SVG or PDF bytes."""
    buf = io.BytesIO()
    metadata = {"Title": title, "Creator": "Territoires"} if fmt_ == "pdf" else None
    fig.savefig(buf, format=fmt_, dpi=DPI, facecolor=fig.get_facecolor(), metadata=metadata)
    return buf.getvalue()


def render_slide(
    cache: GeometryCache, slide: Slide, *, link: str, fmt: str = "png", today: dt.date | None = None
) -> bytes:
    """The slide as PNG (1920×1080), SVG or PDF bytes; ``link``: the URL its QR code opens."""
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"format de diapositive inconnu : {fmt!r}")
    return save(compose(cache, slide, link=link, today=today).fig, fmt, slide.title)
