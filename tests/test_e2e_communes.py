"""The « Communes » page in real headless Chromium: every commune on one canvas, from two fresh
browsers, through reruns (2012 / today and back), with a tooltip naming the commune under the pointer.

Run alone: pytest -m e2e tests/test_e2e_communes.py. Any page error or console error fails the test
(the ``open_page`` fixture).
"""

from __future__ import annotations

import time

import pytest

from test_e2e import ARTIFACTS, browser, open_page, server  # noqa: F401 — fixtures

pytestmark = pytest.mark.e2e

# (lat, lon) inside Paris (75056) on the synthetic store: a box 2.25–2.42 E, 48.8–48.9 N.
PARIS = (48.85, 2.335)
DRAWN_JS = """() => { const h = document.documentElement;
  if (h.getAttribute('data-terr-ready') !== '1' || !h.getAttribute('data-terr-communes')) return null;
  const c = document.querySelector('.leaflet-overlay-pane canvas'); if (!c || !c.width) return null;
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
  return n > 0 ? {communes: +h.getAttribute('data-terr-communes'), pixels: n} : null; }"""


def communes_frame(page, timeout: float = 60, communes: int | None = None, not_communes: int | None = None):
    """The map's frame once its canvas has drawn (non-blank pixels), and what it drew; with ``communes``
    / ``not_communes``, once the number of communes drawn is (is no longer) that one."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for f in page.frames:
            if "streamlit_folium" not in f.url:
                continue
            try:
                drawn = f.evaluate(DRAWN_JS)
                box = f.frame_element().bounding_box()
            except Error:  # detached by a rerun: look again
                continue
            if not drawn or not box or box["height"] <= 0:
                continue
            if communes is not None and drawn["communes"] != communes:
                continue
            if not_communes is not None and drawn["communes"] == not_communes:
                continue
            return f, drawn
        page.wait_for_timeout(200)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "communes-absentes.png"))
    raise AssertionError("la carte des communes n'est pas dessinée")


def hover_tooltip(page, frame, latlon: tuple[float, float]) -> str:
    """Move the pointer over ``latlon`` on the map; the tooltip's text."""
    point = frame.evaluate(
        """([lat, lon]) => { for (const k in window) { const m = window[k];
            if (m && m instanceof L.Map) { const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; } } }""",
        list(latlon),
    )
    box = frame.frame_element().bounding_box()
    x, y = box["x"] + point[0], box["y"] + point[1]
    tip = frame.locator(".leaflet-tooltip.terr-commune-tip")
    for dx in (0, 1, -1, 2):  # a first move may land while the page settles: move again
        page.mouse.move(x + dx, y)
        try:
            tip.wait_for(state="visible", timeout=3000)
            return tip.inner_text()
        except Exception:  # not yet: move again
            continue
    raise AssertionError("aucune infobulle sous le pointeur")


def choose(page, label: str) -> None:
    page.get_by_text(label, exact=True).first.click()


def test_two_fresh_browsers_switch_twice_canvas_drawn_and_tooltip_names_the_commune(open_page, server):  # noqa: F811
    for _ in range(2):  # two visitors, each in a fresh browser context
        page = open_page(f"{server}/communes")
        frame, first = communes_frame(page)
        assert first["pixels"] > 50
        assert frame.get_by_text("Part de la population couverte", exact=False).count() == 1  # the legend
        text = hover_tooltip(page, frame, PARIS)
        assert "Paris" in text and "75056" in text and "%" in text, text
        # Switch to today's communes, then back to 2012's: each rerun sends values, the map draws again.
        choose(page, "Communes d'aujourd'hui")
        frame, other = communes_frame(page, not_communes=first["communes"])
        assert other["pixels"] > 50
        assert "Paris" in hover_tooltip(page, frame, PARIS)
        choose(page, "Communes de 2012")
        frame, again = communes_frame(page, communes=first["communes"])
        assert again["pixels"] > 50
        assert "Paris" in hover_tooltip(page, frame, PARIS)
        assert first["communes"] == 17 and other["communes"] == 15  # the synthetic store's 2012 and today's
        assert not page.get_by_test_id("stException").count()


def test_a_corrupt_geometry_file_is_said_in_french_on_the_map(open_page, server):  # noqa: F811
    """The shared file arrives damaged (a proxy, a full disk): the map says so, no error is thrown."""
    page = open_page()
    page.route("**/static/geo/vue-*", lambda route: route.fulfill(status=200, body=b"pas du gzip"))
    page.goto(f"{server}/communes")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        frames = [f for f in page.frames if "streamlit_folium" in f.url]
        if frames and frames[0].get_by_text("n'ont pas pu être chargés", exact=False).count():
            return
        page.wait_for_timeout(250)
    raise AssertionError("aucun message pour un fichier de contours endommagé")
