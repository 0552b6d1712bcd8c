"""Make the README's screenshots (docs/screenshots/*.png) from the running dashboard.

    .venv/bin/python scripts/screenshots.py      # needs data/geo (make setup) and /usr/bin/chromium

Starts ``territoires serve`` on the shipped data, opens each view in headless Chromium at
1440×900, waits until the map (or the page's table) is drawn, and writes the images.
"""

from __future__ import annotations

import sys
import time

from playwright.sync_api import sync_playwright

from territoires.settings import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tests"))  # serverproc: the dashboard in a child process
from serverproc import start_background

OUT = REPO_ROOT / "docs" / "screenshots"
VIEWS = {  # file name -> (path and query, what to wait for)
    "carte": ("/", "map"),
    "carte-rhone-alpes": ("/?region=82&couches=departements,communes&densite=per_million", "map"),
    "presentation": ("/?presentation=1", "map"),
    "recherche": ("/?lieu=commune:38185", "place"),
    "statistiques": ("/statistiques", "table"),
    "donnees": ("/donnees", "table"),
    "carte-densite": ("/?densite=per_million&densite_de=ptce_pole", "map"),
    "carte-en-tableau": ("/?region=82", "map"),
}
# Views whose panel is opened before the picture (the text of what is clicked), then scrolled to.
OPEN = {"carte-en-tableau": "adhérents et acteurs que montre la carte"}


def map_drawn(page, markers: bool = True) -> bool:
    """The streamlit-folium frame holds outlines (and markers, unless framed on one place)."""
    for f in page.frames:
        if "streamlit_folium" in f.url and f.locator("path.leaflet-interactive").count() > 0:
            return not markers or f.locator(".leaflet-marker-icon").count() > 0
    return False


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    proc, url, _ = start_background()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            for name, (path, wait) in VIEWS.items():
                page = browser.new_page(viewport={"width": 1440, "height": 900})  # a new visitor each time
                errors: list[str] = []
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.goto(url + path)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    if wait == "table":
                        done = page.locator("[data-testid='stDataFrame']").count()
                    else:
                        done = map_drawn(page, markers=wait == "map")
                    if done:
                        break
                    page.wait_for_timeout(100)
                else:
                    print(f"{name} : la vue ne s'est pas affichée en 60 s", file=sys.stderr)
                    return 1
                if name in OPEN:
                    page.get_by_text(OPEN[name]).click()
                    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
                    page.get_by_text(OPEN[name]).scroll_into_view_if_needed()
                page.wait_for_timeout(1500)  # fonts, clusters and the legend settle
                if errors:
                    print(f"{name} : erreur de la page : {errors[0]}", file=sys.stderr)
                    return 1
                target = OUT / f"{name}.png"
                page.screenshot(path=str(target))
                print(f"{target.relative_to(REPO_ROOT)}")
                page.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
