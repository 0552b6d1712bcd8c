"""The national commune view: every commune of France (of 2012 or of today) on one canvas.

The communes' outlines go to one shared file per vintage (:func:`commune_geometry`, published once
under its content hash: the browser fetches it once, then keeps it); a map
(:func:`communes_map`) carries only the values: each commune's class and covered share in the
file's order, as runs (a few hundred numbers), the legend, and the département and région outlines
for reading (shared files too). The browser draws with :data:`~.communes_js.COMMUNES_JS`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import folium
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from territoires import communeview, encode, fmt, safe
from territoires.geo.reader import load_level
from territoires.webmap import furniture
from territoires.webmap.communes_js import COMMUNES_JS
from territoires.webmap.geometry import GeometryCache
from territoires.webmap.library import Library
from territoires.webmap.plumbing import CompactLayer, OfflineMap, RenderedOnce, Script, Style, control
from territoires.webmap.published import GEO_DIR, PublishedCache, publish

LEVELS = {"2012": "communes_2012", "today": "communes"}
VINTAGES_PREPARED = ("2012", "today")  # made by ``territoires prepare`` (snapshot.prepare)
SCALE = "france"
REG_STYLE = {"fill": False, "color": "#333333", "weight": 1.4}
DEP_STYLE = {"fill": False, "color": "#666666", "weight": 0.7}
# The paths' origin: the north-west of metropolitan France (6° W, 52° N) in Web Mercator pixels.
ORIGIN = (253406, 173180)
TIP_CSS = ".leaflet-tooltip.terr-commune-tip { font-size: 14px; }\n"


@dataclass(frozen=True)
class CommuneGeometry:
    """The shared file of a vintage's communes, and the order of the communes in it."""

    url: str
    codes: tuple[str, ...]


class Preload(RenderedOnce, MacroElement):
    """``<link rel="preload">`` of a shared file in the map's head: its download starts with Leaflet's,
    not after it (the ``fetch`` of :data:`~territoires.encode.FETCH_JS` then takes it from there)."""

    _template = Template(
        '{% macro header(this, kwargs) %}<link rel="preload" as="fetch" crossorigin="anonymous" '
        'href="{{ this.url }}">{% endmacro %}'
    )

    def __init__(self, url: str):
        super().__init__()
        self.url = safe.text(url)


def geometry_text(geo: pd.DataFrame) -> tuple[str, list[str]]:
    """The file's JSON and its codes, in code order: ``z`` (the Web Mercator zoom of the integer pixels),
    ``o`` (their origin), ``c`` codes, ``n`` escaped names, ``p`` SVG path data (:func:`.encode.svg_paths`);
    communes with nothing left to draw at this scale are left out."""
    geo = geo.sort_values("code", kind="stable")
    paths = encode.svg_paths(geo.geometry.to_numpy(), ORIGIN)
    keep = [i for i, p in enumerate(paths) if p]
    all_codes, all_names = geo["code"].astype(str).tolist(), geo["nom"].tolist()
    codes = [all_codes[i] for i in keep]
    names = [safe.text(all_names[i]) for i in keep]
    head = f'{{"z":{encode.MERCATOR_ZOOM},"o":{list(ORIGIN)},"c":{safe.script_json([safe.text(c) for c in codes])},'
    body = json.dumps([paths[i] for i in keep], separators=(",", ":"))  # digits, spaces, M, l, z: script-safe
    return f'{head}"n":{safe.script_json(names)},"p":{body}}}', codes


def has_commune_geometry(cache: GeometryCache, vintage: str) -> bool:
    """Whether ``cache`` already names the file of ``vintage`` (:func:`commune_geometry` would not compute)."""
    return ("commune-view", vintage, "") in cache.encoded


def commune_geometry(cache: GeometryCache, vintage: str, directory: Path | None = None) -> CommuneGeometry:
    """The shared file of every commune of ``vintage`` ("2012" or "today"), written once.

    Its name and order are kept in ``cache`` (so in the start-up snapshot, which ``territoires prepare``
    writes with both files made): a server started on a current snapshot never computes them again,
    and the first visitors do not wait while it does (seconds of the one core a process has)."""
    key = ("commune-view", vintage, str(directory or ""))
    with cache._lock:
        kept = cache.encoded.get(key)  # type: ignore[call-overload]
    if kept is not None:
        url, codes = kept.split("\n", 1)
        if (directory or GEO_DIR).joinpath(url.rsplit("/", 1)[-1]).exists():
            return CommuneGeometry(url, tuple(codes.split(",")))
    geo = load_level(LEVELS[vintage], scale=SCALE, base=cache.ds.base)
    text, codes = geometry_text(geo)
    found = CommuneGeometry(publish(text, f"vue-{LEVELS[vintage]}", directory), tuple(codes))
    with cache._lock:
        cache.encoded[key] = f"{found.url}\n{','.join(found.codes)}"  # type: ignore[index]
    return found


def view_options(table: pd.DataFrame, codes: tuple[str, ...]) -> dict:
    """What a map sends for ``table`` (:func:`.communeview.shares`) in the file's order ``codes``."""
    share = table["share"].reindex(list(codes))
    classes = communeview.class_of(share)
    colours = [c[2] for c in communeview.CLASSES] + [communeview.NO_DATA[1]]
    return {
        "n": len(codes),
        "c": communeview.run_lengths(classes.tolist()),
        "v": communeview.run_lengths(communeview.per_mille(share)),
        "col": colours,
        "label": "Part couverte",
    }


def legend(share: pd.Series, vintage: str) -> str:
    """The legend (escaped HTML): the title, each class's swatch, label and number of communes."""
    counts = communeview.class_of(share).value_counts()
    rows = [f"<h2>{safe.text(communeview.TITLE)}</h2>", f"<div>{safe.text(communeview.VINTAGES[vintage])}</div>"]
    classes = [*[(c[1], c[2]) for c in communeview.CLASSES], communeview.NO_DATA]
    for i, (label, colour) in enumerate(classes):
        n = int(counts.get(i, 0))
        # « aucune » and « 100 % » always; a partial class only when a commune has it (never in 2012).
        if n or i in (0, len(communeview.CLASSES) - 1):
            text = f"{label} : {fmt.number(n)} commune{'s' if n > 1 else ''}"
            swatch = f'<span class="sw" style="background:{colour};border:1px solid #888"></span>'
            rows.append(f"<div>{swatch}{safe.text(text)}</div>")
    return "".join(rows)


_last: dict[str, tuple[pd.DataFrame, str, str]] = {}  # file URL → the last table mapped, its values, its legend


def _values(table: pd.DataFrame, geom: CommuneGeometry, vintage: str) -> tuple[str, str]:
    """The map's values (script-safe JSON) and legend for ``table``; kept for the same table object
    (the page's cached one): a rerun does not compute them again."""
    last = _last.get(geom.url)
    if last is not None and last[0] is table:
        return last[1], last[2]
    opts = safe.script_json(view_options(table, geom.codes) | {"u": geom.url})
    shown = legend(table["share"].reindex(list(geom.codes)), vintage)
    _last[geom.url] = (table, opts, shown)
    return opts, shown


def communes_map(
    cache: GeometryCache,
    vintage: str,
    table: pd.DataFrame,
    frame: tuple[float, float, float, float],
    height: str = "100%",
) -> folium.Map:
    """A new map of every commune of ``vintage`` coloured by ``table``'s share, framed on
    ``frame`` (south, west, north, east), with the départements and the régions (of 2012 for the
    communes of 2012) over it."""
    geom = commune_geometry(cache, vintage)
    m = OfflineMap(location=[46.6, 2.4], zoom_start=6, tiles=None, zoom_snap=0.25, height=height)
    m.options["max_zoom"] = 14
    m.options["min_zoom"] = 3
    m.add_child(Preload(geom.url))
    m.add_child(Library(published=True))  # the maps' shared functions and style sheets (cached files)
    m.add_child(Style(TIP_CSS))
    m.add_child(Script(COMMUNES_JS))
    furniture.add(m)
    opts, shown = _values(table, geom, vintage)
    m.add_child(Script(lambda: f"terrCommunes({m.get_name()},{opts});"))
    published = PublishedCache(cache)
    levels = cache.ds.levels
    regions = ("regions_2012", "Régions de 2012") if vintage == "2012" else ("regions", "Régions")
    for level, name, style in (("departements", "Départements", DEP_STYLE), (*regions, REG_STYLE)):
        t = levels[level]
        items = [(c, {"t": safe.text(f"{n} ({c})")}) for c, n in zip(t["code"], t["nom"], strict=True)]
        m.add_child(CompactLayer(name, published.layer(level, SCALE, items), style))
    m.add_child(Script("terrDone();"))
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    control(m, "bottomleft", "terr-legend", furniture.foldable(shown), fold=True)
    s, w, n, e = frame
    m.fit_bounds([[s, w], [n, e]])
    return m
