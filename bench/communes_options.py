"""The national commune view's rendering options, measured in Chromium on the real data (issue 19).

    PYTHONPATH=src .venv/bin/python bench/communes_options.py [--vintage today|2012] [--runs 3]

Both options draw every commune with the same values; each page is served by a small local server
(the app's static files under /app/static):

- (a) ``geojson-canvas``: Leaflet's own ``L.geoJSON`` on the canvas renderer (``preferCanvas``), one
  ``L.Polygon`` per commune, a tooltip bound to each, from a file of quantized delta-coded rings
  (:func:`territoires.encode.polygons`, 1/1000°, gzipped);
- (b) ``canvas-path2d``: the dashboard's page (:mod:`territoires.webmap.communes_js`), one canvas,
  one ``Path2D`` per class made from SVG path data in Web Mercator pixels, redrawn on
  ``moveend``/``zoomend`` only, picking by bounding box; with the départements and régions over it.

Printed: bytes of map data on the wire (CDP), seconds until drawn (fresh browser context, median of
``--runs``), and the frame intervals during a scripted pan by mouse drag at zoom 6 and at zoom 9 (median,
95th percentile, max, in ms). Not a test: a script that prints numbers (and writes them with --output;
the figures of the README's note are in bench/communes_options_results.json).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import itertools
import json
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from territoires import communeview, encode, safe  # noqa: E402
from territoires.dataset import load_dataset  # noqa: E402
from territoires.geo.reader import load_level  # noqa: E402
from territoires.webmap.communes import LEVELS, commune_geometry, communes_map, view_options  # noqa: E402
from territoires.webmap.compose import FRAMES  # noqa: E402
from territoires.webmap.geometry import GeometryCache  # noqa: E402

from e2e_server import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

# Option (a): the same file and values, drawn by L.geoJSON on Leaflet's canvas renderer.
GEOJSON_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/app/static/vendor/leaflet/leaflet.css">
<script src="/app/static/vendor/leaflet/leaflet.js"></script>
<style>html,body,#m{margin:0;height:100%}</style></head><body><div id="m"></div><script>
var o=__OPTS__;
function rle(r,n){var a=new Array(n),j=0;for(var i=0;i<r.length;i+=2){for(var c=0;c<r[i+1];c++){a[j++]=r[i];}}return a;}
var map=L.map("m",{preferCanvas:true,zoomSnap:0.25}).fitBounds(__FRAME__);
fetch(o.u).then(function(r){return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).json();})
.then(function(g){var k=g.k,cls=rle(o.c,g.c.length);
var fc={type:"FeatureCollection",features:g.g.map(function(p,i){return{type:"Feature",properties:{i:i},
geometry:{type:"MultiPolygon",coordinates:p.map(function(poly){return poly.map(function(r){var x=0,y=0,q=[];
for(var j=0;j<r.length;j+=2){x+=r[j];y+=r[j+1];q.push([x/k,y/k]);}q.push(q[0]);return q;});})}};})};
L.geoJSON(fc,{style:function(f){return{fillColor:o.col[cls[f.properties.i]],fillOpacity:1,color:"#fff",
weight:0.3};},onEachFeature:function(f,l){l.bindTooltip(function(){return g.n[f.properties.i];},{sticky:true});}})
.addTo(map);requestAnimationFrame(function(){requestAnimationFrame(function(){
document.documentElement.setAttribute("data-terr-ready","1");});});});
</script></body></html>"""

FRAME_TIMES_JS = """async ([steps]) => { const t = []; let on = true;
  const tick = (x) => { t.push(x); if (on) requestAnimationFrame(tick); }; requestAnimationFrame(tick);
  window.__stopFrames = () => { on = false; return t; }; }"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0]
        if path.startswith("/app/static/"):
            return str(ROOT / "static" / path[len("/app/static/") :])
        return str(Path(self.directory) / path.lstrip("/"))


def pages(vintage: str, directory: Path) -> None:
    """Write a.html (option a) and b.html (option b, the dashboard's map) into ``directory``."""
    cache = GeometryCache(load_dataset())
    table = communeview.shares(cache.ds.placed, cache.ds.units, vintage)
    s, w, n, e = FRAMES["metropole"]
    geom = commune_geometry(cache, vintage)
    # (a)'s file: the quantized, delta-coded rings of territoires.encode (1/1000°), names and codes.
    geo = load_level(LEVELS[vintage], scale="france").sort_values("code", kind="stable")
    polys = dict(zip(geo["code"].astype(str), encode.polygons_many(geo.geometry.to_numpy(), 1000), strict=True))
    doc = {
        "k": 1000,
        "c": list(geom.codes),
        "n": [safe.text(n) for n in geo.set_index("code").loc[list(geom.codes), "nom"]],
    }
    doc["g"] = [polys[c] for c in geom.codes]
    (directory / "a.json.gz").write_bytes(gzip.compress(json.dumps(doc, separators=(",", ":")).encode(), 9))
    opts = view_options(table, geom.codes) | {"u": "/a.json.gz"}
    a = GEOJSON_PAGE.replace("__OPTS__", safe.script_json(opts)).replace("__FRAME__", json.dumps([[s, w], [n, e]]))
    (directory / "a.html").write_text(a, encoding="utf-8")
    m = communes_map(cache, vintage, table, (s, w, n, e))
    (directory / "b.html").write_text(m.get_root().render(), encoding="utf-8")


def frame_stats(page, dx: int, dy: int, drag: bool = True) -> dict:
    """Frame intervals (ms) while the mouse drags the map by (dx, dy) in 30 steps, there and back
    (or, ``drag=False``, only moves over it: the hover's picking and tooltip)."""
    page.evaluate(FRAME_TIMES_JS, [0])
    cx, cy = 700, 475
    for sign in (1, -1, 1):
        page.mouse.move(cx, cy)
        if drag:
            page.mouse.down()
        page.mouse.move(cx + sign * dx, cy + sign * dy, steps=30)
        if drag:
            page.mouse.up()
        page.wait_for_timeout(300)  # the redraw on moveend falls in the measured frames
    t = page.evaluate("() => window.__stopFrames()")
    d = sorted(b - a for a, b in itertools.pairwise(t))
    return {
        "median_ms": round(statistics.median(d), 1),
        "p95_ms": round(d[int(0.95 * (len(d) - 1))], 1),
        "max_ms": round(d[-1], 1),
        "frames": len(d),
    }


def measure(browser, url: str, runs: int) -> dict:
    """Bytes of map data, seconds to drawn (median of fresh contexts) and the pan frame times."""
    times, geo_bytes, total_bytes = [], 0, 0
    for i in range(runs):
        ctx = browser.new_context(viewport={"width": 1400, "height": 950})
        page = ctx.new_page()
        sizes: dict[str, int] = {}
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        urls: dict[str, str] = {}
        cdp.on("Network.requestWillBeSent", lambda e, urls=urls: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on(
            "Network.loadingFinished",
            lambda e, urls=urls, sizes=sizes: sizes.__setitem__(
                urls.get(e["requestId"], "?"), int(e.get("encodedDataLength", 0))
            ),
        )
        page.goto(url)
        page.wait_for_function("() => document.documentElement.getAttribute('data-terr-ready') === '1'", timeout=60000)
        times.append(page.evaluate("() => performance.now()") / 1000)
        if i == 0:
            geo_bytes = sum(v for k, v in sizes.items() if "/static/geo/" in k or k.endswith("/a.json.gz"))
            total_bytes = sum(sizes.values())
        if i == runs - 1:
            out = {"national": frame_stats(page, 400, 200), "hover": frame_stats(page, 300, 150, drag=False)}
            page.mouse.move(700, 475)
            for _ in range(3):  # zoom in by three steps (×8): a région fills the screen
                page.mouse.wheel(0, -300)
                page.wait_for_timeout(700)
            out["zoom9"] = frame_stats(page, 400, 200)
        ctx.close()
    return {
        "map_data_bytes_compressed": geo_bytes,
        "page_bytes": total_bytes,
        "drawn_s_median": round(statistics.median(times), 2),
        "drawn_s_all": [round(t, 2) for t in times],
        "pan_frames": out,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vintage", default="today", choices=list(communeview.VINTAGES))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", choices=["a", "b"], default=None)
    ap.add_argument("--output", type=Path, default=None)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    results: dict = {}
    with tempfile.TemporaryDirectory() as d:
        pages(args.vintage, Path(d))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=d))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for key, name in (("a", "geojson-canvas"), ("b", "canvas-path2d")):
                    if args.only in (None, key):
                        results[name] = measure(browser, f"{base}/{key}.html", args.runs)
                        print(name, json.dumps(results[name], ensure_ascii=False))
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    if args.output:
        args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
