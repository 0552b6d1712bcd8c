"""The folium map, the standalone HTML and the image exports, on synthetic data."""

from __future__ import annotations

import re

import pytest

from territoires import export, maps
from territoires.dataset import load_dataset
from territoires.state import MapState

from conftest import HOSTILE


@pytest.fixture
def md(app_dir):
    return maps.MapData(load_dataset(app_dir))


def test_select_actors_filters(md):
    placed = md.ds.placed
    ids = set(maps.select_actors(placed, MapState())["id"])
    assert {"p1", "p2", "p3", "p4", "m-ville-gex", "m-dep-01"} <= ids
    assert "m-none" not in ids and "rf-x" not in ids  # not placed / a figure
    assert set(maps.select_actors(placed, MapState(regions=("82",)))["id"]) >= {"p1", "p3"}
    assert "p2" not in set(maps.select_actors(placed, MapState(regions=("82",)))["id"])
    assert "p2" in set(maps.select_actors(placed, MapState(system="2016", regions=("76",)))["id"])
    assert set(maps.select_actors(placed, MapState(kinds=("ples",), members=False))["id"]) == {"p3"}
    assert "p2" not in set(maps.select_actors(placed, MapState(test_only=True))["id"])
    assert "p1" not in set(maps.select_actors(placed, MapState(year=2005))["id"])  # founded 2010
    only_communes = maps.select_actors(placed, MapState(kinds=(), levels=("commune",)))
    assert set(only_communes["level"]) == {"commune"}


def test_map_uses_only_local_assets_and_shows_layers(md):
    html = maps.build_map(md, MapState(layers=("departements", "epci"), statistic="per_million")).get_root().render()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/app/static/vendor/") for u in urls), urls
    assert "cdn" not in html and "googleapis" not in html
    assert "Pôle des Monts" in html  # a marker
    assert "Gex" in html  # a member's tooltip
    assert "D\\u00e9partements" in html and "Intercommunalit\\u00e9s (2025)" in html  # layer control (JSON)
    assert "Adhérents du RTES (août 2012)" in html  # legend


def test_hostile_names_are_inert(md):
    html = maps.build_map(md, MapState()).get_root().render()
    assert "49&lt;img" not in html and "49<img" not in html  # {{ 7*7 }} never evaluated
    assert "<img src=x" not in html
    assert "${alert" not in html
    assert "<script>window.__pwned" not in html
    # the text is there, escaped (as HTML entities, themselves \u0026-escaped inside script JSON)
    assert "&#123;&#123; 7*7 &#125;&#125;" in html or "\\u0026#123;\\u0026#123; 7*7" in html


def test_standalone_html_inlines_everything(md):
    html = maps.standalone_html(md, MapState(regions=("82",)))
    assert "/app/static/" not in html
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://', html)
    assert "L.map(" in html or "L.map" in html


def test_presentation_title_and_source(md):
    html = maps.build_map(md, MapState(presentation=True, regions=("82",))).get_root().render()
    assert "Rhône-Alpes, 2012" in html
    assert "Sources : lettre Transversales" in html


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_image_exports(md, fmt):
    data = export.render_image(md, MapState(statistic="count"), fmt)
    if fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        import struct

        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (1920, 1080)
        assert export.blank_fraction(data) < 0.97  # not blank
    elif fmt == "svg":
        assert b"<svg" in data[:500]
    else:
        assert data[:5] == b"%PDF-"
    assert b"{{ 7*7 }}" not in data or fmt == "png"


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


def test_hostile_string_constant_is_really_hostile():
    assert "{{" in HOSTILE and "onerror" in HOSTILE


def test_our_data_elements_go_through_jinja_once():
    """branca compiles each rendered part as a template again; ours enter the figure verbatim."""
    import folium

    raw = 'var raw = \'{{ "PWN" ~ "ED" }}{% if 1 %}IF-RAN{% endif %}\';'
    m = folium.Map(tiles=None)
    m.add_child(maps._Script(raw))
    m.add_child(maps.CompactLayer("couche", '[["{{ "EXEC" ~ "UTED" }}"]]', {"color": "#000"}))
    first = m.get_root().render()
    assert raw in first
    assert '[["{{ "EXEC" ~ "UTED" }}"]]' in first
    assert "PWNED" not in first and "EXECUTED" not in first and "IF-RAN';" not in first
    second = m.get_root().render()  # st_folium renders the same cached map on every rerun
    assert second.count("var raw") == 1 and second.count("EXEC") == 1


def test_streamlit_folium_reads_our_layers(md):
    """st_folium builds the map's script from each element's macro: our layers and scripts are in it."""
    from streamlit_folium import _get_map_string

    m = maps.build_map(md, MapState())
    m.get_root().render()
    m.render()
    script = _get_map_string(m)
    assert script.count("terrLayer(") >= 2 and "L.markerClusterGroup" in script
    assert ".addTo(map_div)" in script


def test_a_cached_map_does_not_grow_when_rendered_again(md):
    """st_folium renders the cached map on every rerun: the figure must not keep earlier renders."""
    from streamlit_folium import _get_map_string

    m = maps.build_map(md, MapState())

    def rerun() -> str:
        m.get_root().render()
        m.render()
        return _get_map_string(m)

    rerun()  # streamlit-folium renames the elements on the first one
    first = rerun()
    sizes = {part: len(getattr(m.get_root(), part)._children) for part in ("header", "html", "script")}
    for _ in range(5):
        last = rerun()
    assert {part: len(getattr(m.get_root(), part)._children) for part in sizes} == sizes
    assert len(last) == len(first)
