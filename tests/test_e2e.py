"""End-to-end in real headless Chromium (Debian's), driven by Playwright. Run alone: -m e2e."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e_server import CHROMIUM, CHROMIUM_ARGS, dashboard

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent : make test l'installe (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def test_home_page_shows_the_store(browser, store_dir):
    errors: list[str] = []
    with dashboard(store_dir) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        page.get_by_text("Contours disponibles").wait_for(timeout=30_000)
        assert page.get_by_role("heading", name="Territoires").is_visible()
        page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=30_000)
        page.wait_for_timeout(500)  # the grid paints just after its canvas appears
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "accueil.png"), full_page=True)
        page.close()
    assert not errors, errors


def test_missing_store_shows_a_french_message_without_traceback(browser, tmp_path):
    with dashboard(tmp_path) as url:
        page = browser.new_page()
        page.goto(url)
        page.get_by_text("territoires geo build", exact=False).wait_for(timeout=30_000)
        body = page.inner_text("body")
        assert "Les données ne peuvent pas être chargées" in body
        assert "Traceback" not in body
        page.close()
