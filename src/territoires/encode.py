"""A compact encoding of polygons for the map: quantized, delta-coded integer rings.

GeoJSON spends ~9 characters a coordinate (``2.3456,``); rounded to the scale's
precision and stored as the difference from the previous vertex, most
coordinates take 1–3 digits.  Each feature is encoded once into a JSON
fragment (``[properties, polygons]``); a map layer is the fragments it needs,
joined — so a filter change assembles strings and never re-encodes geometry.
The browser decodes with :data:`DECODER_JS` (a few lines, no library).
"""

from __future__ import annotations

import numpy as np
import shapely

from territoires.safe import script_json


def _ring(coords: np.ndarray, k: int) -> list[int]:
    q = np.round(coords[:, :2] * k).astype(np.int64)
    if len(q) > 1 and (q[0] == q[-1]).all():
        q = q[:-1]  # the closing vertex is implied
    d = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    # drop vertices that quantization made identical to the previous one
    keep = np.ones(len(d), dtype=bool)
    keep[1:] = (d[1:] != 0).any(axis=1)
    q = q[keep]
    d = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return d.ravel().tolist()


def polygons(geom: shapely.Geometry | None, k: int) -> list[list[list[int]]]:
    """A (multi)polygon as ``[[exterior, hole, …], …]`` of delta-coded integer rings."""
    if geom is None or geom.is_empty:
        return []
    out = []
    for poly in shapely.get_parts(geom):
        if shapely.get_type_id(poly) != 3:
            continue
        rings = [_ring(np.asarray(poly.exterior.coords), k)]
        rings += [_ring(np.asarray(r.coords), k) for r in poly.interiors]
        if len(rings[0]) >= 6:  # at least three distinct vertices at this precision
            out.append(rings)
    return out


def fragment(props: dict, geom: shapely.Geometry | None, k: int) -> str | None:
    """One feature as a script-safe JSON fragment, or None if nothing is left to draw."""
    polys = polygons(geom, k)
    if not polys:
        return None
    return script_json([props, polys])


def layer_data(fragments: list[str], k: int) -> str:
    """The JSON of a layer from its features' fragments."""
    return f'{{"k":{k},"f":[{",".join(f for f in fragments if f)}]}}'


# terrLayer(data, opts): decode, build an L.geoJSON layer with a per-layer style (fill colour
# per feature when properties.f is set), a sticky tooltip (properties.t), a popup
# (properties.p) and a highlight on hover.
DECODER_JS_BASE = """
function terrDecode(d){var k=d.k;return{type:"FeatureCollection",features:d.f.map(function(f){
return{type:"Feature",properties:f[0],geometry:{type:"MultiPolygon",coordinates:f[1].map(function(p){
return p.map(function(r){var o=[],x=0,y=0;for(var i=0;i<r.length;i+=2){x+=r[i];y+=r[i+1];o.push([x/k,y/k]);}
o.push(o[0]);return o;});})}};})};}
function terrLayer(d,o){var lyr=L.geoJSON(null,{style:function(f){
var s=Object.assign({},o.style);
if(f.properties.f){s.fillColor=f.properties.f;}return s;},onEachFeature:function(f,l){
if(f.properties.t){l.bindTooltip(f.properties.t,{sticky:true});}
if(f.properties.p){l.bindPopup(f.properties.p,{maxWidth:380});}
else if(f.properties.r){l.bindPopup(terrPop(f.properties.r),{maxWidth:380});}
if(o.hl){l.on("mouseover",function(){l.setStyle(o.hl);});l.on("mouseout",function(){lyr.resetStyle(l);});}}});
terrFill(lyr,d);return lyr;}
"""
# Geometry sent once (territoires.webmap.published): a layer whose data names a file (``u``) gets its
# polygons from it — fetched once per page, then from the browser's cache, inflated from gzip — and
# its features' properties (``f``: [properties, code]) inline. Inline data is drawn at once. When every
# layer is filled, the map's document says so (``data-terr-ready``): tests and benchmarks wait for it.
FETCH_JS = """
function terrGeo(u){var c=window.__terrGeo||(window.__terrGeo={});
if(!c[u]){c[u]=fetch(u).then(function(r){if(!r.ok){throw new Error(u+" : "+r.status);}
return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).json();});}return c[u];}
function terrPopups(u){window.__terrPopU=u;window.__terrPending=(window.__terrPending||0)+1;
terrGeo(u).then(function(d){window.__terrPopD=d;}).catch(function(e){
console.warn("Territoires : bulles non chargées ("+e.message+")");}).then(function(){
window.__terrPending--;terrReady();});}
function terrPop(r){return function(l){var p=window.__terrPopD;if(p){return p[r]||"";}
terrGeo(window.__terrPopU).then(function(d){window.__terrPopD=d;var q=l.getPopup&&l.getPopup();
if(q){q.setContent(d[r]||"");}});return "Chargement…";};}
function terrReady(){var w=window;if(w.__terrAll&&!w.__terrPending){
document.documentElement.setAttribute("data-terr-ready","1");}}
function terrDone(){window.__terrAll=true;terrReady();}
function terrFill(lyr,d){if(!d.u){lyr.addData(d.a?terrTopo(d):terrDecode(d));return;}
window.__terrPending=(window.__terrPending||0)+1;
terrGeo(d.u).then(function(g){lyr.addData(d.f&&g.g?terrDecode({k:g.k,f:d.f.map(function(f){
return [f[0],g.g[f[1]]||[]];})}):terrTopo(g));}).catch(function(e){
console.warn("Territoires : contours non chargés ("+e.message+")");}).then(function(){
window.__terrPending--;terrReady();});}
"""


# ------------------------------------------------------------------------- topology
def _quantized_rings(geom: shapely.Geometry, k: int) -> list[list[list[tuple[int, int]]]]:
    """Polygons → rings of integer points (no closing point, no repeated point)."""
    out = []
    for poly in shapely.get_parts(geom):
        if shapely.get_type_id(poly) != 3:
            continue
        rings = []
        for ring in [poly.exterior, *poly.interiors]:
            q = np.round(np.asarray(ring.coords)[:, :2] * k).astype(np.int64)
            pts: list[tuple[int, int]] = []
            for x, y in q.tolist():
                if not pts or pts[-1] != (x, y):
                    pts.append((x, y))
            if len(pts) > 1 and pts[0] == pts[-1]:
                pts.pop()
            if len(pts) >= 3:
                rings.append(pts)
        if rings:
            out.append(rings)
    return out


def topology(items: list[tuple[dict, shapely.Geometry]], k: int) -> str:
    """A layer whose shared borders are stored once (TopoJSON's idea), as script-safe JSON.

    ``{"k": k, "a": [arc, …], "f": [[props, [[[arc refs], …], …]], …]}``: an arc is a
    delta-coded run of points; a ring lists its arcs, ``~i`` (i.e. ``-i-1``) for arc ``i``
    reversed.  Rings are cut wherever the neighbour on the other side changes, so two
    neighbours refer to the same arc, in opposite directions.
    """
    feats = [(props, _quantized_rings(g, k)) for props, g in items if g is not None and not g.is_empty]
    rings = [r for _, polys in feats for poly in polys for r in poly]
    # Which ring lies on the other side of each edge (edges of a clean coverage are shared exactly).
    owner: dict[tuple, list[int]] = {}
    for ri, r in enumerate(rings):
        n = len(r)
        for i in range(n):
            a, b = r[i], r[(i + 1) % n]
            owner.setdefault((a, b) if a < b else (b, a), []).append(ri)
    arcs: list[list[tuple[int, int]]] = []
    index: dict[tuple, int] = {}

    def arc_ref(pts: list[tuple[int, int]]) -> int:
        key = tuple(pts)
        if key in index:
            return index[key]
        rkey = key[::-1]
        if rkey in index:
            return ~index[rkey]
        index[key] = len(arcs)
        arcs.append(pts)
        return index[key]

    ring_refs: list[list[int]] = []
    for ri, r in enumerate(rings):
        n = len(r)
        other = []
        for i in range(n):
            a, b = r[i], r[(i + 1) % n]
            o = [x for x in owner[(a, b) if a < b else (b, a)] if x != ri]
            other.append(o[0] if o else -1)
        cuts = [i for i in range(n) if other[i] != other[i - 1]]
        if not cuts:  # one neighbour all round (an island, an enclave): start at the smallest point
            start = min(range(n), key=lambda i: r[i])
            pts = r[start:] + r[:start]
            ring_refs.append([arc_ref([*pts, pts[0]])])
            continue
        refs = []
        for j, c in enumerate(cuts):
            end = cuts[(j + 1) % len(cuts)]
            run = [r[i % n] for i in range(c, end + (n if end <= c else 0) + 1)]
            refs.append(arc_ref(run))
        ring_refs.append(refs)
    # Each arc's first point is relative to the previous arc's first point (neighbours are close).
    out_arcs = []
    prev = np.zeros(2, dtype=np.int64)
    for pts in arcs:
        q = np.asarray(pts, dtype=np.int64)
        d = np.diff(q, axis=0, prepend=prev[None, :])
        prev = q[0]
        out_arcs.append(d.ravel().tolist())
    it = iter(ring_refs)
    out_feats = [[props, [[next(it) for _ in poly] for poly in polys]] for props, polys in feats]
    return script_json({"k": k, "a": out_arcs, "f": out_feats})


TOPOLOGY_JS = """
function terrTopo(d){var k=d.k,px=0,py=0,A=d.a.map(function(a){var o=[],x=px,y=py;
for(var i=0;i<a.length;i+=2){
x+=a[i];y+=a[i+1];o.push([x/k,y/k]);if(i===0){px=x;py=y;}}return o;});
function ring(refs){var pts=[];refs.forEach(function(r){
var a=r>=0?A[r]:A[~r].slice().reverse();pts=pts.length?pts.concat(a.slice(1)):a.slice();});return pts;}
return{type:"FeatureCollection",features:d.f.map(function(f){return{type:"Feature",properties:f[0],
geometry:{type:"MultiPolygon",coordinates:f[1].map(function(p){return p.map(ring);})}};})};}
"""

DECODER_JS = DECODER_JS_BASE + FETCH_JS + TOPOLOGY_JS


def _rings_many(geoms: np.ndarray, quantize) -> list[list[list[np.ndarray]]]:
    """Each geometry's polygons as rings of integer points (``quantize``: (n, 2) coordinates → integers),
    vectorised: closing vertex implied, repeated vertices dropped, rings of fewer than three vertices
    and polygons without such an exterior left out."""
    geoms = np.asarray(geoms, dtype=object)
    out: list[list[list[np.ndarray]]] = [[] for _ in range(len(geoms))]
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    parts, owner = shapely.get_parts(geoms[ok], return_index=True)
    owner = np.flatnonzero(ok)[owner]
    is_poly = shapely.get_type_id(parts) == 3
    parts, owner = parts[is_poly], owner[is_poly]
    rings, poly_of = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    if not len(coords):
        return out
    q = quantize(coords)
    same_ring_as_prev = np.r_[False, ring_of[1:] == ring_of[:-1]]
    repeated = same_ring_as_prev & (q == np.roll(q, 1, axis=0)).all(axis=1)
    last = np.r_[ring_of[1:] != ring_of[:-1], True]
    first_idx = np.searchsorted(ring_of, ring_of)  # each vertex's ring's first vertex
    closing = last & (q == q[first_idx]).all(axis=1) & (np.arange(len(q)) != first_idx)
    keep = ~(repeated | closing)
    q, ring_of = q[keep], ring_of[keep]
    bounds = np.flatnonzero(np.r_[True, ring_of[1:] != ring_of[:-1]])
    exterior = np.r_[True, poly_of[1:] != poly_of[:-1]]
    current: dict[int, list[np.ndarray]] = {}
    for rid, pts in zip(ring_of[bounds].tolist(), np.split(q, bounds[1:]), strict=True):
        if len(pts) < 3:
            continue
        p = int(poly_of[rid])
        if exterior[rid]:
            current[p] = [pts]
            out[int(owner[p])].append(current[p])
        elif p in current:
            current[p].append(pts)
    return out


def polygons_many(geoms: np.ndarray, k: int) -> list[list[list[list[int]]]]:
    """:func:`polygons` of many geometries at once (vectorised: 35,000 communes in about a second);
    holes of fewer than three vertices are left out too."""
    rings = _rings_many(geoms, lambda c: np.round(c[:, :2] * k).astype(np.int64))
    return [
        [[np.diff(r, axis=0, prepend=np.zeros((1, 2), np.int64)).ravel().tolist() for r in p] for p in g] for g in rings
    ]


MERCATOR_ZOOM = 11  # integer pixels of Web Mercator at zoom 11: ≈ 50 m in France, the quantum's order


def mercator(coords: np.ndarray, zoom: int = MERCATOR_ZOOM) -> np.ndarray:
    """(lon, lat) → Leaflet's Web Mercator pixels at ``zoom`` (floats; 256 × 2^zoom for the world)."""
    size = 256 * 2**zoom
    lon, lat = coords[:, 0], np.clip(coords[:, 1], -85.0511, 85.0511)
    x = size * (lon / 360 + 0.5)
    y = size * (0.5 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / (2 * np.pi))
    return np.column_stack([x, y])


def svg_paths(geoms: np.ndarray, origin: tuple[int, int], zoom: int = MERCATOR_ZOOM) -> list[str]:
    """Each geometry as SVG path data in integer Web Mercator pixels at ``zoom`` minus ``origin``:
    ``M x y`` then relative ``l`` steps per ring, ``z`` closing it ("" when nothing is left). The
    browser makes a ``Path2D`` of it in one call (no per-vertex JavaScript)."""
    o = np.array(origin, dtype=np.int64)
    rings = _rings_many(geoms, lambda c: np.round(mercator(c, zoom)).astype(np.int64) - o)
    out = []
    for g in rings:
        parts = []
        for poly in g:
            for r in poly:
                steps = " ".join(map(str, np.diff(r, axis=0).ravel().tolist())).replace(" -", "-")
                parts.append(f"M{r[0, 0]} {r[0, 1]}l{steps}z".replace(" -", "-"))
        out.append("".join(parts))
    return out
