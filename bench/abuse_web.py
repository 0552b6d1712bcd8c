"""The cases of bench/abuse.py played in Chromium against the running dashboard (and its upload endpoint)."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import requests
from abuse_env import ACCOUNTS, PASSWORD, Ctx, RssPoller, shown, tree_rss_mb

NO_TRACEBACK = "Traceback"


def idle(page, timeout: float = 60) -> None:
    """Wait until the script run started by the last action has finished."""
    page.wait_for_timeout(300)
    page.locator("[data-testid=stApp][data-test-script-state=notRunning]").wait_for(timeout=timeout * 1000)


def alerts(page) -> list[str]:
    loc = page.locator("[data-testid=stAlert]")
    return [loc.nth(i).inner_text().strip() for i in range(loc.count())]


def shows_exception(page) -> bool:
    return page.get_by_test_id("stException").count() > 0 or NO_TRACEBACK in page.inner_text("body")


def open_donnees(ctx: Ctx, errors: list, console: list):
    page = ctx.page(errors, console)
    page.goto(ctx.server.url + "/donnees")
    page.get_by_text("Espace du personnel").wait_for(timeout=60_000)
    idle(page)
    return page


def sign_in(page, name: str, password: str) -> None:
    page.get_by_label("Nom du compte").fill(name)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    idle(page)


def ready(ctx: Ctx) -> None:
    """Server and browser started, and the registry as it is now loaded by the server (a visit of the map
    and of Données, not timed as part of a case): a case measures its own work, not a reload."""
    server, _ = ctx.server, ctx.browser
    if not ctx.stale:
        return
    errors, console = [], []
    t0 = time.perf_counter()
    page = open_donnees(ctx, errors, console)
    donnees = time.perf_counter() - t0
    page.goto(server.url + "/")
    while not map_drawn(page) and time.perf_counter() - t0 < 120:
        page.wait_for_timeout(50)
    page.context.close()
    ctx.warmups.append(
        {
            "donnees_s": round(donnees, 2),
            "then_map_s": round(time.perf_counter() - t0 - donnees, 2),
            "page_errors": errors,
        }
    )
    ctx.stale = False


class Watch:
    """Server memory (peak of the process tree) and new tracebacks in its log, during a case."""

    def __init__(self, ctx: Ctx) -> None:
        self.server = ctx.server
        self.mark = len(self.server.log_text())
        self.poller = RssPoller(self.server.pid).begin()

    def end(self) -> dict:
        peak = self.poller.end()
        new = self.server.log_text()[self.mark :]
        return {"peak_mb": peak, "server_log_tracebacks": new.count(NO_TRACEBACK), "server_log_tail": new[-600:]}


def page_result(watch: Watch, errors: list, console: list) -> dict:
    w = watch.end()
    checks = {"no_page_error": not errors, "no_server_traceback": w["server_log_tracebacks"] == 0}
    return {**w, "page_errors": errors, "console_errors": console, "checks": checks}


# ----------------------------------------------------------------------------------------- cases
def anonymous(ctx: Ctx) -> dict:
    """Visiteur anonyme : Données sans champ de fichier ni bouton « Importer » ; PUT /_stcore/upload_file sans XSRF."""
    ready(ctx)
    errors, console = [], []
    watch = Watch(ctx)
    t0 = time.perf_counter()
    page = open_donnees(ctx, errors, console)
    files, buttons = (
        page.locator("input[type=file]").count(),
        page.get_by_role("button", name="Importer", exact=True).count(),
    )
    put = requests.put(f"{ctx.server.url}/_stcore/upload_file/x/y", files={"f": ("a.csv", b"type;nom\n")}, timeout=10)
    seconds = time.perf_counter() - t0
    page.context.close()
    r = page_result(watch, errors, console)
    r["checks"].update(
        no_file_input=files == 0, no_import_button=buttons == 0, put_refused=put.status_code in (400, 403)
    )
    return {
        **r,
        "refused_cleanly": files == 0 and buttons == 0 and put.status_code in (400, 403),
        "message": shown(
            f"page : {files} champ de fichier, {buttons} bouton « Importer » ; PUT → HTTP {put.status_code} {put.text}"
        ),
        "seconds": round(seconds, 2),
    }


def wrong_password(ctx: Ctx) -> dict:
    """Mauvais mot de passe du personnel 5 fois de suite dans le formulaire : refusé, puis « Trop d'essais »."""
    ready(ctx)
    errors, console = [], []
    page = open_donnees(ctx, errors, console)
    watch = Watch(ctx)
    seen, times = [], []
    for i in range(5):
        t = time.perf_counter()
        sign_in(page, ACCOUNTS[1], f"pas le bon mot de passe {i}")
        times.append(round(time.perf_counter() - t, 2))
        seen.append(" / ".join(alerts(page)))
    signed_in = page.get_by_text("Connecté·e").count() > 0
    body_exc = shows_exception(page)
    page.context.close()
    r = page_result(watch, errors, console)
    refused = all("incorrect" in s or "Trop d'essais" in s for s in seen) and not signed_in
    throttled = any("Trop d'essais" in s for s in seen[3:])
    r["checks"].update(first_refused="incorrect" in seen[0], throttled=throttled, no_exception_shown=not body_exc)
    return {
        **r,
        "refused_cleanly": refused and not body_exc,
        "message": shown(" | ".join(seen)),
        "seconds": max(times),
        "seconds_each": times,
    }


def form_zip_bomb(ctx: Ctx, bomb: Path) -> dict:
    """Bombe XLSX (≈ 1 Mo de zip → 1 Go) envoyée par le formulaire du personnel, après connexion."""
    ready(ctx)
    errors, console = [], []
    page = open_donnees(ctx, errors, console)
    sign_in(page, ACCOUNTS[0], PASSWORD)
    page.get_by_text(f"Connecté·e : {ACCOUNTS[0]}").wait_for(timeout=30_000)
    watch = Watch(ctx)
    t0 = time.perf_counter()
    page.locator("input[type=file]").set_input_files(str(bomb))
    try:
        page.get_by_text("décompressé", exact=False).first.wait_for(timeout=60_000)
        said = True
    except Exception:
        said = False
    seconds = time.perf_counter() - t0
    idle(page)
    body = page.inner_text("body")
    what = " / ".join(alerts(page)) + " " + next((ln for ln in body.splitlines() if "décompressé" in ln), "")
    importer = page.get_by_role("button", name="Importer", exact=True).count()
    exc = shows_exception(page)
    page.context.close()
    r = page_result(watch, errors, console)
    r["checks"].update(no_import_button=importer == 0, no_exception_shown=not exc)
    if "Les données ne peuvent pas être chargées" in what:
        r["note"] = "un fichier refusé est annoncé par « Les données ne peuvent pas être chargées » (show_error)"
    return {**r, "refused_cleanly": said and not exc, "message": shown(what), "seconds": round(seconds, 2)}


def donnees_still_work(ctx: Ctx) -> dict:
    """The Données page after an import: its three downloads and « Nouveautés », no error."""
    errors, console = [], []
    watch = Watch(ctx)
    t0 = time.perf_counter()
    page = open_donnees(ctx, errors, console)
    page.get_by_text("Nouveautés", exact=True).wait_for(timeout=30_000)
    loc = page.get_by_test_id("stDownloadButton")
    labels = sorted(loc.nth(i).inner_text().strip() for i in range(loc.count()))
    exc = shows_exception(page)
    seconds = time.perf_counter() - t0
    page.context.close()
    r = page_result(watch, errors, console)
    r["checks"].update(
        three_downloads=labels == ["CSV", "GeoJSON", "XLSX"], no_exception_shown=not exc, page_under_10s=seconds < 10
    )
    return {**r, "downloads": labels, "page_seconds": round(seconds, 2)}


# Thirty values of « au= »: past days, future and impossible ones, other digits, junk.
AU = (
    [f"2013-01-0{d}" for d in range(1, 10)]
    + ["2012-01-01", "2012-06-15", "2012-12-31", "2000-01-01", "1999-12-31", "2020-02-29", "2021-02-29"]
    + ["2012-13-01", "9999-99-99", "0000-00-00", "9999-12-31", "２０１２-０１-０１", "٢٠١٢-٠١-٠١", "2012-01-0１"]
    + ["2012-1-1", "20120101", "2012-01-01T00:00", "<script>alert(1)</script>", "x" * 5000, "-1", "2012-01-01\x00"]
)


def map_drawn(page) -> bool:
    from playwright.sync_api import Error

    for f in page.frames:
        try:
            if (
                "streamlit_folium" in f.url
                and f.locator("path.leaflet-interactive").count() > 0
                and (f.frame_element().bounding_box() or {}).get("height", 0) > 0
            ):
                return True
        except Error:
            continue
    return False


def au_fuzz(ctx: Ctx) -> dict:
    """30 valeurs « au= » dans l'adresse (passées, futures, impossibles, autres chiffres, bruit), à la suite."""
    ready(ctx)
    assert len(set(AU)) == 30
    server = ctx.server
    errors, console = [], []
    watch = Watch(ctx)
    rss_before = tree_rss_mb(server.pid)
    page = ctx.page(errors, console, height=950)
    times, failed, notes = [], [], set()
    for value in AU:
        t = time.perf_counter()
        page.goto(f"{server.url}/?au={quote(value, safe='')}")
        while not map_drawn(page) and time.perf_counter() - t < 30:
            page.wait_for_timeout(50)
        times.append(round(time.perf_counter() - t, 2))
        if not map_drawn(page) or shows_exception(page):
            failed.append(value[:40])
        notes.update(a[:120] for a in alerts(page))
    page.context.close()
    rss_after = tree_rss_mb(server.pid)
    r = page_result(watch, errors, console)
    r["checks"].update(every_page_drawn=not failed, rss_after_below_600=rss_after < 600)
    return {
        **r,
        "refused_cleanly": "handled" if not failed else False,
        "message": shown(
            f"{30 - len(failed)}/30 cartes dessinées ; RSS {rss_before} → {rss_after} Mo ; " + " / ".join(sorted(notes))
        ),
        "seconds": max(times),
        "seconds_total": round(sum(times), 1),
        "seconds_each": times,
        "not_drawn": failed,
        "rss_before_mb": rss_before,
        "rss_after_mb": rss_after,
    }


IMPORTS = 15


def repeated_imports(ctx: Ctx) -> dict:
    """15 imports (CLI) à la suite, serveur en marche, la page Données ouverte après chacun : mémoire bornée."""
    from abuse_env import cli
    from abuse_files import csv_bytes, rows

    ready(ctx)
    errors, console = [], []
    watch = Watch(ctx)
    rss, pages, imports = [tree_rss_mb(ctx.server.pid)], [], []
    for i in range(IMPORTS):
        p = ctx.ws.files / f"suite-{i}.csv"
        p.write_bytes(csv_bytes(rows([f"ptce-abus-s{i:02}"])))
        run = cli(ctx.ws, "data", "import", str(p), "--data-dir", str(ctx.ws.data))
        imports.append(run.seconds if run.code == 0 else -run.code)
        t = time.perf_counter()
        page = open_donnees(ctx, errors, console)
        page.get_by_text("Nouveautés", exact=True).wait_for(timeout=30_000)
        pages.append(round(time.perf_counter() - t, 2))
        page.context.close()
        rss.append(tree_rss_mb(ctx.server.pid))
    r = page_result(watch, errors, console)
    r["checks"].update(every_import_written=all(s > 0 for s in imports), rss_after_below_600=rss[-1] < 600)
    return {
        **r,
        "refused_cleanly": "handled" if all(s > 0 for s in imports) else False,
        "message": shown(f"RSS du serveur après chaque import : {' → '.join(f'{x:.0f}' for x in rss)} Mo"),
        "seconds": max(pages),
        "page_seconds_each": pages,
        "import_seconds_each": imports,
        "rss_mb_each": rss,
        "expect_new_log_lines": IMPORTS,
    }
