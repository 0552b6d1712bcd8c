"""Accessibility (RGAA 4.1) in real headless Chromium: axe-core over every page, French chrome,
the keyboard's way to the search and past the map. Run alone: pytest -m e2e -k a11y."""

from __future__ import annotations

import re

import pytest
import requests

from test_e2e import ARTIFACTS, browser, drawn_map, open_page, server, wait_until  # noqa: F401 — fixtures

pytestmark = pytest.mark.e2e

# Every page, as a visitor opens it (the fiche of a member commune, the presentation view).
PAGES = {
    "carte": "/",
    "carte-lieu": "/?lieu=commune:01008",
    "statistiques": "/statistiques",
    "donnees": "/donnees",
    "sources": "/sources",
    "fiche": "/fiche?fiche=commune:01008",
    "presentation": "/?presentation=1",
}
# Streamlit's and Leaflet's own English strings, which the page must not show nor read out.
ENGLISH = re.compile(
    r"^(Skip to main content|Clear all|Help for .*|Remove .*|Link to heading|Collapse sidebar|Expand sidebar|"
    r"Selected values|App pages|Open|Close|Zoom in|Zoom out|Layers|Drag and drop file.*|Browse files|"
    r"Limit \d+MB per file.*|Press Enter to apply|No results|Choose an option|streamlit_folium\.st_folium|"
    r"Select all|Fullscreen.*|Vega visualization|Show data|Download as (PNG|SVG)|.*-axis titled.*)$"
)
# The page's strings (text, and what assistive technology reads), in the page and in its frames.
STRINGS_JS = """() => { const out = [];
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); let n;
  while ((n = w.nextNode())) { const t = n.data.trim(); if (t) out.push(t); }
  document.querySelectorAll('[aria-label],[title],[placeholder],[alt]').forEach(e =>
    ['aria-label', 'title', 'placeholder', 'alt'].forEach(a => {
      const v = e.getAttribute(a); if (v) out.push(v.trim()); }));
  return out; }"""


def settled(page) -> None:
    """Wait for the page's script run to end (no « running » indicator) and its elements to show."""
    page.wait_for_selector("[data-testid=stAppViewContainer]")
    page.wait_for_selector("[data-testid=stMain] h1, [data-testid=stMain] iframe", timeout=60_000)
    wait_until(page, lambda: page.locator("[data-testid=stStatusWidget]").count() == 0, timeout=60)
    page.wait_for_timeout(1500)  # the last deltas and the frames' own scripts


def audit(page):
    """axe-core's violations that fail the page, the map's frame included."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    # axe-core audits a frame only if it runs there too: it is put in each frame, then run from the top.
    for frame in page.frames[1:]:
        frame.evaluate(axe.axe_script)
    result = axe.run(page)
    # Serious and critical ones, and the order of headings (moderate, but a screen reader's outline).
    bad = [
        v for v in result.response["violations"] if v["impact"] in ("serious", "critical") or v["id"] == "heading-order"
    ]
    return [(v["id"], v["help"], [n["html"][:160] for n in v["nodes"][:3]]) for v in bad]


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_violation_and_the_page_is_in_french(server, open_page, name):  # noqa: F811
    page = open_page(server + PAGES[name])
    settled(page)
    if name.startswith("carte") or name == "presentation":
        drawn_map(page, markers=False)
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert audit(page) == [], name
    english = {s for f in page.frames for s in f.evaluate(STRINGS_JS) if ENGLISH.match(s)}
    assert not english, english


def test_the_page_is_french_before_any_script_runs(server):  # noqa: F811
    """The language is in the HTML Streamlit's server sends (read by a screen reader from the start),
    and the skip link's translation is inlined in it: nothing is fetched from elsewhere."""
    html = requests.get(server + "/statistiques", timeout=10).text
    assert html.startswith("<!") or "<html" in html
    assert '<html lang="fr"' in html
    assert "Aller au contenu principal" in html
    assert "<title>Territoires" in html


def test_a_second_visit_and_a_rerun_stay_clean(server, open_page):  # noqa: F811
    """The same audit after the visitor changed page and came back, and in a second browser at once."""
    first = open_page(server + "/")
    second = open_page(server + "/sources")
    settled(first)
    settled(second)
    first.get_by_role("link", name="Statistiques").first.click()
    settled(first)
    first.get_by_role("link", name="Carte").first.click()
    settled(first)
    drawn_map(first, markers=False)
    assert audit(first) == []
    assert audit(second) == []
    assert first.evaluate("document.documentElement.lang") == second.evaluate("document.documentElement.lang") == "fr"


def _focused(page) -> str:
    """What has the keyboard focus, read through frames: tag and accessible label."""
    return page.evaluate(
        """() => { let e = document.activeElement, path = '';
          while (e && e.tagName === 'IFRAME') {
            path += 'iframe>'; e = e.contentDocument && e.contentDocument.activeElement; }
          const name = e ? (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 60) : '';
          return path + (e ? e.tagName + ' ' + name : ''); }"""
    )


def test_the_search_is_reached_in_at_most_15_presses_of_tab(server, open_page):  # noqa: F811
    page = open_page(server + "/")
    settled(page)
    drawn_map(page)
    seen = []
    for _ in range(15):
        page.keyboard.press("Tab")
        seen.append(_focused(page))
        if seen[-1].startswith("INPUT Rechercher un lieu"):
            break
    assert seen[-1].startswith("INPUT Rechercher un lieu"), seen
    assert seen[0].startswith("A Aller au contenu principal"), seen  # the skip link comes first, in French


def test_the_map_is_one_tab_stop_and_the_skip_link_leads_to_the_table(server, open_page):  # noqa: F811
    page = open_page(server + "/")
    settled(page)
    frame = drawn_map(page)
    # Markers and clusters are out of the tab order; the map itself is one stop, with a French label.
    focusable = frame.evaluate(
        """() => [...document.querySelectorAll('a[href], button, input, [tabindex]:not([tabindex="-1"])')]
             .filter(e => e.offsetParent !== null || e.classList.contains('leaflet-container'))
             .map(e => e.tagName + '.' + String(e.className.baseVal ?? e.className).split(' ')[0])"""
    )
    # The map, zoom in and out, the layers, the legends' toggles (actors, links), the attribution.
    assert len(focusable) <= 8 and not any("marker" in f for f in focusable), focusable
    assert frame.locator(".leaflet-marker-icon[tabindex='0']").count() == 0
    label = frame.locator(".leaflet-container").get_attribute("aria-label")
    assert label and "tableau" in label
    assert frame.locator(".leaflet-control-zoom-in").get_attribute("title") == "Zoom avant"
    assert frame.evaluate("document.documentElement.lang") == "fr"
    # With Tab, from the link past the map: the map and its controls take a few stops, then the page
    # goes on (Chromium makes each interactive SVG shape a stop unless told otherwise).
    page.get_by_label("Rechercher un lieu", exact=False).focus()
    page.keyboard.press("Tab")
    inside = 0
    for _ in range(30):
        page.keyboard.press("Tab")
        where = _focused(page)
        if not where.startswith("iframe>"):
            break
        assert "path" not in where.lower() and "marker" not in where.lower(), where
        inside += 1
    assert not _focused(page).startswith("iframe>") and inside <= 8, (inside, _focused(page))
    # The skip link: from the search, the next stop is the link past the map; it leads to the table.
    page.get_by_label("Rechercher un lieu", exact=False).focus()
    page.keyboard.press("Tab")
    assert _focused(page).startswith("A Passer la carte"), _focused(page)
    page.keyboard.press("Enter")
    heading = page.locator("#la-carte-en-tableau")
    wait_until(page, lambda: heading.count() == 1 and 0 <= heading.bounding_box()["y"] < 950 - 40)
    # The keyboard goes on from there: the heading's own link, then the table's panel, which Enter opens.
    page.keyboard.press("Tab")
    assert _focused(page) == "A Lien vers ce titre", _focused(page)
    page.keyboard.press("Tab")
    assert re.match(r"SUMMARY .*Les \d+ adhérents et acteurs", _focused(page)), _focused(page)
    page.keyboard.press("Enter")
    grid = page.get_by_test_id("stDataFrame")
    wait_until(page, lambda: grid.count() >= 1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "carte-en-tableau.png"), full_page=True)
    # Opened twice in one session (a rerun by another widget in between): still there.
    page.get_by_label("Rechercher un lieu", exact=False).fill("Gex")
    page.keyboard.press("Enter")
    wait_until(page, lambda: page.get_by_test_id("stDataFrame").count() >= 1)
