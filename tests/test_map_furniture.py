"""Map furniture (issue 17, item 7): metric scale, legends that fold, popups that scroll, cluster colours."""

from __future__ import annotations

import re

import pytest

from territoires.dataset import load_dataset
from territoires.state import MapState
from territoires.webmap import furniture
from territoires.webmap.compose import build_map
from territoires.webmap.geometry import GeometryCache
from test_e2e import ARTIFACTS, browser, drawn_map, open_page, server, wait_until  # noqa: F401


@pytest.fixture
def html(app_dir) -> str:
    """The national map, rendered as test_webmap renders it, from the synthetic dataset."""
    return build_map(GeometryCache(load_dataset(app_dir)), MapState(presentation=True)).get_root().render()


def compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_the_scale_is_metric_only(html):
    js = compact(html)
    assert "L.control.scale({imperial:false,metric:true,maxWidth:160})" in js
    assert "L.control.scale()" not in js  # folium's own scale, kilometres and miles


def test_both_legends_have_a_toggle_button(html):
    button = 'button type=\\"button\\" class=\\"terr-fold\\" aria-expanded=\\"true\\"'
    # Once in the member legend, once in the « Coopérations » legend (both are script strings).
    assert html.count(button) == 2, html.count(button)
    assert "terr-legend" in html and "terr-links-legend" in html
    assert html.count("terrFold(d,map)") == 2 and "window.terrFold=function" in html
    assert "Masquer la légende" in html and "Légende ▾" in html


def test_a_folded_legend_keeps_its_text_escaped():
    out = furniture.foldable("&lt;b&gt;")
    assert out.endswith('<div class="terr-fold-body">&lt;b&gt;</div>')
    assert "<b>" not in out


def test_popups_scroll_and_clusters_have_their_colour(html):
    assert ".leaflet-popup-content { max-height: 60vh; overflow-y: auto;" in html
    for size in ("small", "medium", "large"):
        assert f".leaflet-container .marker-cluster-{size} div {{ background-color:" in html


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_cluster_text_contrast_and_no_green():
    for _halo, disc in furniture.CLUSTER_COLOURS.values():
        assert (1.05) / (_luminance(disc) + 0.05) >= 4.5, disc  # white text on an opaque disc
        r, g, b = (int(disc[i : i + 2], 16) for i in (1, 3, 5))
        assert not (g > r + 30 and g > b), disc  # not the green of « Initiative »


# ------------------------------------------------------------------ in Chromium
LEGEND = ".terr-legend"


def _legend_state(frame) -> tuple[str | None, bool]:
    """(aria-expanded of the member legend's button, whether its body is visible)."""
    return (
        frame.locator(f"{LEGEND} button.terr-fold").get_attribute("aria-expanded"),
        frame.locator(f"{LEGEND} .terr-fold-body").is_visible(),
    )


@pytest.mark.e2e
def test_scale_in_km_and_legend_folds_in_chromium(open_page, server):  # noqa: F811
    page = open_page(server)
    frame = drawn_map(page)
    scale = frame.locator(".leaflet-control-scale-line")
    assert scale.count() == 1, scale.count()  # one line: no imperial one
    text = scale.inner_text().strip()
    assert re.fullmatch(r"\d+ (km|m)", text), text
    button = frame.locator(f"{LEGEND} button.terr-fold")
    wide = frame.evaluate("() => document.querySelector('.leaflet-container').clientWidth") >= furniture.NARROW
    assert _legend_state(frame) == (("true", True) if wide else ("false", False))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "carte-mobilier.png"))
    button.click()
    wait_until(page, lambda: _legend_state(frame)[0] == ("false" if wide else "true"))
    assert _legend_state(frame)[1] is not wide
    assert button.inner_text() == (furniture.FOLDED_LABEL if wide else furniture.OPEN_LABEL)
    page.screenshot(path=str(ARTIFACTS / "carte-legende-pliee.png"))
    button.focus()  # and from the keyboard
    page.keyboard.press("Enter")
    wait_until(page, lambda: _legend_state(frame) == (("true", True) if wide else ("false", False)))
    links = frame.locator(".terr-links-legend button.terr-fold")
    if links.count():  # the « Coopérations » legend folds the same way
        before = links.get_attribute("aria-expanded")
        links.click()
        wait_until(page, lambda: links.get_attribute("aria-expanded") != before)


@pytest.mark.e2e
def test_a_narrow_map_starts_with_its_legend_folded(open_page, server):  # noqa: F811
    page = open_page(server, width=600, height=900)
    frame = drawn_map(page)
    assert frame.evaluate("() => document.querySelector('.leaflet-container').clientWidth") < furniture.NARROW
    assert _legend_state(frame) == ("false", False)
    assert frame.locator(f"{LEGEND} button.terr-fold").inner_text() == furniture.FOLDED_LABEL
    page.screenshot(path=str(ARTIFACTS / "carte-etroite.png"))
    frame.locator(f"{LEGEND} button.terr-fold").click()
    wait_until(page, lambda: _legend_state(frame) == ("true", True))


def test_over_a_density_members_are_outlines_and_the_legend_says_so(app_dir):
    from territoires.webmap.popups import legend_html  # noqa: F401 — the legend is read in the HTML

    ds = load_dataset(app_dir)
    plain = compact(build_map(GeometryCache(ds), MapState()).get_root().render())
    shaded = compact(build_map(GeometryCache(ds), MapState(statistic="count")).get_root().render())
    assert '"fillOpacity":0.35' in plain and '"fillOpacity":0.35' not in shaded
    assert "background:none;border:2pxsolid" in shaded
    # Markup in the map: the keyboard does not stop on each shape, and the map's document is French.
    assert "tabindex','-1'" in plain and "documentElement.lang='fr'" in plain
