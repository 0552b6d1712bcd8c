"""Geometry sent once (issue 19): the dashboard's map names shared, content-hashed, gzipped files for
its polygons and popups; exports still inline everything."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from territoires.dataset import load_dataset
from territoires.state import MapState
from territoires.webmap import published
from territoires.webmap.compose import build_map
from territoires.webmap.geometry import GeometryCache
from territoires.webmap.published import PublishedCache, publish

from synthetic import HOSTILE


@pytest.fixture
def geo_dir(tmp_path, monkeypatch):
    d = tmp_path / "static-geo"
    monkeypatch.setattr(published, "GEO_DIR", d)
    monkeypatch.setattr(published, "_written", set())
    return d


@pytest.fixture
def cache(app_dir):
    return GeometryCache(load_dataset(app_dir))


def read(geo_dir, url: str):
    assert url.startswith("/app/static/geo/")
    return json.loads(gzip.decompress((geo_dir / url.rsplit("/", 1)[-1]).read_bytes()))


def test_a_file_is_named_by_its_content_and_written_once(geo_dir):
    a = publish('{"x":1}', "essai")
    assert a == publish('{"x":1}', "essai")  # the same content: the same name, not written again
    assert a != publish('{"x":2}', "essai")
    assert sorted(p.name for p in geo_dir.iterdir()) == sorted(
        {a.rsplit("/", 1)[-1], publish('{"x":2}', "essai").rsplit("/", 1)[-1]}
    )
    assert read(geo_dir, a) == {"x": 1}
    (geo_dir / a.rsplit("/", 1)[-1]).unlink()  # removed behind the server's back (a new checkout)
    publish('{"x":1}', "essai")
    assert read(geo_dir, a) == {"x": 1}
    assert not [p for p in geo_dir.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_the_published_map_carries_no_polygon_and_no_popup(cache, geo_dir):
    inline = build_map(cache, MapState()).get_root().render()
    shared = build_map(cache, MapState(), published=True).get_root().render()
    assert len(shared) < len(inline) * 0.75  # synthetic data: small polygons (the real map: 550 → 48 KB)
    popup = '\\u003cdiv class=\\"terr-popup'  # a popup's opening, as the map's script holds it
    assert popup in inline and popup not in shared  # popups: in the shared file, by id
    urls = set(re.findall(r"/app/static/geo/[a-z_0-9-]+\.json\.gz", shared))
    assert any("/popups-" in u for u in urls) and any("/actors-" in u for u in urls)
    for url in urls:
        assert read(geo_dir, url)  # every file the map names exists and is gzipped JSON
    pops = read(geo_dir, next(u for u in urls if "/popups-" in u))
    assert set(cache.popup_map()) <= set(pops)
    assert "terrDone();" in shared and "terrDone();" in inline


def test_a_layer_lists_its_features_and_the_file_holds_the_same_polygons(cache, geo_dir):
    items = [("01", {"t": "Ain"}), ("2A", {"t": "Corse-du-Sud"}), ("zz", {"t": "absent"})]
    inline = json.loads(cache.layer("departements", "france", items))
    shared = json.loads(PublishedCache(cache).layer("departements", "france", items))
    assert [f[1] for f in shared["f"]] == ["01", "2A"]  # a code without a polygon is left out
    assert [f[0] for f in shared["f"]] == [f[0] for f in inline["f"]]
    g = read(geo_dir, shared["u"])
    assert g["k"] == inline["k"] == shared["k"]
    assert [g["g"][c] for c in ("01", "2A")] == [f[1] for f in inline["f"]]


def test_topology_layers_are_shared_whole(cache, geo_dir):
    items = [(c, {"t": c}) for c in cache.ds.levels["communes"]["code"][:3]]
    shared = json.loads(PublishedCache(cache).topo_layer("communes", "region", items))
    assert set(shared) == {"u"}
    assert read(geo_dir, shared["u"]) == json.loads(cache.topo_layer("communes", "region", items))


def test_hostile_names_stay_escaped_in_the_shared_files(cache, geo_dir):
    shared = build_map(cache, MapState(), published=True).get_root().render()
    assert "49" not in re.findall(r"\d+", shared) or "{{ 7*7 }}" not in shared  # Jinja never ran the name
    texts = b"".join(gzip.decompress(p.read_bytes()) for p in geo_dir.glob("*.gz"))
    assert b"<img" not in texts and b"{{" not in texts  # escaped HTML, braces as entities
    assert HOSTILE not in texts.decode()


def test_exports_still_inline_everything(cache, geo_dir):
    from territoires.export.html import standalone_html

    html = standalone_html(cache, MapState())
    assert "/app/static/geo/" not in html
    assert not geo_dir.exists() or not list(geo_dir.iterdir())


def test_the_shared_code_is_linked_for_the_dashboard_and_inlined_in_exports(cache, geo_dir):
    """Every map's functions and style sheets: two files named by their content for the dashboard
    (kept by the browser), inlined in an export (which must need nothing else)."""
    from territoires.webmap import library

    shown = build_map(cache, MapState(), published=True).get_root().render()
    script = re.search(r'<script src="(/app/static/geo/territoires-[0-9a-f]{20}\.js)"', shown)
    sheet = re.search(r'<link rel="stylesheet" href="(/app/static/geo/territoires-[0-9a-f]{20}\.css)"', shown)
    assert script and sheet, "les fichiers partagés ne sont pas liés"
    script, sheet = script.group(1), sheet.group(1)
    assert script and script.endswith(".js") and sheet.endswith(".css")
    assert (geo_dir / script.rsplit("/", 1)[-1]).read_text() == library.js()
    assert (geo_dir / sheet.rsplit("/", 1)[-1]).read_text() == library.css()
    assert "function terrLayer" not in shown and "window.terrLinks=" not in shown  # not sent again
    assert "terrActors([" in shown and "terrLinks(map_" in shown  # the map's own data and calls
    exported = build_map(cache, MapState()).get_root().render()
    assert "/app/static/geo/" not in exported
    assert library.js() in exported and library.css() in exported
    # Definitions only: loading the library runs nothing (it comes before the map exists).
    assert re.fullmatch(r"(?:\s*(?:function \w+\(|window\.\w+=function\().*)+", library.js(), re.S)
