"""End-to-end in real headless Chromium (Debian's), driven by Playwright. Run alone: pytest -m e2e."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from e2e_server import CHROMIUM, CHROMIUM_ARGS, dashboard

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).parent / "artifacts"
MEMBER_NAMES = {"Gex", "Ain", "Rhône-Alpes", "Saint-Martin", "Bugey", "Ceyzériat"}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent : make test l'installe (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def map_frame(page, timeout: float = 60):
    """The map's iframe once it has drawn; it is replaced when a filter changes, so look it up afresh."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for f in page.frames:
            try:
                if "streamlit_folium" in f.url and f.locator("path.leaflet-interactive").count() > 0:
                    return f
            except Error:  # the frame was detached by a rerun: look again
                continue
        page.wait_for_timeout(250)
    raise AssertionError("la carte n'est pas apparue")


def path_count(page) -> int:
    from playwright.sync_api import Error

    try:
        return map_frame(page).locator("path.leaflet-interactive").count()
    except Error:
        return -1


def wait_until(page, fn, timeout: float = 30) -> None:
    """Poll ``fn`` while letting Playwright process the page's events."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fn():
            return
        page.wait_for_timeout(250)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "echec.png"))
    raise AssertionError("condition jamais remplie")


def test_map_layers_hover_region_filter_and_console(browser, app_dir):
    with dashboard(app_dir) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        errors = watch(page)
        page.goto(url)
        frame = map_frame(page)
        paths = frame.locator("path.leaflet-interactive")
        n_paths = paths.count()
        assert n_paths > 5
        assert frame.locator(".leaflet-marker-icon").count() > 0  # markers or clusters
        # Hovering a member shows its name.
        seen = set()
        for i in range(n_paths):
            paths.nth(i).dispatch_event("mouseover")
            tip = frame.locator(".leaflet-tooltip")
            if tip.count():
                seen.add(tip.last.inner_text().strip())
            paths.nth(i).dispatch_event("mouseout")
            if seen & MEMBER_NAMES:
                break
        assert seen & MEMBER_NAMES, seen
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "carte.png"))
        # Choosing a région narrows the map.
        page.get_by_label("Région(s)").click()
        page.keyboard.type("Rhône-Alpes")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        wait_until(page, lambda: "region=82" in page.url)
        wait_until(page, lambda: 0 < path_count(page) < n_paths)
        page.screenshot(path=str(ARTIFACTS / "carte-rhone-alpes.png"))
        page.close()
    assert not errors, errors


def test_hostile_name_never_runs(browser, app_dir):
    with dashboard(app_dir) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        errors = watch(page)
        page.goto(url + "/?region=82&acteurs=initiative")
        frame = map_frame(page)
        frame.evaluate("""() => { for (const k in window) { const m = window[k];
            if (m && m instanceof L.Map) { m.setZoom(13); } } }""")
        page.wait_for_timeout(500)
        icons = frame.locator(".leaflet-marker-icon")
        for i in range(icons.count()):
            icons.nth(i).dispatch_event("mouseover")
            icons.nth(i).click(force=True)
            page.wait_for_timeout(100)
        text = frame.locator("body").inner_text()
        assert "{{ 7*7 }}" in text or "7*7" in text  # shown as text
        assert frame.evaluate("() => window.__pwned") is None
        assert page.evaluate("() => window.__pwned") is None
        page.close()
    assert not errors, errors


def test_html_export_opens_offline(browser, app_dir, tmp_path):
    from typer.testing import CliRunner

    from territoires.cli import app

    out = tmp_path / "carte.html"
    r = CliRunner().invoke(app, ["export", "html", "-o", str(out), "--data-dir", str(app_dir)])
    assert r.exit_code == 0, r.output
    page = browser.new_page()
    blocked: list[str] = []

    def offline(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    errors = watch(page)
    page.goto(out.as_uri())
    page.locator("path.leaflet-interactive").first.wait_for(timeout=15_000)
    assert page.locator("path.leaflet-interactive").count() > 5
    assert page.locator(".leaflet-marker-icon").count() > 0
    assert page.locator(".terr-legend").count() == 1
    assert not blocked, blocked
    assert not errors, errors
    page.close()


def test_missing_store_shows_a_french_message_without_traceback(browser, tmp_path):
    with dashboard(tmp_path) as url:
        page = browser.new_page()
        page.goto(url)
        page.get_by_text("territoires geo build", exact=False).first.wait_for(timeout=30_000)
        body = page.inner_text("body")
        assert "Les données ne peuvent pas être chargées" in body
        assert "Traceback" not in body
        page.close()


def test_upload_form_imports_after_confirmation(browser, app_dir, tmp_path):
    f = tmp_path / "adherents.csv"
    f.write_bytes(
        "type;nom;niveau;commune;département;citation\n"
        "ptce_pole;Pôle du Revermont;commune;Saint-Martin;01;Nouveau pôle\n".encode("latin-1")
    )
    with dashboard(app_dir) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        errors = watch(page)
        page.goto(url + "/donnees")
        page.get_by_text("Importer des adhérents ou des pôles").wait_for(timeout=60_000)
        page.locator("input[type=file]").set_input_files(str(f))
        page.get_by_text("1 ajout(s)").wait_for(timeout=30_000)
        assert "Pôle du Revermont" in page.inner_text("body")
        page.get_by_role("button", name="Importer", exact=True).click()
        page.get_by_text("Registre mis à jour").wait_for(timeout=30_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "import.png"), full_page=True)
        page.close()
    assert "Pôle du Revermont" in (app_dir / "registry" / "actors.csv").read_text(encoding="utf-8")
    assert "formulaire" in (app_dir / "registry" / "changelog.csv").read_text(encoding="utf-8")
    assert not [e for e in errors if "404" not in e], errors  # 404: Streamlit probing /donnees/_stcore


def test_filters_survive_moving_between_pages(browser, app_dir):
    with dashboard(app_dir) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        page.goto(url + "/?region=82&acteurs=ptce_pole&annee=2010")
        map_frame(page)
        page.get_by_role("link", name="Statistiques").click()
        page.get_by_text("Statistiques régionales").wait_for(timeout=30_000)
        wait_until(page, lambda: "statistiques" in page.url)
        page.wait_for_timeout(1000)
        assert "region=82" in page.url and "annee=2010" in page.url, page.url
        body = page.inner_text("body")
        assert "Rhône-Alpes" in body
        assert "Choisissez au moins un type" not in body
        page.get_by_role("link", name="Carte").click()
        map_frame(page)
        assert "region=82" in page.url
        page.close()
