"""The territory profile as one A4 portrait page (PDF or PNG), drawn with matplotlib's object API.

Title, a small map (the territory's outline, its actors as symbols, its relations as lines), the
lists (members covering it, members and actors in it, actors placed more widely, relations with
their amounts), the key figures beside the région's and France's, the sources and the date. The
lists are cut to fit the page (« … et n autres »): the PDF is always one page.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure  # the object API: no pyplot state, safe in a server's threads
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from territoires import fmt
from territoires.dataset import Dataset
from territoires.export.image import MARKERS, METRO_CRS, _dodge
from territoires.fiche import Fiche
from territoires.geo import reference as ref
from territoires.geo.reader import Boundaries, load_shapes
from territoires.registry.join import drawn_from_units, record_shape
from territoires.styles import KIND_STYLE, LEVEL_STYLE, SEA, SHORT_KIND

A4 = (8.27, 11.69)  # inches, portrait
DPI = 150  # the PNG: 1240 × 1754 pixels
FONT = 7.6  # the lists' font size (points)
LINE = FONT * 1.32 / 72 / A4[1]  # one line of the lists, as a fraction of the page height
WIDTH = 66  # characters of a line in a column of the lists
ITEM_LINES = 3  # at most, per item: a long name or sentence is cut
_LAYERS = {"departement": "departements", "region": "regions", "region_2012": "regions_2012"}


# ---------------------------------------------------------------------------- map
@dataclass
class MapLayers:
    """What the small map draws, in longitude/latitude."""

    outline: shapely.Geometry | None
    context: list[shapely.Geometry]
    points: pd.DataFrame  # x, y, kind, vague
    lines: list[tuple[tuple[float, float], tuple[float, float]]]
    crs: str


def _crs(ds: Dataset, f: Fiche) -> str:
    """Lambert-93, or the overseas département's own projection."""
    deps = ds.levels["departements"]
    if f.level in ("region", "region_2012"):
        col = "reg" if f.level == "region" else "reg_2012"
        codes = deps.loc[deps[col] == f.code, "code"].tolist()
    else:
        codes = [(f.departement or {}).get("code")]
    over = [c for c in codes if c in ref.OVERSEAS_DEPS]
    return ref.EQUAL_AREA_CRS[over[0]] if over else METRO_CRS


def map_layers(ds: Dataset, f: Fiche) -> MapLayers:
    """The territory's outline and surroundings, its actors' anchors and its relations' ends."""
    base = ds.base
    units = ds.units.of(f.level, f.code)
    if f.level in _LAYERS:
        outline = load_shapes(_LAYERS[f.level], [f.code], base=base).get(f.code)
    else:
        parts = list(load_shapes("communes_2012", units, base=base).values())
        outline = shapely.coverage_union_all(np.array(parts, dtype=object)) if parts else None
    around = {"commune": ("departements", f.departement), "epci": ("departements", f.departement)}
    around["departement"] = ("regions_2012", f.region_2012)
    level, where = around.get(f.level, (None, None))
    if f.level in ("commune", "epci") and where:  # the communes of 2012 around, for a sense of place
        level, codes = "communes_2012", ds.units.of("departement", where["code"])
    else:
        codes = [where["code"]] if where else []
    context = list(load_shapes(level, codes, base=base).values()) if level else []
    ids = {a["id"] for a in f.actors_in} | {r[e] for r in f.relations for e in ("from_id", "to_id")}
    anchors = _anchors(ds, ids)
    vague = ("region", "departement")  # placed only in a région or a département: drawn hollow
    pts = [
        (*anchors[a["id"]], a["kind"], a["precision"] in vague, a["name"]) for a in f.actors_in if anchors.get(a["id"])
    ]
    lines = [(anchors[r["from_id"]], anchors[r["to_id"]]) for r in f.relations]
    lines = [ln for ln in lines if None not in ln]
    points = pd.DataFrame(pts, columns=["x", "y", "kind", "vague", "name"])
    return MapLayers(outline, context, points, lines, _crs(ds, f))


def _anchors(ds: Dataset, ids: set[str]) -> dict[str, tuple[float, float] | None]:
    """Each record's point of reference (:func:`~territoires.registry.join.anchors`' rule), read alone."""
    recs = list(ds.placed[ds.placed["id"].isin(ids)].itertuples(index=False))
    needed = {c for a in recs if drawn_from_units(a) for c in ds.units.of_record(a)}
    outlines = load_shapes("communes_2012", needed, base=ds.base)
    b = Boundaries(ds.base, scale="region")
    out: dict[str, tuple[float, float] | None] = {}
    for a in recs:
        g = None if a.level in ("national", "none") else record_shape(a, ds.units, b, outlines)
        p = None if g is None or g.is_empty else g.representative_point()
        out[a.id] = None if p is None else (p.x, p.y)
    return {i: out.get(i) for i in ids}


def _draw_map(ax: Any, f: Fiche, layers: MapLayers, spread: float | None = None) -> pd.DataFrame:
    """The territory filled (its member level's colour if it is a member), its actors and relation lines.

    ``spread``: how far apart (map units) symbols at one place are drawn; by default a share of the
    territory's size (an A4 page), a slide gives its symbols' size. Returns where each actor was drawn
    (``x``, ``y`` in the map's projection, ``name``), for labels."""
    ax.set_facecolor(SEA)
    if layers.outline is None:
        ax.text(0.5, 0.5, "Contour indisponible", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return pd.DataFrame(columns=["x", "y", "name"])

    def proj(geoms: list) -> gpd.GeoSeries:
        return gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs(layers.crs)

    shape = proj([layers.outline])
    w, s, e, n = shape.total_bounds
    # A commune or an EPCI with its surroundings (its département's border); a larger territory close up.
    pad = (0.35 if f.level in ("commune", "epci") else 0.06) * max(e - w, n - s, 2000.0)
    if layers.context:
        proj(layers.context).plot(ax=ax, color="white", edgecolor="#aaaaaa", linewidth=0.4)
    color = LEVEL_STYLE[f.level][0] if f.member else "#c6dbef"
    shape.plot(ax=ax, color=color, alpha=0.55, edgecolor="#08306b", linewidth=1.2)
    if layers.lines:
        a = proj([shapely.Point(p) for p, _ in layers.lines]).get_coordinates().to_numpy()
        b = proj([shapely.Point(q) for _, q in layers.lines]).get_coordinates().to_numpy()
        ab = _dodge(np.vstack([a, b]), radius=0.04 * max(e - w, n - s, 2000.0))
        for (x0, y0), (x1, y1) in zip(ab[: len(a)], ab[len(a) :], strict=True):
            ax.plot([x0, x1], [y0, y1], color="#b2182b", linewidth=1.0, alpha=0.8, zorder=4)
    drawn = pd.DataFrame(columns=["x", "y", "name"])
    if len(layers.points):
        xy = proj([shapely.Point(x, y) for x, y in zip(layers.points["x"], layers.points["y"], strict=True)])
        xy = _dodge(xy.get_coordinates().to_numpy(), radius=spread or 0.03 * max(e - w, n - s, 2000.0))
        drawn = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "name": layers.points["name"].to_numpy()})
        for (kind, vague), i in layers.points.groupby(["kind", "vague"]).groups.items():
            k = layers.points.index.get_indexer(i)
            ink = KIND_STYLE.get(kind, ("#333333",))[0]
            face, edge = ("white", ink) if vague else (ink, "white")
            ax.scatter(xy[k, 0], xy[k, 1], s=42, marker=MARKERS.get(kind, "o"), color=face, edgecolors=edge, zorder=5)
    ax.set_xlim(w - pad, e + pad)
    ax.set_ylim(s - pad, n + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")  # geopandas labels projected axes; a map needs none
    ax.set_ylabel("")
    handles = [Patch(facecolor=color, alpha=0.55, edgecolor="#08306b", label="Le territoire")]
    for kind in dict.fromkeys(layers.points["kind"]) if len(layers.points) else ():
        ink = KIND_STYLE.get(kind, ("#333333",))[0]
        label = SHORT_KIND.get(kind, kind)
        handles.append(
            Line2D(
                [],
                [],
                marker=MARKERS.get(kind, "o"),
                color="none",
                markerfacecolor=ink,
                markeredgecolor="white",
                markersize=6,
                label=label[:1].upper() + label[1:],
            )
        )
    if len(layers.points) and layers.points["vague"].any():
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                color="none",
                markerfacecolor="white",
                markeredgecolor="#555555",
                markersize=6,
                label="Symbole vide : situé dans une région ou un département",
            )
        )
    if layers.lines:
        handles.append(Line2D([], [], color="#b2182b", label="Relations"))
    ax.legend(handles=handles, loc="lower left", fontsize=6, framealpha=0.9)
    return drawn


# ----------------------------------------------------------------------- the lists
def _wrap(text: str, width: int = WIDTH, lines: int = ITEM_LINES) -> list[str]:
    """``text`` wrapped, cut to ``lines`` lines with an ellipsis; the first line bulleted."""
    out = textwrap.wrap(" ".join(str(text).split()), width - 2) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 3] + "…"
    return ["• " + out[0], *("  " + x for x in out[1:])]


def fit(sections: list[tuple[str, list[str]]], budget: int) -> list[list[str]]:
    """Each section's lines (its title first), cut so that all fit in ``budget`` lines.

    Every section keeps its title and at least one line; the longest give way first, each
    cut one ending « … et n autres ».
    """
    wrapped = [[_wrap(item) for item in items] for _, items in sections]
    need = [1 + (sum(len(w) for w in ws) or 1) for ws in wrapped]
    cap = max(need, default=0)
    while cap > 2 and sum(min(n, cap) for n in need) > budget:
        cap -= 1
    out = []
    for (title, items), ws, n in zip(sections, wrapped, need, strict=True):
        lines = [title]
        if not items:
            lines.append("  aucun")
        elif n <= cap:
            lines += [line for w in ws for line in w]
        else:
            shown = 0
            for w in ws:
                if len(lines) + len(w) > cap - 1:
                    break
                lines += w
                shown += 1
            lines.append(f"  … et {len(items) - shown} autre{'s' if len(items) - shown > 1 else ''}")
        out.append(lines)
    return out


def _column(fig: Figure, x: float, top: float, bottom: float, sections: list[tuple[str, list[str]]]) -> None:
    """Sections of a column written top-down between ``top`` and ``bottom`` (fractions of the page)."""
    gap = 0.4  # lines between two sections
    budget = int((top - bottom) / LINE - gap * len(sections))
    y = top
    for lines in fit(sections, budget):
        for i, line in enumerate(lines):
            weight = "bold" if i == 0 else "normal"
            # parse_math=False: names come from the data; a "$" must not start TeX.
            fig.text(x, y, line, fontsize=FONT, fontweight=weight, va="top", color="#1a1a1a", parse_math=False)
            y -= LINE
        y -= gap * LINE


LEVEL_SHORT = {"region_2012": "région", "region": "région", "departement": "département", "epci": "EPCI"}


def _member_item(m: dict) -> str:
    level = LEVEL_SHORT.get(m["level"], m["level"])
    inside = m["couverture"] == "située dans ce territoire"
    return f"{m['name']} ({level})" + ("" if inside else f" — {m['couverture']}")


def _actor_item(a: dict) -> str:
    kind = SHORT_KIND.get(a["kind"], a["kind"])
    where = f" ; {a['place_name']}" if a.get("place_name") else ""
    part = " ; en partie ici" if a.get("lieu") == "en partie dans ce territoire" else ""
    return f"{a['name']} ({kind}{where}{part})"


# ---------------------------------------------------------------------- the figures
ROWS = (("count", "Nombre", 0), ("per_million", "Par million d'hab.", 1), ("per_10k_km2", "Pour 10 000 km²", 1))
ROWS += (("location_quotient", "Concentration", 2),)


def _figures_table(ax: Any, f: Fiche) -> None:
    """The key figures: one block per group of kinds, the territory beside its région and France."""
    fig_rows = pd.DataFrame(f.figures)
    scopes = list(dict.fromkeys(fig_rows["scope"]))
    # A long name on two lines (« CU de Lille / Métropole… ») rather than cut after 11 characters.
    names = [
        "\n".join(textwrap.wrap(str(fig_rows.loc[fig_rows["scope"] == s, "name"].iloc[0]), 13)[:2]) for s in scopes
    ]
    cells, bold = [], []
    for _, rows in fig_rows.groupby("group", sort=False):
        bold.append(len(cells))
        cells.append([_cut(str(rows["label"].iloc[0]), 40), *[""] * len(scopes)])
        for col, label, dec in ROWS:
            cells.append([label, *[fmt.number(_num(rows.loc[rows["scope"] == s, col].iloc[0]), dec) for s in scopes]])
    ax.set_axis_off()
    table = ax.table(cellText=cells, colLabels=["", *names], loc="upper center", cellLoc="right", colLoc="right")
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    first = 0.39  # the labels' column; the values share the rest of the axes' width
    for (r, c), cell in table.get_celld().items():
        cell.set_width(first if c == 0 else (1 - first) / len(scopes))
        cell.get_text().set_parse_math(False)
        cell.set_edgecolor("#cccccc")
        cell.set_height(0.11 if r == 0 else 0.075)
        if c == 0:
            cell.get_text().set_horizontalalignment("left")
        if r == 0 and c > 0:  # centred: a long name (« Rhône-Alpes ») does not run into its neighbour
            cell.get_text().set_horizontalalignment("center")
        if (r - 1) in bold and c > 0:  # a group's title may run over its empty cells
            cell.set_facecolor("none")
        if r == 0 or (r - 1) in bold:
            cell.get_text().set_fontweight("bold")


def _num(v: Any) -> float:
    return float("nan") if v is None or pd.isna(v) else float(v)


def _cut(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


# -------------------------------------------------------------------------- the page
def render_fiche(ds: Dataset, f: Fiche, fmt_: str = "pdf") -> bytes:
    """The fiche as one A4 portrait page, PDF or PNG bytes."""
    if fmt_ not in ("pdf", "png"):
        raise ValueError(f"format de fiche inconnu : {fmt_!r}")
    fig = Figure(figsize=A4, dpi=DPI, facecolor="white")
    title = "\n".join(textwrap.wrap(f"Fiche territoire — {f.name}", 52)[:2])
    fig.text(0.05, 0.972, title, fontsize=16, fontweight="bold", va="top", parse_math=False)
    top = 0.972 - 0.026 * (title.count("\n") + 1)
    for line in _header(f):
        fig.text(0.05, top, line, fontsize=8.5, va="top", color="#333333", parse_math=False)
        top -= 0.016
    ax = fig.add_axes((0.05, top - 0.33, 0.43, 0.32))
    _draw_map(ax, f, map_layers(ds, f))
    _figures_table(fig.add_axes((0.52, top - 0.27, 0.44, 0.26)), f)
    note = (
        "Comptes : acteurs situés dans le territoire (règle des statistiques). Concentration : la part des "
        "acteurs de France qu'il compte, rapportée à sa part de la population (1 = comme la France ; "
        "2 = deux fois plus d'acteurs par habitant)."
    )
    for i, line in enumerate(textwrap.wrap(note, 72)):
        fig.text(0.52, top - 0.285 - i * 0.012, line, fontsize=6.5, va="top", color="#555555", parse_math=False)
    lists_top = top - 0.35
    left = [
        ("Adhérents du RTES dont le territoire le couvre", [_member_item(m) for m in f.members_covering]),
        ("Adhérents situés dans ce territoire", [_member_item(m) for m in f.members_in]),
        ("Acteurs situés dans ce territoire", [_actor_item(a) for a in f.actors_in]),
        ("Acteurs situés plus largement (région, département…)", [_actor_item(a) for a in f.actors_wider]),
    ]
    money = [f"Montants déclarés : {f.declared}"] if f.declared else []
    right = [("Relations (lettre Transversales, automne 2012)", [*money, *(r["sentence"] for r in f.relations)])]
    _column(fig, 0.05, lists_top, 0.085, left)
    _column(fig, 0.52, lists_top, 0.085, right)
    made = fmt.date(f.date) or f.date
    foot = textwrap.wrap(f"{f.sources} Fiche établie le {made}.", 150)[:4]
    for i, line in enumerate(foot):
        fig.text(0.05, 0.07 - i * 0.011, line, fontsize=6.2, va="top", color="#444444", parse_math=False)
    buf = io.BytesIO()
    metadata = {"Title": f"Fiche territoire — {f.name}", "Creator": "Territoires"} if fmt_ == "pdf" else None
    fig.savefig(buf, format=fmt_, dpi=DPI, facecolor="white", metadata=metadata)
    return buf.getvalue()


def render_map(ds: Dataset, f: Fiche) -> bytes:
    """The fiche's small map alone, as PNG bytes (the dashboard's page shows it)."""
    fig = Figure(figsize=(5, 4.4), dpi=110, facecolor="white")
    _draw_map(fig.add_axes((0.01, 0.01, 0.98, 0.98)), f, map_layers(ds, f))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, facecolor="white")
    return buf.getvalue()


def _header(f: Fiche) -> list[str]:
    """The lines under the title: level and code, where it lies, population and area, membership."""
    where = [x["name"] for x in (f.departement, f.region_2012) if x and x.get("code") != f.code]
    first = f"{f.level_label} {f.code}" + (f" — {', '.join(where)}" if where else "")
    if f.region_2012 and f.level != "region_2012":
        first += " (région de 2012)" if where else ""
    pop = fmt.number(f.population, 0) if f.population is not None else "–"
    area = fmt.number(f.area_km2, 1) if f.area_km2 is not None else "–"
    second = f"{pop} habitants ; {area} km² ; {f.communes_2012} commune{'s' if f.communes_2012 > 1 else ''} de 2012"
    lines = [_cut(first, 110), second, _cut(f.member_text, 110)]
    return lines + [_cut(n, 110) for n in f.notes]
