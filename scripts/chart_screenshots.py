"""Screenshots of the Statistiques ranking chart at 1, 2 and 22 rows (docs/screenshots/classement-*.png).

    .venv/bin/python scripts/chart_screenshots.py      # needs data/geo (make setup) and /usr/bin/chromium

The chart is drawn by the dashboard itself (Streamlit's own Vega, no CDN): the script starts
``territoires serve`` on the shipped data, opens the Statistiques page in headless Chromium for three
views of the 2012 régions, and photographs the first chart of each.
"""

from __future__ import annotations

import sys
import time

from playwright.sync_api import sync_playwright

from territoires.settings import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tests"))  # serverproc: the dashboard in a child process
from serverproc import start_background

OUT = REPO_ROOT / "docs" / "screenshots"
CHART = "[data-testid='stVegaLiteChart']"
VIEWS = {  # file name -> query of the Statistiques page (régions of 2012)
    "classement-1-ligne": "?region=82",  # PTCE poles of Rhône-Alpes alone
    "classement-2-lignes": "",  # the page as it opens: PTCE poles, Rhône-Alpes and Aquitaine
    "classement-22-lignes": "?densite_de=rtes_member",  # members: every région of 2012 in metropolitan France
}


def shoot(browser, url: str, name: str, query: str) -> bool:
    """Open the page as a new visitor, wait for the first chart to be drawn, photograph it."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/statistiques{query}")
    chart = page.locator(CHART).first
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if chart.count() and chart.locator("canvas, svg").count():
            break
        page.wait_for_timeout(100)
    else:
        print(f"{name} : le graphique ne s'est pas affiché en 60 s", file=sys.stderr)
        return False
    page.wait_for_timeout(1500)  # fonts and the chart's width settle
    if errors:
        print(f"{name} : erreur de la page : {errors[0]}", file=sys.stderr)
        return False
    target = OUT / f"{name}.png"
    chart.screenshot(path=str(target))
    print(target.relative_to(REPO_ROOT))
    page.close()
    return True


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    proc, url, _ = start_background()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            ok = all(shoot(browser, url, name, query) for name, query in VIEWS.items())
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
