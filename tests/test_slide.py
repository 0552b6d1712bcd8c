"""Slides that read from the back of the room: framing, named actors, large key figure, QR code."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import numpy as np
import pytest
from PIL import Image

from territoires.dataset import load_dataset
from territoires.export.slide import DPI, H, W, compose, render_slide
from territoires.storyboard.model import Slide
from territoires.webmap.geometry import GeometryCache

BASE = "http://localhost:8501"
TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    from territoires.geo import build, store

    from synthetic import app_rows, make_source, write_registry

    base = tmp_path_factory.mktemp("slides")
    store.write_store(build.build(make_source()), make_source().meta, base)
    write_registry(base, app_rows())
    return GeometryCache(load_dataset(base))


def decode_qr(png: bytes) -> list[str]:
    from pyzbar.pyzbar import decode

    return [d.data.decode("utf-8") for d in decode(Image.open(io.BytesIO(png)).convert("L"))]


def label_boxes(c):
    r = c.fig.canvas.get_renderer()
    return [t.get_window_extent(r) for t in c.labels]


def assert_no_overlap(boxes):
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)


def test_a_view_slide_names_its_actors_without_overlap(cache):
    s = Slide(title="Ain", figure="3 acteurs", view="region=82&cooperations=-")
    c = compose(cache, s, link=BASE + s.link, today=TODAY)
    names = [t.get_text() for t in c.labels]
    assert "Pôle des Monts" in names and "PLES de Gex" in names
    assert_no_overlap(label_boxes(c))
    # The labels stay inside the map and off the QR code.
    r = c.fig.canvas.get_renderer()
    qr = c.qr.get_window_extent(r)
    for b in label_boxes(c):
        assert not b.overlaps(qr)


def test_key_figure_is_large_and_the_selection_fills_the_frame(cache):
    s = Slide(title="Ain", figure="3 acteurs", view="region=82&cooperations=-")
    c = compose(cache, s, link=BASE + s.link, today=TODAY)
    assert c.figure.get_fontsize() * DPI / 72 >= 40  # points → pixels at 1920×1080
    assert c.figure.get_text() == "3 acteurs" and c.title.get_text() == "Ain"
    box = c.ax.get_window_extent(c.fig.canvas.get_renderer())
    assert box.width >= 0.85 * W or box.height >= 0.85 * H
    assert len(c.fig.axes) == 2  # the map and the QR code: no overseas inset, none holds anything
    # The selection itself reaches the frame's full width or height.
    w, s_, e, n = c.selection
    (x0, y0), (x1, y1) = c.ax.transData.transform([(w, s_), (e, n)])
    assert (x1 - x0) >= 0.85 * c.frame.width or (y1 - y0) >= 0.85 * c.frame.height


def test_markers_are_large(cache):
    from matplotlib.collections import PathCollection

    s = Slide(title="Ain", view="region=82")
    c = compose(cache, s, link=BASE + s.link, today=TODAY)
    sizes = [np.sqrt(col.get_sizes()).min() * DPI / 72 for col in c.ax.collections if isinstance(col, PathCollection)]
    assert sizes and min(sizes) >= 24


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_render_slide_formats_and_qr(cache, fmt):
    s = Slide(title="La France", figure="Tout le réseau", view="cooperations=-")
    data = render_slide(cache, s, link=BASE + s.link, fmt=fmt, today=TODAY)
    if fmt == "png":
        img = Image.open(io.BytesIO(data))
        assert img.size == (W, H)
        assert decode_qr(data) == [BASE + s.link]
    elif fmt == "svg":
        assert data.lstrip().startswith(b"<?xml") and b"Tout le r" in data
    else:
        assert data.startswith(b"%PDF")


def test_hostile_text_is_inert_in_svg(cache):
    s = Slide(title="<script>alert(1)</script> $x$", figure="{{ 7*7 }}", view="")
    data = render_slide(cache, s, link=BASE + s.link, fmt="svg", today=TODAY)
    assert b"<script>" not in data


def test_a_fiche_slide_shows_the_territory(cache):
    s = Slide(title="Un territoire : Gex", figure="Gex, ville adhérente", fiche="commune:01008")
    c = compose(cache, s, link=BASE + s.link, today=TODAY)
    assert c.figure.get_fontsize() * DPI / 72 >= 40
    # The territory named on its map, then the actors it holds; every label inside the slide, none over
    # another, the legend, the facts box or the QR code's corner.
    assert [t.get_text() for t in c.labels] == ["Gex", "PLES de Gex"]
    r = c.fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in c.labels]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    facts = next(t for t in c.fig.texts if t.get_text().startswith("Gex\n"))
    assert "Commune, code 01008" in facts.get_text()
    others = [facts.get_window_extent(r), c.fig.legends[0].get_window_extent(r)]
    assert not any(b.overlaps(o) for b in boxes for o in others)
    assert all(b.x0 >= 0 and b.x1 <= 1920 and b.y0 >= 0 and b.y1 <= 1080 for b in boxes)
    png = render_slide(cache, s, link=BASE + s.link, today=TODAY)
    assert decode_qr(png) == [BASE + "/fiche?fiche=commune:01008"]


def test_the_date_is_french(cache):
    s = Slide(title="Ain", view="")
    c = compose(cache, s, link=BASE, today=TODAY)
    texts = " ".join(t.get_text() for t in c.fig.texts)
    assert "1er décembre 2026" in texts


def test_rhone_alpes_names_the_four_test_poles(real_store):
    from territoires.storyboard import DEFAULT_NAME, open_storyboards

    sb, _ = open_storyboards().load(DEFAULT_NAME)
    s = next(x for x in sb.slides if "region=82" in x.view)
    real = GeometryCache(load_dataset(None))
    c = compose(real, s, link=BASE + s.link, today=TODAY)
    names = {t.get_text().replace("\n", " ") for t in c.labels}
    assert {"Archer", "Culture et Coopération", "Val Horizon", "SMAC 07"} <= names
    assert_no_overlap(label_boxes(c))
