"""The storyboard presented in real headless Chromium at 1920×1080: the map fills the screen, no
overlay covers the selection, the presenter's keys step through the slides. Run alone:
pytest -m e2e -k diaporama."""

from __future__ import annotations

import pytest

from territoires.storyboard import FileStoryboards, Slide, Storyboard
from test_e2e import ARTIFACTS, browser, drawn_map, open_page, query, wait_until  # noqa: F401 — fixtures

from e2e_server import dashboard

pytestmark = pytest.mark.e2e
NAME = "rencontre-nationale"
W, H = 1920, 1080
# The synthetic data's own views: the nation, a région, a place (Gex, outlined), a density.
SLIDES = [
    Slide(title="Le réseau en France", figure="Les adhérents et les pôles", view=""),
    Slide(title="Rhône-Alpes", figure="Les pôles de la région", view="region=82&acteurs=ptce_pole,ples"),
    Slide(title="Un territoire : Gex", figure="Gex, ville adhérente", fiche="commune:01008"),
    Slide(title="Par million d'habitants", figure="Une densité", view="densite=per_million&densite_de=rtes_member"),
]
OVERLAYS = (".terr-band", ".terr-legend", ".terr-links-legend", ".terr-source", ".leaflet-control-scale")
PLACE_COLOUR = "#d7301f"  # webmap.layers.PLACE_STYLE: the searched place's outline


@pytest.fixture(scope="module")
def server(tmp_path_factory, built):
    """A dashboard on the synthetic data whose data dir holds the default storyboard."""
    from territoires.geo import store

    from synthetic import app_rows, make_source, write_registry

    d = tmp_path_factory.mktemp("diaporama")
    store.write_store(built, make_source().meta, d)
    write_registry(d, app_rows())
    FileStoryboards(d / "storyboards").save(NAME, Storyboard(title="Essai", slides=SLIDES), expected=None)
    with dashboard(d) as url:
        yield url


def boxes(frame, selector: str) -> list[dict]:
    """The visible boxes (page coordinates) of what ``selector`` finds in the map's frame."""
    loc = frame.locator(selector)
    out = []
    for i in range(loc.count()):
        b = loc.nth(i).bounding_box()
        if b and b["width"] > 0 and b["height"] > 0:
            out.append(b)
    return out


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def on_screen(b: dict) -> bool:
    return b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= W and b["y"] + b["height"] <= H


def selection_boxes(frame, slide: Slide) -> list[dict]:
    """What the slide is about: its markers and clusters, the outlined place, the selected région's paths."""
    found = boxes(frame, ".leaflet-marker-icon")
    found += boxes(frame, f'path[stroke="{PLACE_COLOUR}"]')
    if "region=" in slide.view:  # every outline drawn is of the selected région
        found += boxes(frame, "path.leaflet-interactive")
    return [b for b in found if on_screen(b)]


def counter(frame) -> str:
    return frame.locator(".terr-slide").inner_text().strip()


def check_slide(page, n: int, slides: list[Slide] = SLIDES, shot: str = "presentation") -> None:
    wait_until(page, lambda: query(page.url).get("diapo") == str(n))
    frame = drawn_map(page, markers=False)
    wait_until(page, lambda: frame.locator(".terr-slide").count() == 1 and counter(frame) == f"{n} / {len(slides)}")
    page.wait_for_timeout(600)  # the frame's fitting script and the legends' layout
    box = frame.frame_element().bounding_box()
    assert box["width"] * box["height"] >= 0.85 * W * H, box
    inner = frame.evaluate(
        "() => { const c = document.querySelector('.leaflet-container'); return [c.clientWidth, c.clientHeight]; }"
    )
    assert inner[0] * inner[1] >= 0.85 * W * H, inner  # the map's content, not just its frame
    slide = slides[n - 1]
    assert frame.locator(".terr-band .terr-title").inner_text().strip() == slide.title
    covers = [(sel, b) for sel in OVERLAYS for b in boxes(frame, sel)]
    assert covers, "pas de bandeau ni de légende"
    under = selection_boxes(frame, slide)
    # A view of members only over all France has no marker: its territories are the whole map.
    assert under or frame.locator("path.leaflet-interactive").count(), f"diapositive {n} : rien à l'écran"
    bad = [(sel, o, s) for sel, o in covers for s in under if overlap(o, s)]
    assert not bad, (n, bad[:3])
    sizes = frame.evaluate(
        """() => [...document.querySelectorAll('.terr-band, .terr-band *, .terr-legend, .terr-legend *,'
             + ' .terr-source, .leaflet-control-scale-line')]
             .filter(e => e.childNodes.length && [...e.childNodes].some(c => c.nodeType === 3 && c.data.trim()))
             .map(e => parseFloat(getComputedStyle(e).fontSize))"""
    )
    assert sizes and min(sizes) >= 20, sizes
    pins = boxes(frame, ".terr-pin")
    assert all(b["width"] >= 24 and b["height"] >= 24 for b in pins), pins[:3]
    assert frame.locator(".leaflet-control-zoom").count() == 0
    assert not frame.locator(".leaflet-control-layers").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}-{n}.png"))


def test_the_storyboard_fills_the_screen_and_the_keys_step_through_it(open_page, server):  # noqa: F811
    page = open_page(f"{server}/?presentation=1&diaporama={NAME}&diapo=1", width=W, height=H)
    check_slide(page, 1)
    page.keyboard.press("ArrowLeft")  # the first: stays
    page.wait_for_timeout(500)
    assert query(page.url).get("diapo") == "1"
    page.keyboard.press("ArrowRight")  # focus on the page
    check_slide(page, 2)
    frame = drawn_map(page, markers=False)
    frame.locator(".leaflet-container").focus()  # focus inside the map's frame
    page.keyboard.press("PageDown")
    check_slide(page, 3)
    frame = drawn_map(page, markers=False)
    frame.locator(".leaflet-container").click(position={"x": 960, "y": 600})
    page.keyboard.press("ArrowRight")
    check_slide(page, 4)
    page.keyboard.press("PageDown")  # the last: stays
    page.wait_for_timeout(500)
    assert query(page.url).get("diapo") == "4"
    page.keyboard.press("ArrowLeft")
    check_slide(page, 3)
    page.keyboard.press("PageUp")
    check_slide(page, 2)
    page.keyboard.press("End")  # as in PowerPoint: the last slide, then the first
    check_slide(page, 4)
    page.keyboard.press("Home")
    check_slide(page, 1)
    page.keyboard.press("Escape")  # leaves for the storyboard's page
    wait_until(page, lambda: "/diaporama" in page.url)
    page.get_by_text("Titre : Essai", exact=True).wait_for(timeout=30_000)


def test_a_clicker_pressed_twice_quickly_moves_two_slides(open_page, server):  # noqa: F811
    # Also by the Diaporama page's own address, as a copied « Présenter » link has it.
    page = open_page(f"{server}/diaporama?presentation=1&diaporama={NAME}&diapo=1", width=W, height=H)
    check_slide(page, 1)
    page.keyboard.press("PageDown")
    page.wait_for_timeout(600)  # a clicker pressed twice: the next slide is still loading, the press is kept
    page.keyboard.press("PageDown")
    check_slide(page, 3)
    page.keyboard.press("PageUp")
    page.wait_for_timeout(600)
    page.keyboard.press("PageUp")
    check_slide(page, 1)


def test_two_browsers_present_at_once(open_page, server):  # noqa: F811
    first = open_page(f"{server}/?presentation=1&diaporama={NAME}&diapo=2", width=W, height=H)
    second = open_page(f"{server}/?presentation=1&diaporama={NAME}&diapo=4", width=W, height=H)
    check_slide(first, 2)
    check_slide(second, 4)
    first.keyboard.press("ArrowRight")
    second.keyboard.press("ArrowLeft")
    check_slide(first, 3)
    check_slide(second, 3)


def test_a_wrong_link_says_so_and_leads_on(open_page, server):  # noqa: F811
    page = open_page(f"{server}/?presentation=1&diaporama={NAME}&diapo=99", width=W, height=H)
    check_slide(page, 4)  # the last one, and the link says so
    wait_until(page, lambda: query(page.url).get("diapo") == "4")
    page = open_page(f"{server}/?presentation=1&diaporama=ancien-nom", width=W, height=H)
    page.get_by_text("Diaporama introuvable").wait_for(timeout=30_000)
    page.get_by_text("Pas de diaporama « ancien-nom »").wait_for()
    page.get_by_text("Ce lien de présentation ne mène à aucun diaporama.").wait_for()
    page.get_by_role("link", name="Voir les diaporamas").click()  # in this tab
    wait_until(page, lambda: "/diaporama" in page.url)
    page.get_by_text("Titre : Essai", exact=True).wait_for(timeout=30_000)
    page.get_by_role("link", name="Présenter", exact=True).click()  # in this tab too, from slide 1
    check_slide(page, 1)
    page.keyboard.press("End")
    check_slide(page, 4)


def test_presentation_without_storyboard_fills_the_screen_and_escape_leaves(open_page, server):  # noqa: F811
    page = open_page(f"{server}/?presentation=1&region=82", width=W, height=H)
    frame = drawn_map(page, markers=False)
    box = frame.frame_element().bounding_box()
    assert box["width"] * box["height"] >= 0.85 * W * H, box
    assert frame.locator(".terr-slide").count() == 0  # no counter outside a storyboard
    assert "Rhône-Alpes" in frame.locator(".terr-band .terr-title").inner_text()
    page.keyboard.press("ArrowRight")  # no storyboard: nothing to step to
    page.wait_for_timeout(500)
    assert query(page.url).get("presentation") == "1"
    page.keyboard.press("Escape")
    wait_until(page, lambda: "presentation" not in query(page.url))
    assert query(page.url).get("region") == "82"
    page.get_by_text("Carte de la coopération territoriale (2012)").wait_for(timeout=30_000)


def test_the_page_and_a_slide_pass_the_accessibility_audit(open_page, server):  # noqa: F811
    from test_e2e_a11y import audit, settled

    page = open_page(f"{server}/diaporama", width=1400, height=950)
    settled(page)
    page.get_by_text("Titre : Essai", exact=True).wait_for(timeout=30_000)
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert audit(page) == []
    page.screenshot(path=str(ARTIFACTS / "diaporama.png"), full_page=True)
    slide = open_page(f"{server}/?presentation=1&diaporama={NAME}&diapo=3", width=W, height=H)
    drawn_map(slide, markers=False)
    settled(slide)
    assert audit(slide) == []


@pytest.mark.realdata
def test_each_slide_of_the_shipped_storyboard_on_the_real_data(open_page, real_store):  # noqa: F811
    """The default storyboard of the national meeting, on the shipped data, stepped through with the
    presenter's key: every slide fills the screen and no overlay covers what it shows."""
    from territoires.settings import REPO_ROOT

    slides = FileStoryboards(REPO_ROOT / "data" / "storyboards").load(NAME)[0].slides
    with dashboard() as url:
        page = open_page(f"{url}/?presentation=1&diaporama={NAME}&diapo=1", width=W, height=H)
        for n in range(1, len(slides) + 1):
            check_slide(page, n, slides, shot="rencontre")
            if n < len(slides):
                page.keyboard.press("PageDown")
        page.close()  # before the server stops: a page left open would log its lost connection
