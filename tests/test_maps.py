"""The web map, the standalone HTML and the image exports, on synthetic data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from territoires import selection
from territoires.dataset import load_dataset
from territoires.export.html import standalone_html
from territoires.export.image import render_image
from territoires.state import MapState
from territoires.webmap.compose import build_map
from territoires.webmap.geometry import GeometryCache
from territoires.webmap.plumbing import CompactLayer, Script

from imagecheck import blank_fraction


@pytest.fixture
def md(app_dir):
    return GeometryCache(load_dataset(app_dir))


def test_select_actors_filters(md):
    placed = md.ds.placed
    ids = set(selection.select_actors(placed, MapState())["id"])
    assert {"p1", "p2", "p3", "p4", "m-ville-gex", "m-dep-01"} <= ids
    assert "m-none" not in ids and "rf-x" not in ids  # not placed / a figure
    assert set(selection.select_actors(placed, MapState(regions=("82",)))["id"]) >= {"p1", "p3"}
    assert "p2" not in set(selection.select_actors(placed, MapState(regions=("82",)))["id"])
    assert "p2" in set(selection.select_actors(placed, MapState(system="2016", regions=("76",)))["id"])
    assert set(selection.select_actors(placed, MapState(kinds=("ples",), members=False))["id"]) == {"p3"}
    assert "p2" not in set(selection.select_actors(placed, MapState(test_only=True))["id"])
    assert "p1" not in set(selection.select_actors(placed, MapState(year=2005))["id"])  # founded 2010
    only_communes = selection.select_actors(placed, MapState(kinds=(), levels=("commune",)))
    assert set(only_communes["level"]) == {"commune"}


def test_map_uses_only_local_assets_and_shows_layers(md):
    html = build_map(md, MapState(layers=("departements", "epci"), statistic="per_million")).get_root().render()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/app/static/vendor/") for u in urls), urls
    assert "cdn" not in html and "googleapis" not in html
    assert "Pôle des Monts" in html  # a marker
    assert "Gex" in html  # a member's tooltip
    assert "D\\u00e9partements" in html and "Intercommunalit\\u00e9s (2025)" in html  # layer control (JSON)
    assert "Adhérents du RTES (août 2012)" in html  # legend


def test_hostile_names_are_inert(md):
    html = build_map(md, MapState()).get_root().render()
    assert "49&lt;img" not in html and "49<img" not in html  # {{ 7*7 }} never evaluated
    assert "<img src=x" not in html
    assert "${alert" not in html
    assert "<script>window.__pwned" not in html
    # the text is there, escaped (as HTML entities, themselves \u0026-escaped inside script JSON)
    assert "&#123;&#123; 7*7 &#125;&#125;" in html or "\\u0026#123;\\u0026#123; 7*7" in html


def test_standalone_html_inlines_everything(md):
    html = standalone_html(md, MapState(regions=("82",)))
    assert "/app/static/" not in html
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://', html)
    assert not re.search(r"<script[^>]*\ssrc=|<link[^>]*\shref=", html)  # nothing fetched, from anywhere
    # Leaflet and its clusters are in the page, read here from their packages, and the map is made with them.
    from xstatic.pkg import leaflet, leaflet_markercluster

    for pkg, name in ((leaflet, "leaflet.js"), (leaflet_markercluster, "leaflet.markercluster.js")):
        code = (Path(pkg.BASE_DIR) / name).read_text(encoding="utf-8")
        assert code[:300] in html and code[-300:] in html, name
    assert "L.map(" in html and "L.markerClusterGroup(" in html


def test_presentation_title_and_source(md):
    html = build_map(md, MapState(presentation=True, regions=("82",))).get_root().render()
    assert "Rhône-Alpes, 2012" in html
    assert "Sources : lettre Transversales" in html


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_image_exports(md, fmt):
    data = render_image(md, MapState(statistic="count"), fmt)
    if fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        import struct

        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (1920, 1080)
        assert blank_fraction(data) < 0.97  # not blank
    elif fmt == "svg":
        assert b"<svg" in data[:500]
        # text is drawn as outlines, but the title (from the filters: all of France, 2012) is the metadata
        title = re.search(rb"<dc:title>([^<]*)</dc:title>", data).group(1).decode()
        assert title.startswith("Adhérents du RTES") and title.endswith("France, 2012"), title
    else:
        assert data[:5] == b"%PDF-"
        assert b"/Title (\xfe\xff" + "Adhérents du RTES".encode("utf-16-be") in data  # PDF text string
        assert "France, 2012".encode("utf-16-be") + b")" in data


def test_cli_export(app_dir, tmp_path):
    from typer.testing import CliRunner

    from territoires.cli import app

    out = tmp_path / "carte.png"
    r = CliRunner().invoke(app, ["export", "png", "-o", str(out), "--data-dir", str(app_dir), "--width", "1280"])
    assert r.exit_code == 0, r.output
    import struct

    assert struct.unpack(">II", out.read_bytes()[16:24]) == (1280, 720)
    html = tmp_path / "carte.html"
    r = CliRunner().invoke(
        app,
        [
            "export",
            "html",
            "-o",
            str(html),
            "--data-dir",
            str(app_dir),
            "--lien",
            "https://exemple.fr/?region=82&acteurs=ptce_pole",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "Pôle des Monts" in html.read_text()
    assert "Pôle du Sud" not in html.read_text()  # in another région


def test_our_data_elements_go_through_jinja_once():
    """branca compiles each rendered part as a template again; ours enter the figure verbatim."""
    import folium

    raw = 'var raw = \'{{ "PWN" ~ "ED" }}{% if 1 %}IF-RAN{% endif %}\';'
    m = folium.Map(tiles=None)
    m.add_child(Script(raw))
    m.add_child(CompactLayer("couche", '[["{{ "EXEC" ~ "UTED" }}"]]', {"color": "#000"}))
    first = m.get_root().render()
    assert raw in first
    assert '[["{{ "EXEC" ~ "UTED" }}"]]' in first
    assert "PWNED" not in first and "EXECUTED" not in first and "IF-RAN';" not in first
    second = m.get_root().render()  # st_folium renders a map twice
    assert second.count("var raw") == 1 and second.count("EXEC") == 1


def test_streamlit_folium_reads_our_layers(md):
    """st_folium builds the map's script from each element's macro: our layers and scripts are in it."""
    from streamlit_folium import _get_map_string

    m = build_map(md, MapState())
    m.get_root().render()
    m.render()
    script = _get_map_string(m)
    assert script.count("terrLayer(") >= 2 and "L.markerClusterGroup" in script
    assert ".addTo(map_div)" in script


def test_a_map_rendered_again_does_not_grow(md):
    """st_folium renders a map twice before it writes its script: the figure keeps one copy of each part."""
    m = build_map(md, MapState())
    m.get_root().render()
    sizes = {part: len(getattr(m.get_root(), part)._children) for part in ("header", "html", "script")}
    first = m.get_root().render()
    for _ in range(3):
        last = m.get_root().render()
    assert {part: len(getattr(m.get_root(), part)._children) for part in sizes} == sizes
    assert len(last) == len(first)
