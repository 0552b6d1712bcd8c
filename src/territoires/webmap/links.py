"""The « Coopérations » layer: a line for each relation between two records, from anchor to anchor.

A line goes from one end's point of reference to the other's (the markers' anchors,
:meth:`GeometryCache.marker_map`), coloured by type (:data:`~territoires.styles.RELATION_STYLE`),
with an arrowhead when the relation has a direction and a width by amount when it is in euros.
Lines are slight arcs, bent further apart for each relation between the same two places, so that
none hides another; two ends at one point (a project in the territory that carries it) give a
small loop, drawn in screen pixels so that it keeps its size at every zoom.

The geometry below is pure (testable without a browser); the script only draws it.
"""

from __future__ import annotations

import math

import folium
import pandas as pd

from territoires import fmt, safe
from territoires.registry.relations import DIRECTED, TYPES
from territoires.selection import UNPLACED_LEVELS, Selection
from territoires.styles import RELATION_STYLE
from territoires.webmap.furniture import foldable
from territoires.webmap.geometry import GeometryCache
from territoires.webmap.plumbing import Script

NAME = "Coopérations"
TYPE_INDEX = {t: i for i, t in enumerate(TYPES)}
SAMPLES = 10  # segments of an arc: smooth enough at every zoom, a few hundred bytes a line
BASE_WIDTH = 2.0
MAX_WIDTH = 9.0
EURO_SCALE = 1_000_000  # 1 M€ is drawn BASE_WIDTH + 6 px wide; width grows as the square root
CSS = """
.terr-links-legend { background: rgba(255,255,255,.93); padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 12px; line-height: 1.35; max-width: 250px;
  max-height: 40vh; overflow-y: auto; }
.terr-links-legend h2 { margin: 4px 0 2px; font-size: 12px; }
.terr-links-legend .lk { display: inline-block; width: 22px; height: 0; margin-right: 6px;
  vertical-align: middle; border-top: 3px solid; }
.terr-links-legend .lk.vague { border-top-style: dashed; border-top-color: #555; }
.terr-links-legend .note { color: #444; font-size: 11px; margin-top: 3px; }
"""


# ------------------------------------------------------------------ geometry (pure)
def mercator(lon: float, lat: float) -> tuple[float, float]:
    """Spherical Web Mercator, in radians: the plane the screen is a scaled copy of at every zoom."""
    return math.radians(lon), math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def unmercator(x: float, y: float) -> tuple[float, float]:
    """(lon, lat) in degrees of a Web Mercator point."""
    return math.degrees(x), math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def bends(n: int) -> list[float]:
    """How far each of ``n`` arcs between two places bows out, as a share of their distance.

    Alternately on either side, further each time: 0.12, -0.12, 0.24, -0.24…
    """
    return [0.12 * (i // 2 + 1) * (1 if i % 2 == 0 else -1) for i in range(n)]


def arc(a: tuple[float, float], b: tuple[float, float], bend: float, samples: int = SAMPLES) -> list[list[float]]:
    """[[lat, lon], …] of a quadratic curve from ``a`` to ``b`` ((lon, lat) each), bowing by ``bend``.

    Computed in Web Mercator, so that the curve keeps its shape on screen at every zoom; its middle
    lies ``bend`` × the distance away from the straight line (left of a→b when positive).
    """
    (ax, ay), (bx, by) = mercator(*a), mercator(*b)
    dx, dy = bx - ax, by - ay
    # The control point is twice as far out as the curve's middle.
    cx, cy = (ax + bx) / 2 - 2 * bend * dy, (ay + by) / 2 + 2 * bend * dx
    out = []
    for i in range(samples + 1):
        t = i / samples
        u = 1 - t
        lon, lat = unmercator(u * u * ax + 2 * u * t * cx + t * t * bx, u * u * ay + 2 * u * t * cy + t * t * by)
        out.append([round(lat, 4), round(lon, 4)])
    return out


def width(amount: float, unit: str | None) -> float:
    """The line width of an amount: by its square root when in euros (capped), else the base width."""
    if unit != "€" or amount is None or pd.isna(amount) or amount <= 0:
        return BASE_WIDTH
    return round(min(BASE_WIDTH + 6 * math.sqrt(amount / EURO_SCALE), MAX_WIDTH), 1)


def plan(rels: pd.DataFrame, anchors: dict[str, dict]) -> tuple[list[dict], dict[str, int]]:
    """The lines to draw for ``rels``, and how many relations are not drawn, by reason.

    ``anchors``: record id → marker data (``x``, ``y``, ``v``). Each line: ``c`` its points
    ([[lat, lon], …]; one point and a loop index ``o`` when both ends share it), ``k`` its
    type's index, ``w`` its width, ``d`` 1 when an end is vague (dashed), ``r`` 1 when directed,
    ``id`` the relation.
    """
    lines: list[dict] = []
    skipped = {"national": 0, "unplaced": 0}
    groups: dict[tuple, list[int]] = {}  # unordered pair of points → its lines, in order
    for r in rels.itertuples(index=False):
        a, b = anchors.get(r.from_id), anchors.get(r.to_id)
        if a is None or b is None:
            national = r.from_level in UNPLACED_LEVELS or r.to_level in UNPLACED_LEVELS
            skipped["national" if national else "unplaced"] += 1
            continue
        pa, pb = (a["x"], a["y"]), (b["x"], b["y"])
        groups.setdefault(tuple(sorted((pa, pb))), []).append(len(lines))
        lines.append(
            {
                "id": r.id,
                "c": [pa, pb],
                "k": TYPE_INDEX.get(r.type, 0),
                "w": width(r.amount, r.unit),
                "d": int(bool(a["v"] or b["v"])),
                "r": int(bool(r.directed)),
            }
        )
    loops: dict[tuple, int] = {}
    for key, members in groups.items():
        for i, bend in zip(members, bends(len(members)), strict=True):
            pa, pb = lines[i]["c"]
            if pa == pb:  # one point: a loop, the next one turned further round
                lines[i]["c"] = [[pa[1], pa[0]]]
                lines[i]["o"] = loops.get(key, 0)
                loops[key] = lines[i]["o"] + 1
                continue
            # The same side for a→b and b→a: bend in the pair's own order.
            lines[i]["c"] = arc(pa, pb, bend if (pa, pb) == key else -bend)
    return lines, skipped


# ------------------------------------------------------------------ texts (escaped)
def _s(v: object) -> str:
    """A cell as text ("" when missing)."""
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


def _date(v: str) -> str:
    try:
        return fmt.date(v)
    except (ValueError, IndexError):  # a year written some other way: as it is
        return v


def tooltip(r: pd.Series | dict) -> str:
    """« Rhône-Alpes finance Transméa — 1 000 000 € » (escaped)."""
    verb = TYPES.get(_s(r["type"]), _s(r["type"]))
    text = f"{_s(r['from_name'])} {verb} {_s(r['to_name'])}"
    if _s(r.get("amount_text")):
        text += f" — {_s(r['amount_text'])}"
    if _s(r.get("status")) not in ("", "en place"):
        text += f" ({_s(r['status'])})"
    return safe.text(text)


def popup(r: pd.Series | dict) -> str:
    """The relation, its amount, year, status and section, and the newsletter's words (escaped)."""
    rows = [
        ("Type", RELATION_STYLE.get(_s(r["type"]), ("", _s(r["type"])))[1]),
        ("Montant", " — ".join(x for x in (_s(r.get("amount_text")), _s(r.get("amount_label"))) if x)),
        ("Année", _date(_s(r.get("year")))),
        ("Statut", _s(r.get("status")) or "en place"),
        ("Rubrique", _s(r.get("source_section"))),
        ("Note", _s(r.get("notes"))),
    ]
    dl = "".join(f"<dt>{label}</dt><dd>{safe.text(v)}</dd>" for label, v in rows if v)
    quote = _s(r.get("source_quote"))
    q = f"<blockquote>« {safe.text(quote)} »</blockquote>" if quote else ""
    return f'<div class="terr-popup"><b>{tooltip(r)}</b><dl>{dl}</dl>{q}</div>'


def legend(types: list[str], vague: bool, euros: bool, skipped: dict[str, int]) -> str:
    """The legend of the lines drawn: a swatch per type, the dashes, the widths, what is not drawn."""
    rows = [
        f'<div><span class="lk" style="border-top-color:{RELATION_STYLE[t][0]}"></span>'
        f"{safe.text(RELATION_STYLE[t][1])}{' →' if t in DIRECTED else ''}</div>"
        for t in types
    ]
    notes = []
    if vague:
        notes.append('<span class="lk vague"></span>une extrémité située seulement dans une région ou un département')
    if euros:
        notes.append("Épaisseur : montant en euros")
    for key, what in (("national", "avec un organisme national"), ("unplaced", "avec un acteur sans lieu")):
        n = skipped.get(key, 0)
        if n:
            notes.append(f"{n} relation{'s' if n > 1 else ''} {what}, non tracée{'s' if n > 1 else ''}")
    body = "".join(rows) + "".join(f'<div class="note">{x}</div>' for x in notes)
    return f"<h2>{NAME}</h2>{body}"


# ------------------------------------------------------------------ the layer
# Draws the lines: a visible line (thin, half-transparent at national zoom) and a wider invisible
# one over it that takes the pointer, loops recomputed in pixels at each zoom, SVG arrowheads.
JS = (
    "window.terrLinks=function(map,g,items,st,leg,pres){"
    # Presenting (pres): lines as wide and as dark as a room needs, at every zoom.
    "var Z=function(){return pres?0.9:map.getZoom()<8?0.55:0.85;};"
    "var W=function(w){return pres?1.6*w+1:w;};"
    "if(!map.getPane('terrLinks')){map.createPane('terrLinks').style.zIndex=450;}"
    "if(!document.getElementById('terr-arr-0')){var NS='http://www.w3.org/2000/svg',"
    "sv=document.createElementNS(NS,'svg'),df=document.createElementNS(NS,'defs');"
    "sv.setAttribute('width',0);sv.setAttribute('height',0);sv.style.position='absolute';"
    "st.forEach(function(s,i){var mk=document.createElementNS(NS,'marker'),p=document.createElementNS(NS,'path');"
    "var at={id:'terr-arr-'+i,viewBox:'0 0 10 10',refX:'22',refY:'5',markerWidth:'12',markerHeight:'12',"
    "orient:'auto',markerUnits:'userSpaceOnUse',overflow:'visible'};"
    "for(var k in at){mk.setAttribute(k,at[k]);}p.setAttribute('d','M0,0L10,5L0,10z');"
    "p.setAttribute('fill',s);mk.appendChild(p);df.appendChild(mk);});"
    "sv.appendChild(df);document.body.appendChild(sv);}"
    "var loop=function(c,o){var p=map.latLngToLayerPoint(c),a=(-45+60*(o%6))*Math.PI/180,"
    "L=46+12*Math.floor(o/6),s=0.55,q=[];for(var i=0;i<=16;i++){var t=i/16,"
    "f=3*(1-t)*t*L;var x=p.x+f*((1-t)*Math.cos(a-s)+t*Math.cos(a+s)),"
    "y=p.y+f*((1-t)*Math.sin(a-s)+t*Math.sin(a+s));q.push(map.layerPointToLatLng([x,y]));}return q;};"
    "var all=[];items.forEach(function(it){"
    "var pts=it.o===undefined?it.c:loop(it.c[0],it.o);"
    "var vis=L.polyline(pts,{pane:'terrLinks',color:st[it.k],weight:W(it.w),opacity:Z(),"
    "dashArray:it.d?'6 5':null,lineCap:'round',interactive:false});"
    "var hit=L.polyline(pts,{pane:'terrLinks',color:'#000',weight:Math.max(12,W(it.w)+8),opacity:0});"
    "if(it.r){vis.on('add',function(){vis._path.setAttribute('marker-end','url(#terr-arr-'+it.k+')');});}"
    "hit.bindTooltip(it.t,{sticky:true});hit.bindPopup(it.p||terrPop(it.r),{maxWidth:380});"
    "hit.on('mouseover',function(){vis.setStyle({opacity:1,weight:W(it.w)+2});vis.bringToFront();});"
    "hit.on('mouseout',function(){vis.setStyle({opacity:Z(),weight:W(it.w)});});"
    "g.addLayer(vis);g.addLayer(hit);all.push([vis,hit,it]);});"
    "map.on('zoomend',function(){var z=Z();all.forEach(function(l){l[0].setStyle({opacity:z});"
    "if(l[2].o!==undefined){var p=loop(l[2].c[0],l[2].o);l[0].setLatLngs(p);l[1].setLatLngs(p);}});});"
    # The legend goes with the layer: hidden when the layer is unticked.
    "var lg=L.control({position:'bottomright'});lg.onAdd=function(){var d=L.DomUtil.create('div',"
    "'terr-links-legend');d.innerHTML=leg;if(window.terrFold){terrFold(d,map);}L.DomEvent.disableClickPropagation(d);"
    "L.DomEvent.disableScrollPropagation(d);return d;};lg.addTo(map);"
    "map.on('overlayadd',function(e){if(e.layer===g){lg.addTo(map);}});"
    "map.on('overlayremove',function(e){if(e.layer===g){lg.remove();}});};"
)


def links(m: folium.Map, cache: GeometryCache, sel: Selection) -> None:
    """The « Coopérations » layer: the relations the selection shows, as lines, with their legend."""
    rels = sel.relations
    if rels is None or rels.empty:
        return
    lines, skipped = plan(rels, cache.marker_map(sel.state.scale))
    by_id = rels.set_index("id", drop=False)
    items = []
    shared = hasattr(cache, "popups_url")  # published: the popups are in the shared file, by id
    for line in lines:
        rid = line.pop("id")
        r = by_id.loc[rid]
        items.append({**line, "t": tooltip(r), **({"r": rid} if shared else {"p": popup(r)})})
    drawn = {i["k"] for i in items}
    types = [t for t in TYPES if TYPE_INDEX[t] in drawn]
    html = legend(types, any(i["d"] for i in items), any(i["w"] != BASE_WIDTH for i in items), skipped)
    group = folium.FeatureGroup(name=NAME, overlay=True, control=True, show=True)
    group.add_to(m)
    data = safe.script_json(items)
    colours = safe.script_json([RELATION_STYLE[t][0] for t in TYPES])
    leg = safe.script_json(foldable(html))
    pres = "true" if sel.state.presentation else "false"

    def code() -> str:
        # Names read at render time: streamlit-folium renames the elements as it draws the map.
        return f"terrLinks({m.get_name()},{group.get_name()},{data},{colours},{leg},{pres});"

    m.add_child(Script(code))
