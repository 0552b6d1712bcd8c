"""What a person reads, in real headless Chromium: every visible text of every page, and of every
popup and tooltip of the map, holds no internal code name. Run alone: pytest -m e2e -k texts."""

from __future__ import annotations

import re

import pytest

from test_e2e import ARTIFACTS, browser, drawn_map, open_page, server, wait_until  # noqa: F401 — fixtures
from test_e2e_a11y import settled

pytestmark = pytest.mark.e2e

# Internal names of levels, kinds and files, and the marks of a missing value printed as text.
INTERNAL = re.compile(
    r"\b(region_2012|regions_2012|rtes_member|rtes_board_member|ptce_pole|ptce_project|regional_figure|"
    r"network_office|reg_2012|dep_nom|reg_nom|source_quote|source_section|official_name|"
    r"epci|None|nan|NaN|null|undefined|True|False)\b"
)
PAGES = {
    "carte": "/",
    "carte-lieu": "/?lieu=commune:01008",
    "carte-densite": "/?densite=per_million&densite_de=ptce_pole&couches=departements,epci",
    "carte-2016": "/?regions_de=2016&region=84",
    "statistiques": "/statistiques",
    "donnees": "/donnees",
    "sources": "/sources",
    "fiche": "/fiche?fiche=commune:01008",
    "fiche-departement": "/fiche?fiche=departement:01",
    "presentation": "/?presentation=1",
}
# Visible text of a document: text nodes whose element is rendered (not hidden, not a script).
VISIBLE_TEXT_JS = """() => { const out = [];
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); let n;
  while ((n = w.nextNode())) {
    const el = n.parentElement, t = n.data.trim();
    if (!t || !el || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
    if (el.closest('[aria-hidden="true"]') || el.closest('.material-icons, [data-testid="stIconMaterial"]')) continue;
    if (el.getClientRects().length === 0) continue;
    out.push(t); }
  return out; }"""
# Every popup and tooltip bound to a layer of the map, clusters' members included, as text.
POPUPS_JS = """() => { let map = null;
  for (const k in window) { try { if (window[k] instanceof L.Map) { map = window[k]; break; } } catch (e) {} }
  const out = [], seen = new Set();
  const text = (c, l) => { if (typeof c === 'function') c = c(l); const d = document.createElement('div');
    if (c instanceof HTMLElement) { return c.textContent; } d.innerHTML = String(c); return d.textContent; };
  const visit = (l) => { if (seen.has(l)) return; seen.add(l);
    if (l.getPopup && l.getPopup()) out.push(text(l.getPopup().getContent(), l));
    if (l.getTooltip && l.getTooltip()) out.push(text(l.getTooltip().getContent(), l));
    if (l.getLayers) l.getLayers().forEach(visit); };
  map.eachLayer(visit);
  return out.filter(t => t && t.trim()).map(t => t.replace(/\\s+/g, ' ').trim()); }"""


def codes_in(texts: list[str]) -> list[str]:
    return sorted({t[:120] for t in texts if INTERNAL.search(t)})


@pytest.mark.parametrize("name", list(PAGES))
def test_no_internal_code_name_on_screen(server, open_page, name):  # noqa: F811
    page = open_page(server + PAGES[name])
    settled(page)
    texts = [t for f in page.frames for t in f.evaluate(VISIBLE_TEXT_JS)]
    assert len(texts) > 10, texts  # the page drew
    assert codes_in(texts) == [], name
    if name.startswith("carte") or name == "presentation":
        frame = drawn_map(page, markers=False)
        popups = frame.evaluate(POPUPS_JS)
        assert len(popups) > 5, popups  # members and actors have their popups and tooltips
        assert codes_in(popups) == [], name


def test_open_panels_and_an_opened_popup_read_in_french(server, open_page):  # noqa: F811
    """The folded panels (filters, layers, the table of the map) opened, and a popup opened by a click."""
    page = open_page(server + "/")
    settled(page)
    for title in ("Filtres", "Couches et densité"):
        page.get_by_test_id("stSidebar").locator("summary").filter(has_text=title).click()
        settled(page)
    page.get_by_text(re.compile(r"^Les \d+ adhérents et acteurs que montre la carte$")).click()
    settled(page)
    frame = drawn_map(page)
    frame.locator(".leaflet-marker-icon.terr-marker").first.dispatch_event("click")
    wait_until(page, lambda: drawn_map(page).locator(".leaflet-popup-content").count() > 0)
    texts = [t for f in page.frames for t in f.evaluate(VISIBLE_TEXT_JS)]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "textes-panneaux.png"), full_page=True)
    assert codes_in(texts) == []
