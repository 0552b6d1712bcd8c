"""The slides of the default storyboard as PNG pictures (docs/screenshots/diapo-1.png … diapo-N.png).

    .venv/bin/python scripts/deck_screenshots.py [BASE_URL]   # needs data/geo (make setup)

Each picture is what ``territoires export deck --format pdf`` puts on a page, at 1920×1080: look at
them from across a room (or shrunk to a quarter) before the meeting.
"""

from __future__ import annotations

import sys

from territoires.dataset import load_dataset
from territoires.export import write_file
from territoires.export.deck import url_of
from territoires.export.slide import render_slide
from territoires.settings import REPO_ROOT
from territoires.storyboard import DEFAULT_NAME, open_storyboards
from territoires.webmap.geometry import GeometryCache

OUT = REPO_ROOT / "docs" / "screenshots"


def main(base_url: str = "http://localhost:8501") -> None:
    sb, _ = open_storyboards().load(DEFAULT_NAME)
    cache = GeometryCache(load_dataset(None))
    for i, slide in enumerate(sb.slides, 1):
        target = OUT / f"diapo-{i}.png"
        write_file(target, render_slide(cache, slide, link=url_of(base_url, slide)))
        print(f"✓ {target.relative_to(REPO_ROOT)} — {slide.title}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
