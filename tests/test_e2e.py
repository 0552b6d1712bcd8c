"""End-to-end in real headless Chromium (Debian's), driven by Playwright. Run alone: pytest -m e2e."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from e2e_server import CHROMIUM, CHROMIUM_ARGS, dashboard

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).parent / "artifacts"
MEMBER_NAMES = {"Gex", "Ain", "Rhône-Alpes", "Saint-Martin", "Bugey", "Ceyzériat"}


# Messages of the browser that are not errors of ours: Streamlit probes a page's sub-path for its
# own endpoints (404 on /donnees/_stcore/...). Anything else logged as an error fails the test.
BENIGN = ("Failed to load resource: the server responded with a status of 404",)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent : make test l'installe (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def open_page(browser):
    """Open pages, each in a fresh browser context (a new visitor); the test fails on any page error.

    Every uncaught exception and every console error of every page opened this way is collected,
    and checked when the test ends: a map that throws is a failure even if something was drawn.
    """
    contexts = []
    errors: list[str] = []

    def _open(url: str | None = None, width: int = 1400, height: int = 950, wait_until: str = "load"):
        ctx = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(ctx)
        page = ctx.new_page()
        page.on(
            "console",
            lambda m: (
                errors.append(f"console: {m.text}") if m.type == "error" and not m.text.startswith(BENIGN) else None
            ),
        )
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        if url is not None:
            page.goto(url, wait_until=wait_until)
        return page

    yield _open
    for ctx in contexts:
        ctx.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def server(tmp_path_factory, built):
    """One dashboard on the synthetic data, shared by the journeys of this module (read-only use)."""
    from territoires.geo import store

    from synthetic import app_rows, make_source, write_registry

    d = tmp_path_factory.mktemp("tableau")
    store.write_store(built, make_source().meta, d)
    write_registry(d, app_rows())
    with dashboard(d) as url:
        yield url


def drawn_map(page, timeout: float = 30, markers: bool = True):
    """The map's frame once the map is really drawn: visible (height > 0), with polygons, and markers
    or clusters when ``markers``. The frame is replaced on reruns, so it is looked up afresh."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for f in page.frames:
            try:
                if "streamlit_folium" not in f.url or f.locator("path.leaflet-interactive").count() == 0:
                    continue
                if markers and f.locator(".leaflet-marker-icon").count() == 0:
                    continue
                if f.evaluate("() => document.documentElement.getAttribute('data-terr-ready')") != "1":
                    continue  # a layer still waits for its shared geometry file
                box = f.frame_element().bounding_box()
                if box and box["height"] > 0:
                    return f
            except Error:  # the frame was detached by a rerun: look again
                continue
        page.wait_for_timeout(200)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "carte-absente.png"))
    raise AssertionError("la carte n'est pas dessinée")


def map_frame(page, timeout: float = 60):
    return drawn_map(page, timeout, markers=False)


def drawing(page) -> tuple[int, int]:
    """(polygons, markers and clusters) of the map drawn on the page."""
    f = drawn_map(page)
    return f.locator("path.leaflet-interactive").count(), f.locator(".leaflet-marker-icon").count()


def map_center(page) -> tuple[float, float]:
    """(lat, lon) of the Leaflet map's centre."""
    return drawn_map(page, markers=False).evaluate(
        """() => { for (const k in window) { const m = window[k];
            if (m && m instanceof L.Map) { const c = m.getCenter(); return [c.lat, c.lng]; } } }"""
    )


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


def sidebar_open(page) -> bool:
    box = page.get_by_test_id("stSidebar").bounding_box()
    return box is not None and box["x"] + box["width"] > 50


def query(url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query))


# ------------------------------------------------------------------ every visitor, every time
def test_twenty_visitors_in_turn_then_five_at_once_all_see_the_map(open_page, server):
    """The defect of issue 12: the first visitor saw the map, later ones did not."""
    seen = []
    for _ in range(20):
        page = open_page(server)
        seen.append(drawing(page))
        page.context.close()
    assert seen[0][0] > 5 and seen[0][1] > 0, seen[0]
    assert len(set(seen)) == 1, seen  # the same polygons and markers for every visitor
    pages = [open_page(server, wait_until="commit") for _ in range(5)]  # five sessions at once
    assert [drawing(p) for p in pages] == [seen[0]] * 5


def test_one_session_every_rerun_draws_the_map(open_page, server):
    """Reruns that keep the view: exports, the layers panel, searches, another page, presentation mode."""
    page = open_page(server)
    first = drawing(page)
    for fmt in ("PNG 1920×1080", "SVG", "PDF", "HTML autonome"):
        page.get_by_text(fmt, exact=True).click()
        page.get_by_role("button", name="Préparer l'export").click()
        page.get_by_role("button", name="Télécharger la carte").wait_for(timeout=60_000)
        assert drawing(page) == first, fmt
    for _ in range(2):  # open, then close
        page.get_by_text("Couches et densité", exact=True).click()
        page.wait_for_timeout(500)
        assert drawing(page) == first
    search = page.get_by_label("Rechercher un lieu", exact=False)
    for name, code, lat in (("Gex", "01008", 46.1), ("Paris", "75056", 48.85), ("Dompierre", "01005", 46.1)):
        search.fill(name)
        search.press("Enter")
        wait_until(page, lambda code=code: query(page.url).get("lieu") == f"commune:{code}")
        drawn_map(page, markers=False)  # framed on a place, the markers may all lie outside the view
        wait_until(page, lambda lat=lat: abs(map_center(page)[0] - lat) < 0.2)  # framed on the place
    page.get_by_role("link", name="Statistiques").click()
    page.get_by_text("Statistiques régionales").wait_for(timeout=30_000)
    page.get_by_role("link", name="Carte").click()
    drawn_map(page, markers=False)
    assert query(page.url).get("lieu") == "commune:01005"
    page.get_by_text("Mode présentation", exact=True).click()
    wait_until(page, lambda: query(page.url).get("presentation") == "1")
    drawn_map(page, markers=False)
    wait_until(page, lambda: not sidebar_open(page))  # presenting: the map takes the whole screen
    page.keyboard.press("Escape")  # leaves presentation (the page's script), the view kept by the link
    wait_until(page, lambda: "presentation" not in query(page.url))
    drawn_map(page, markers=False)
    page.wait_for_timeout(1000)
    assert sidebar_open(page)  # leaving presentation mode keeps the filters at hand
    page.get_by_role("button", name="Ne plus cibler ce lieu").click()
    wait_until(page, lambda: "lieu" not in query(page.url))
    wait_until(page, lambda: drawing(page) == first)  # back to the whole of France (once the rerun has drawn)
    assert search.input_value() == ""


def test_reruns_and_later_visits_fetch_no_geometry_again(open_page, server):
    """Issue 19: boundaries, popups and the maps' shared code cross the network once per browser.

    Bytes counted by Chromium (DevTools): after the first visit, a filter change and a new tab of the
    same browser receive none of the files named by their content (kept a year by the browser)."""
    page = open_page(server)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    got: dict[str, int] = {}

    def finished(e: dict) -> None:
        url = urls.get(e["requestId"], "")
        got[url] = got.get(url, 0) + int(e.get("encodedDataLength", 0))

    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", finished)
    page.reload()
    drawn_map(page)
    shared = {u: n for u, n in got.items() if "/app/static/geo/" in u}
    assert any(u.endswith(".json.gz") for u in shared) and any(u.endswith(".js") for u in shared), got
    assert all(n > 0 for n in shared.values()), shared  # a fresh browser: fetched once
    got.clear()
    search = page.get_by_label("Rechercher un lieu", exact=False)
    for name, code in (("Gex", "01008"), ("Paris", "75056")):  # two new views of the map, two reruns
        search.fill(name)
        search.press("Enter")
        wait_until(page, lambda code=code: query(page.url).get("lieu") == f"commune:{code}")
        drawn_map(page, markers=False)
    # The reruns were counted (the map's frame page, never cached, came again), and the shared files
    # were not (the browser's cache answered: no request, or one of 0 bytes).
    assert any("index.html" in u and n > 0 for u, n in got.items()), got
    again = {u: n for u, n in got.items() if "/app/static/" in u or "streamlit_folium.st_folium/static/" in u}
    assert sum(again.values()) == 0, again
    later = page.context.new_page()  # a later visit, same browser
    cdp2 = page.context.new_cdp_session(later)
    cdp2.send("Network.enable")
    got.clear()
    cdp2.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp2.on("Network.loadingFinished", finished)
    later.goto(server)
    drawn_map(later)
    assert sum(n for u, n in got.items() if "/app/static/geo/" in u) == 0, got


def test_shared_link_reproduces_the_view_in_a_new_browser(open_page, server):
    link = server + "/?region=82&acteurs=ptce_pole,ples&lieu=commune:01008&presentation=1"
    page = open_page(link)
    wait_until(page, lambda: query(page.url).get("lieu") == "commune:01008")
    view = drawing(page)
    shared = page.url
    other = open_page(shared)
    assert drawing(other) == view
    assert query(other.url) == query(shared)
    assert abs(map_center(other)[0] - map_center(page)[0]) < 1e-6


def open_filters(page) -> None:
    """Unfold the sidebar's « Filtres » section (folded by default: the keyboard reaches the page first)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    summary = page.get_by_test_id("stSidebar").locator("summary").filter(has_text="Filtres")
    inside = page.get_by_test_id("stSidebar").get_by_text("Réinitialiser les filtres")
    for _ in range(3):  # a click during the page's first run may be undone by that run: try again
        summary.wait_for()
        if summary.locator("xpath=..").get_attribute("open") is None:
            summary.click()
        try:
            inside.wait_for(state="visible", timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("la section « Filtres » ne s'ouvre pas")


def test_registry_as_of_a_past_date_then_cleared(open_page, server):
    page = open_page(server)
    now = drawing(page)
    open_filters(page)
    field = page.get_by_role("textbox", name="Registre au (AAAA-MM-JJ)")
    field.fill("2012-06-01")
    field.press("Enter")
    wait_until(page, lambda: query(page.url).get("au") == "2012-06-01")
    drawn_map(page, markers=False)
    # The section stays open after a rerun that changes the filters (its title does not change).
    field.fill("")
    field.press("Enter")
    wait_until(page, lambda: "au" not in query(page.url))
    wait_until(page, lambda: drawing(page) == now)


# ------------------------------------------------------------------ what the map shows
def test_map_layers_hover_region_filter(open_page, server):
    page = open_page(server)
    frame = drawn_map(page)
    paths = frame.locator("path.leaflet-interactive")
    n_paths = paths.count()
    assert n_paths > 5
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
    open_filters(page)
    page.get_by_label("Région(s)").click()
    page.keyboard.type("Rhône-Alpes")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_until(page, lambda: "region=82" in page.url)
    wait_until(page, lambda: 0 < path_count(page) < n_paths)
    page.screenshot(path=str(ARTIFACTS / "carte-rhone-alpes.png"))


def test_hostile_name_never_runs(open_page, server):
    page = open_page(server + "/?region=82&acteurs=initiative")
    frame = drawn_map(page)
    frame.evaluate("""() => { for (const k in window) { const m = window[k];
        if (m && m instanceof L.Map) { m.setZoom(13); } } }""")
    page.wait_for_timeout(500)
    icons = frame.locator(".leaflet-marker-icon")
    for i in range(icons.count()):
        icons.nth(i).dispatch_event("mouseover")
        icons.nth(i).click(force=True)
        page.wait_for_timeout(100)
    text = frame.locator("body").inner_text()
    assert "{{ 7*7 }}" in text  # shown as text, never evaluated
    assert frame.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => window.__pwned") is None


def test_html_export_opens_offline(open_page, app_dir, tmp_path):
    from typer.testing import CliRunner

    from territoires.cli import app

    out = tmp_path / "carte.html"
    r = CliRunner().invoke(app, ["export", "html", "-o", str(out), "--data-dir", str(app_dir)])
    assert r.exit_code == 0, r.output
    page = open_page()
    blocked: list[str] = []

    def offline(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.goto(out.as_uri())
    page.locator("path.leaflet-interactive").first.wait_for(timeout=15_000)
    assert page.locator("path.leaflet-interactive").count() > 5
    assert page.locator(".leaflet-marker-icon").count() > 0
    assert page.locator(".terr-legend").count() == 1
    assert not blocked, blocked


def test_missing_store_shows_a_french_message_without_traceback(open_page, tmp_path):
    with dashboard(tmp_path) as url:
        page = open_page(url)
        page.get_by_text("territoires geo build", exact=False).first.wait_for(timeout=30_000)
        body = page.inner_text("body")
        assert "Les données ne peuvent pas être chargées" in body
        assert "Traceback" not in body
        page.context.close()  # before the server stops: the page would keep trying to reconnect


def records_count(page) -> int:
    """The count the Données page states (« N enregistrements selon les filtres. »)."""
    page.get_by_text("enregistrements selon les filtres").wait_for(timeout=60_000)
    text = page.get_by_text("enregistrements selon les filtres").inner_text()
    return int(text.split()[0])


def test_only_signed_in_staff_import_and_every_visitor_sees_it(open_page, app_dir, tmp_path):
    import subprocess
    import sys

    import requests

    from territoires import staff

    accounts = tmp_path / "staff" / "comptes.json"
    staff.add("alice", "une phrase de passe assez longue", accounts)
    f = tmp_path / "adherents.csv"
    f.write_bytes(
        "type;nom;niveau;commune;département;citation\n"
        "ptce_pole;Pôle du Revermont;commune;Saint-Martin;01;Nouveau pôle\n".encode("latin-1")
    )
    registry = app_dir / "registry"
    before = {p.name: p.read_bytes() for p in registry.iterdir() if p.is_file()}
    with dashboard(app_dir, env={"TERRITOIRES_STAFF_FILE": str(accounts)}) as url:
        # An anonymous visitor: no write control at all, and the upload endpoint refuses a stranger.
        anon = open_page(url + "/donnees", height=1400)
        anon.get_by_text("Espace du personnel").wait_for(timeout=60_000)
        n0 = records_count(anon)
        assert anon.locator("input[type=file]").count() == 0
        assert anon.get_by_role("button", name="Importer", exact=True).count() == 0
        put = requests.put(f"{url}/_stcore/upload_file/x/y", files={"f": ("a.csv", b"type;nom\n")}, timeout=10)
        assert put.status_code in (400, 403)
        assert {p.name: p.read_bytes() for p in registry.iterdir() if p.is_file()} == before
        # Staff: a wrong password is refused, the right one opens the import.
        page = open_page(url + "/donnees", height=1600)
        page.get_by_label("Nom du compte").fill("alice")
        page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_text("Nom ou mot de passe incorrect").wait_for(timeout=30_000)
        assert page.locator("input[type=file]").count() == 0
        page.get_by_label("Nom du compte").fill("alice")
        page.get_by_label("Mot de passe").fill("une phrase de passe assez longue")
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_text("Connecté·e : alice").wait_for(timeout=30_000)
        page.locator("input[type=file]").set_input_files(str(f))
        page.get_by_text("1 ajout(s)").wait_for(timeout=30_000)
        assert "Pôle du Revermont" in page.inner_text("body")
        page.get_by_role("button", name="Importer", exact=True).click()
        page.get_by_text("Registre mis à jour").wait_for(timeout=30_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "import.png"), full_page=True)
        # Every later visitor sees the new pole, and still no write control.
        other = open_page(url + "/donnees", height=1400)
        assert records_count(other) == n0 + 1
        assert other.locator("input[type=file]").count() == 0
        # An import from the command line while the server runs: the next visitor sees it, no restart.
        g = tmp_path / "cli.csv"
        g.write_text("type;nom;niveau;code;citation\nptce_pole;Pôle de la ligne;commune;01007;Ligne\n", "utf-8")
        cli = [str(Path(sys.executable).parent / "territoires"), "data", "import", str(g), "--data-dir", str(app_dir)]
        subprocess.run(cli, check=True, capture_output=True, timeout=120)
        third = open_page(url + "/donnees", height=1400)
        assert records_count(third) == n0 + 2
        # A shared link to the day before shows the registry of that day from the first drawing.
        import datetime as dt

        yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        past = open_page(url + f"/donnees?au={yesterday}", height=1400)
        assert records_count(past) == n0
        past.context.close()
        # Signing out closes the import again.
        page.get_by_role("button", name="Se déconnecter").click()
        page.get_by_role("button", name="Se connecter").wait_for(timeout=30_000)
        assert page.locator("input[type=file]").count() == 0
        for p in (anon, page, other, third):
            p.context.close()  # before the server stops: the pages would keep trying to reconnect
    log = (registry / "changelog.csv").read_text(encoding="utf-8")
    assert "Pôle du Revermont" in log and "formulaire" in log and "alice" in log and "cli:" in log


def test_filters_survive_moving_between_pages(open_page, server):
    page = open_page(server + "/?region=82&acteurs=ptce_pole&annee=2010")
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
