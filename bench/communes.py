"""Bench of the « Communes » page (issue 19): every commune of France on one map, in the real app.

Called by ``bench/run.py`` (``--only-communes`` runs this alone and updates bench/results.json):

- ``national_commune_view_bytes_compressed``: bytes on the wire of the view's map data on a first
  visit (cold browser cache), counted by Chromium (DevTools protocol): the shared geometry files
  (communes, départements, régions: ``/app/static/geo/``, gzipped) and Streamlit's websocket
  frames (the map's page with its values); the whole page's bytes are given apart;
- ``national_commune_view_drawn_s``: median seconds from ``goto`` until the canvas has drawn
  (``data-terr-ready`` and ``data-terr-communes`` on the map's document), each load in a fresh
  browser context, on a server that already served the page once (its first visit is given apart);
- ``national_commune_view_rerun_bytes``: bytes of a switch of vintage back to one already seen
  (values only: the file is in the browser's cache).
"""

from __future__ import annotations

import statistics
import time

DRAWN_JS = (
    "() => document.documentElement.getAttribute('data-terr-ready') === '1'"
    " && +document.documentElement.getAttribute('data-terr-communes') > 0"
)
BUDGETS = {
    "national_commune_view_bytes_compressed": ("<=", 4_000_000),
    "national_commune_view_drawn_s": ("<=", 3.0),
}


class Wire:
    """Bytes a page receives (CDP): HTTP bodies as sent, by URL, and websocket frames."""

    def __init__(self, ctx, page):
        self.urls: dict[str, str] = {}
        self.http: dict[str, int] = {}
        self.ws = 0
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", self._http)
        cdp.on("Network.webSocketFrameReceived", self._frame)

    def _http(self, e: dict) -> None:
        url = self.urls.get(e["requestId"], e["requestId"])
        self.http[url] = self.http.get(url, 0) + int(e.get("encodedDataLength", 0))

    def _frame(self, e: dict) -> None:
        r = e.get("response", {})
        data = r.get("payloadData", "")
        self.ws += len(data) * 3 // 4 if r.get("opcode") == 2 else len(data.encode())  # binary: base64

    def geo(self) -> int:
        return sum(v for k, v in self.http.items() if "/static/geo/" in k)

    def total(self) -> int:
        return sum(self.http.values()) + self.ws


def drawn(page) -> bool:
    """The commune view's canvas has drawn, in a visible map frame."""
    from playwright.sync_api import Error

    for f in page.frames:
        if "streamlit_folium" not in f.url:
            continue
        try:
            if f.evaluate(DRAWN_JS) and (f.frame_element().bounding_box() or {}).get("height", 0) > 0:
                return True
        except Error:
            continue
    return False


def communes_drawn(page) -> int:
    """How many communes the map's canvas drew (0 when no map is drawn)."""
    from playwright.sync_api import Error

    for f in page.frames:
        if "streamlit_folium" in f.url:
            try:
                return int(f.evaluate("() => +document.documentElement.getAttribute('data-terr-communes') || 0"))
            except Error:
                continue
    return 0


def wait_drawn(page, timeout: float = 60, poll_ms: int = 20) -> float | None:
    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        if drawn(page):
            return time.perf_counter() - t
        page.wait_for_timeout(poll_ms)
    return None


def in_frame_s(page) -> float:
    """Seconds from the map's frame's creation until its canvas drew (the map's own part of the wait:
    the rest is Streamlit's page, its script run and the component's frame)."""
    from playwright.sync_api import Error

    for f in page.frames:
        if "streamlit_folium" in f.url:
            try:
                return f.evaluate("() => performance.getEntriesByName('terr-communes-drawn')[0].startTime") / 1000
            except Error:
                continue
    return float("nan")


def _visit(browser, url: str) -> tuple[float, Wire, object, object]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 950})
    page = ctx.new_page()
    wire = Wire(ctx, page)
    t = time.perf_counter()
    page.goto(f"{url}/communes")
    secs = wait_drawn(page)
    return (time.perf_counter() - t if secs is not None else float("inf")), wire, ctx, page


def measure_communes(browser, url: str, results: dict, repeats: int = 5) -> None:
    """The commune view's figures (see the module's docstring) on a running server at ``url``."""
    first, wire, ctx, page = _visit(browser, url)  # the server computes the shares and writes the file
    ctx.close()
    results["national_commune_view_first_after_start_s"] = round(first, 2)
    times, in_frame = [], []
    for i in range(repeats):
        secs, wire, ctx, page = _visit(browser, url)
        times.append(secs)
        in_frame.append(in_frame_s(page))
        if i == 0:
            page.wait_for_timeout(1500)  # what arrives once the map is drawn
            results["national_commune_view_bytes_compressed"] = wire.geo() + wire.ws
            results["national_commune_view_geometry_bytes"] = wire.geo()
            results["national_commune_view_page_bytes"] = wire.total()
        if i == repeats - 1:
            _reruns(page, wire, results)
        ctx.close()
    results["national_commune_view_drawn_s"] = round(statistics.median(times), 2)
    results["national_commune_view_drawn_s_all"] = [round(x, 2) for x in times]
    results["national_commune_view_map_in_frame_s"] = round(statistics.median(in_frame), 2)
    with open("/proc/loadavg") as f:  # the machine is shared: how busy it was
        results["national_commune_view_loadavg"] = float(f.read().split()[0])


def _reruns(page, wire: Wire, results: dict) -> None:
    """Switch to today's communes (their file, once), then back to 2012's (values only)."""
    sizes = []
    for label in ("Communes d'aujourd'hui", "Communes de 2012"):
        before, shown = wire.total(), communes_drawn(page)
        page.get_by_text(label, exact=True).first.click()
        deadline = time.perf_counter() + 30
        while communes_drawn(page) in (shown, 0) and time.perf_counter() < deadline:
            page.wait_for_timeout(50)
        page.wait_for_timeout(1200)  # what arrives after the map (late frames)
        sizes.append(wire.total() - before)
    results["national_commune_view_switch_bytes_first"] = sizes[0]
    results["national_commune_view_rerun_bytes"] = sizes[1]
