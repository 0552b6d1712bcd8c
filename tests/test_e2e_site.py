"""The static site in real headless Chromium, served by ``python -m http.server`` on 127.0.0.1 with every
other host blocked: every page opens without an error and draws its map. Run alone: pytest -m e2e -k site."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from territoires.dataset import load_dataset
from territoires.export.site import write_site
from territoires.geo import store
from territoires.webmap.geometry import GeometryCache
from test_e2e import ARTIFACTS
from test_site import HOSTILE, STORYBOARD, hostile_rows

from e2e_server import CHROMIUM, CHROMIUM_ARGS
from serverproc import free_port
from synthetic import make_source, write_registry

pytestmark = pytest.mark.e2e


@contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """``python -m http.server`` on a free port of 127.0.0.1, serving ``directory``; its URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                requests.get(url, timeout=0.5)
                break
            except requests.RequestException:
                time.sleep(0.1)  # not listening yet
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def site(tmp_path_factory, built):
    d = tmp_path_factory.mktemp("site-data")
    store.write_store(built, make_source().meta, d)
    write_registry(d, hostile_rows())
    out = tmp_path_factory.mktemp("site") / "public"
    write_site(GeometryCache(load_dataset(d)), out, storyboard=STORYBOARD)
    return out


@pytest.fixture(scope="module")
def playwright():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent : make test l'installe (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def visitor(playwright):
    """Open pages in fresh browsers; the test fails on any page error, console error, failed or
    refused request, dialog (an ``alert`` would be a script of the data running), or request to
    any host but 127.0.0.1 (blocked)."""
    browsers, problems = [], []

    def _open(width: int = 1400, height: int = 900):
        b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        browsers.append(b)
        page = b.new_context(viewport={"width": width, "height": height}).new_page()

        def route(r):
            url = urlsplit(r.request.url)
            if url.scheme in ("data", "blob", "file") or url.hostname == "127.0.0.1":
                r.continue_()
            else:
                problems.append(f"requête externe bloquée : {r.request.url}")
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"échec : {r.url} {r.failure}"))
        page.on("response", lambda r: problems.append(f"{r.status} : {r.url}") if r.status >= 400 else None)
        page.on("dialog", lambda d: (problems.append(f"dialogue : {d.message}"), d.dismiss()))
        return page

    yield _open
    for b in browsers:
        b.close()
    assert not problems, problems[:10]


def map_drawn(page, name: str, timeout: float = 20) -> tuple[int, int]:
    """(shapes, markers) once the page's Leaflet map has drawn something; a screenshot if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shapes = page.locator(".leaflet-container path.leaflet-interactive").count()
        markers = page.locator(".leaflet-container .leaflet-marker-icon").count()
        if shapes + markers:
            return shapes, markers
        page.wait_for_timeout(100)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"site-{name.replace('/', '-')}.png"))
    raise AssertionError(f"la carte de {name} n'est pas dessinée")


def test_every_page_opens_and_draws_its_map(site, visitor):
    with static_server(site) as url:
        page = visitor()
        page.goto(url, wait_until="load")
        assert page.title() == "Territoires — la coopération territoriale en 2012"
        assert page.locator("html").get_attribute("lang") == "fr"
        links = [
            urljoin(url, h) for h in page.locator("main a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        ]
        assert len(links) > 10
        assert HOSTILE in page.locator("main").inner_text()  # the slide's title, shown as written
        for link in links:
            page.goto(link, wait_until="load")
            name = link.removeprefix(url)
            assert page.locator("html").get_attribute("lang") == "fr", name
            assert page.locator("h1").count() == 1 and page.locator("nav a", has_text="Accueil").count() == 1, name
            map_drawn(page, name)
            assert page.evaluate("() => window.__pwned") is None, name
        # The navigation leads on: from the first région of 2012 to the next one.
        page.goto(url, wait_until="load")
        page.get_by_role("link", name="Corse").first.click()
        page.get_by_role("link", name="Île-de-France").first.click()
        assert page.url.endswith("regions-2012/11.html")
        map_drawn(page, "regions-2012/11.html")


def test_a_fiche_page_shows_a_hostile_name_as_text(site, visitor):
    with static_server(site) as url:
        page = visitor()
        page.goto(urljoin(url, "fiches/commune-01004.html"), wait_until="load")
        map_drawn(page, "fiches/commune-01004.html")
        assert HOSTILE in page.locator("main").inner_text()
        # No element of the page was made from it: no script of its own, no element named in it.
        assert not page.evaluate("() => [...document.scripts].some(s => s.text.trim() === 'alert(2012)')")
        assert "49x" not in page.locator("body").inner_text()


def test_two_browsers_at_once_on_different_pages(site, visitor):
    with static_server(site) as url:
        a, b = visitor(), visitor(1024, 700)
        a.goto(urljoin(url, "regions-2012/82.html"), wait_until="commit")
        b.goto(urljoin(url, "fiches/commune-01008.html"), wait_until="commit")
        assert all(n > 0 for n in map_drawn(a, "regions-2012/82.html")[:1])
        map_drawn(b, "fiches/commune-01008.html")
        assert a.locator("h1").inner_text() == "Rhône-Alpes"
        assert b.locator("h1").inner_text() == "Gex — commune, Ain"


def test_the_site_works_from_the_file_system(site, visitor):
    """Relative links and assets: the site also opens from file://, with no server at all."""
    page = visitor()
    page.goto((site / "index.html").as_uri(), wait_until="load")
    page.get_by_role("link", name="Rhône-Alpes").first.click()
    assert page.url.startswith("file://") and page.url.endswith(".html")
    map_drawn(page, "file-regions")


@pytest.mark.realdata
def test_the_site_of_the_real_data(real_store, tmp_path, visitor):
    """The site of the shipped data: every région, one fiche per member territory; a few pages drawn."""
    from territoires.export.site import member_territories
    from territoires.settings import REPO_ROOT
    from territoires.storyboard import DEFAULT_NAME, FileStoryboards

    if not list(real_store.glob("*.parquet")):
        pytest.skip("data/geo/*.parquet absents")
    cache = GeometryCache(load_dataset())
    sb = FileStoryboards(REPO_ROOT / "data" / "storyboards").load(DEFAULT_NAME)[0]
    report = write_site(cache, tmp_path / "public", storyboard=sb)
    out = report.output
    territories, skipped = member_territories(cache)
    assert len(list((out / "regions-2012").glob("*.html"))) >= 22
    assert len(list((out / "regions").glob("*.html"))) >= 13
    assert len(list((out / "fiches").glob("*.html"))) == len(territories) > 50 and not skipped
    assert len(list((out / "diaporama").glob("*.html"))) == len(sb.slides)
    print(f"site réel : {report.pages} pages, {report.bytes / 1e6:.1f} Mo, {report.seconds:.0f} s")
    with static_server(out) as url:
        page = visitor()
        for name in ("index.html", "regions-2012/82.html", "regions/84.html", "fiches/commune-38185.html"):
            page.goto(urljoin(url, name), wait_until="load")
            if name != "index.html":
                map_drawn(page, name, timeout=40)
