"""Exports of the map: a 16:9 image drawn on the server (PNG, SVG, PDF) and a standalone HTML file.

The image is drawn with matplotlib at slide resolution (1920×1080 by default):
the title made from the filters, metropolitan France (or the selected
régions) in Lambert-93, insets for the five overseas départements, one legend,
and the source and date line.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import geopandas as gpd
import numpy as np
from matplotlib.figure import Figure  # the object API: no pyplot state, safe in a server's threads
from matplotlib.image import imread
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from territoires import charts, stats
from territoires.geo import reference as ref
from territoires.io.atomic import write_bytes_atomic, write_text_atomic
from territoires.maps import (
    KIND_STYLE,
    LEVEL_STYLE,
    STAT_LABELS,
    MapData,
    select_actors,
    source_line,
    standalone_html,
    title_for,
)
from territoires.registry.schema import KINDS
from territoires.state import MEMBER_LEVELS, MapState

FORMATS = ("png", "svg", "pdf", "html")
MARKERS = {
    "ptce_pole": "o",
    "ptce_project": "s",
    "ples": "^",
    "citeslab": "D",
    "initiative": "P",
    "event": "X",
    "network_office": "*",
    "rtes_board_member": "h",
}
DROM_NAMES = {"971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte"}
METRO_CRS = "EPSG:2154"  # Lambert-93: conformal, the usual projection of maps of France (not for areas)


def _draw(ax, data: MapData, state: MapState, crs: str, deps: list[str] | None, classification_out: list) -> None:
    """Draw boundaries, choropleth, members and actors on ``ax`` for the départements ``deps``."""
    ds = data.ds
    scale = "region" if state.regions else "france"
    b = data.boundaries(scale)
    dep_layer = b.departements if deps is None else b.departements[b.departements.index.isin(deps)]
    col = "reg_2012" if state.system == "2012" else "reg"
    regions = b.regions_2012 if state.system == "2012" else b.regions
    if dep_layer.empty:  # e.g. an overseas inset for data without that département
        ax.set_axis_off()
        return
    reg_codes = set(dep_layer[col])
    reg_layer = regions[regions.index.isin(reg_codes)]

    if state.statistic:
        by = "departement" if state.regions else state.by
        terr = stats.territories(ds.levels, by)
        table = stats.density_table(ds.placed, terr, state.stat_kind).set_index("code")
        units = dep_layer if by == "departement" else reg_layer
        allv = (
            table[state.statistic]
            .reindex(
                (b.departements[b.departements[col].isin(state.regions)] if by == "departement" else regions).index
            )
            .astype(float)
        )
        cls = charts.classify(allv.to_numpy(), state.method, state.classes)
        if not classification_out:
            classification_out.append(cls)
        colors = dict(zip(allv.index, [cls.color_of(int(c)) for c in cls.classes], strict=True))
        units.to_crs(crs).plot(ax=ax, color=[colors.get(c, "#d9d9d9") for c in units.index], linewidth=0)
    else:
        reg_layer.to_crs(crs).plot(ax=ax, color="#ffffff", linewidth=0)

    actors = select_actors(ds.placed, state)
    geo = data.actor_shapes(scale)
    if state.members:
        members = actors[actors["kind"] == "rtes_member"]
        for lv in MEMBER_LEVELS:
            ids = members.loc[members["level"] == lv, "id"]
            g = gpd.GeoDataFrame(geometry=geo.loc[ids, "geometry"].to_numpy(), crs="EPSG:4326")
            g = g[g.geometry.notna()]
            if deps is not None:
                box = dep_layer.total_bounds
                g = g.cx[box[0] : box[2], box[1] : box[3]]
            if len(g):
                color = LEVEL_STYLE[lv][0]
                g.to_crs(crs).plot(ax=ax, color=color, alpha=0.45, edgecolor=color, linewidth=0.8)
    dep_layer.to_crs(crs).boundary.plot(ax=ax, color="#8a8a8a", linewidth=0.35, linestyle=(0, (2, 2)))
    reg_layer.to_crs(crs).boundary.plot(ax=ax, color="#444444", linewidth=0.9)
    sub = actors[actors["kind"].isin(state.kinds)]
    anchors = geo.loc[sub["id"], "anchor"]
    keep = anchors.notna().to_numpy()
    sub, anchors = sub[keep], anchors[keep]
    if len(sub):
        pts = gpd.GeoSeries(anchors.to_numpy(), crs="EPSG:4326")
        if deps is not None:
            box = dep_layer.total_bounds
            inside = ((pts.x >= box[0]) & (pts.x <= box[2]) & (pts.y >= box[1]) & (pts.y <= box[3])).to_numpy()
            sub, pts = sub[inside], pts[inside]
        p = pts.to_crs(crs)
        xy = _dodge(
            np.column_stack([p.x, p.y]), radius=0.012 * max(np.ptp(dep_layer.to_crs(crs).total_bounds[[0, 2]]), 1.0)
        )
        vague = sub["precision"].isin(["region", "departement"]).to_numpy()
        for kind in state.kinds:
            for is_vague in (False, True):
                m = (sub["kind"].to_numpy() == kind) & (vague == is_vague)
                if not m.any():
                    continue
                color = KIND_STYLE[kind][0]
                ax.scatter(
                    xy[m, 0],
                    xy[m, 1],
                    s=80,
                    marker=MARKERS[kind],
                    zorder=5,
                    color="white" if is_vague else color,
                    edgecolors=color if is_vague else "white",
                    linewidths=1.8 if is_vague else 1.2,
                )
    ax.set_axis_off()
    ax.set_aspect("equal")


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


def render_image(data: MapData, state: MapState, fmt: str = "png", size: tuple[int, int] = (1920, 1080)) -> bytes:
    """The map as PNG, SVG or PDF bytes, 16:9 at ``size`` pixels (100 dpi)."""
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"format d'image inconnu : {fmt!r}")
    state = state.validated()
    ds = data.ds
    dpi = 100
    fig = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi, facecolor="#eef3f7")
    fig.text(
        0.02,
        0.965,
        "\n".join(textwrap.wrap(title_for(state, ds), 80)),
        fontsize=22,
        fontweight="bold",
        va="top",
        color="#1a1a1a",
    )
    fig.text(0.02, 0.02, source_line(ds), fontsize=11, color="#333333")
    cls_out: list = []
    show_drom = not state.regions or any(r in ("01", "02", "03", "04", "06") for r in state.regions)
    main = fig.add_axes((0.15 if show_drom else 0.02, 0.06, 0.58, 0.8))
    if state.regions:
        col = "reg_2012" if state.system == "2012" else "reg"
        deps = ds.levels["departements"].loc[lambda d: d[col].isin(state.regions), "code"].tolist()
        deps = [d for d in deps if d not in ref.OVERSEAS_DEPS] or deps
    else:
        deps = [d for d in ds.levels["departements"]["code"] if d not in ref.OVERSEAS_DEPS]
    _draw(main, data, state, METRO_CRS, deps, cls_out)
    if show_drom:
        for i, dep in enumerate(ref.OVERSEAS_DEPS):
            ax = fig.add_axes((0.02, 0.71 - i * 0.16, 0.11, 0.13))
            _draw(ax, data, state, ref.EQUAL_AREA_CRS[dep], [dep], cls_out)
            ax.set_title(DROM_NAMES[dep], fontsize=11, pad=3)
            ax.set_axis_on()
            ax.set_xlabel("")
            ax.set_ylabel("")
            ax.set_xticks([])
            ax.set_yticks([])
            for s in ax.spines.values():
                s.set_color("#999999")
    shown = select_actors(ds.placed, state)
    kinds = [k for k in state.kinds if (shown["kind"] == k).any()]
    levels = [lv for lv in state.levels if ((shown["kind"] == "rtes_member") & (shown["level"] == lv)).any()]
    handles = []
    if state.members and levels:
        handles.append(Patch(color="none", label="Adhérents du RTES (août 2012)"))
        handles += [
            Patch(
                facecolor=LEVEL_STYLE[lv][0], alpha=0.6, edgecolor=LEVEL_STYLE[lv][0], label=_wrap(LEVEL_STYLE[lv][1])
            )
            for lv in levels
        ]
    if kinds:
        handles.append(Patch(color="none", label="Acteurs"))
        handles += [
            Line2D(
                [],
                [],
                marker=MARKERS[k],
                color="none",
                markerfacecolor=KIND_STYLE[k][0],
                markeredgecolor="white",
                markersize=12,
                label=_wrap(KIND_STYLE[k][2]),
            )
            for k in kinds
        ]
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                color="none",
                markerfacecolor="white",
                markeredgecolor="#555555",
                markeredgewidth=1.8,
                markersize=12,
                label=_wrap("Symbole vide : situé seulement dans une région ou un département"),
            )
        )
    if cls_out and cls_out[0].labels:
        cls = cls_out[0]
        handles.append(
            Patch(
                color="none",
                label=_wrap(
                    f"{STAT_LABELS[state.statistic]} : {KINDS[state.stat_kind]} ({charts.METHODS[state.method]})"
                ),
            )
        )
        handles += [Patch(facecolor=c, label=lab) for lab, c in zip(cls.labels, cls.colors, strict=True)]
        if (cls.classes < 0).any():
            handles.append(Patch(facecolor="#d9d9d9", label=charts.NO_DATA))
    leg = fig.legend(
        handles=handles,
        loc="upper right",
        bbox_to_anchor=(0.985, 0.86),
        frameon=True,
        fontsize=12,
        title="Légende",
        title_fontsize=14,
    )
    leg.get_frame().set_facecolor("white")
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format=fmt,
        dpi=dpi,
        facecolor=fig.get_facecolor(),
        metadata={"Title": title_for(state, ds)} if fmt != "png" else None,
    )
    return buf.getvalue()


def _wrap(label: str, width: int = 42) -> str:
    return "\n".join(textwrap.wrap(label, width))


def export_map(data: MapData, state: MapState, fmt: str, output: Path, size: tuple[int, int] = (1920, 1080)) -> int:
    """Write the map to ``output`` atomically; returns the bytes written."""
    if fmt == "html":
        html = standalone_html(data, state)
        write_text_atomic(output, html)
        return len(html.encode())
    data_bytes = render_image(data, state, fmt, size)
    write_bytes_atomic(output, data_bytes)
    return len(data_bytes)


def blank_fraction(png: bytes) -> float:
    """Share of pixels equal to the background (for tests: an export must not be blank)."""
    img = imread(io.BytesIO(png))
    bg = img[5, img.shape[1] // 2]
    return float(np.mean(np.all(np.isclose(img, bg, atol=1e-3), axis=-1)))
