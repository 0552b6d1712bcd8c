"""The national commune view on the synthetic store: covered shares by the one coverage rule, the classes,
the values a rerun sends, the shared geometry file, the « Communes » page and its French errors.

Synthetic units (tests/synthetic.py): today's 01009 gathers the 2012 communes 01009 and 01010 (4 500
inhabitants each, by area); the Bugey intercommunality's 2012 perimeter is 01001 and 01010; two
« Saint-Martin » (01003 and 2A004: a homonym); Paris 75056.
"""

from __future__ import annotations

import gzip
import json
import math

import numpy as np
import pandas as pd
import pytest
import shapely
import streamlit as st
from shapely.geometry import MultiPolygon, Polygon, box
from streamlit.testing.v1 import AppTest

from territoires import communeview, encode
from territoires.dataset import load_dataset

from synthetic import ROWS, write_registry

KEEP = {"m-epci-bugey", "m-ville-ajaccio"}  # an intercommunality of 2012, the Corsican homonym


@pytest.fixture
def ds(store_dir):
    write_registry(store_dir, [r for r in ROWS if r["kind"] != "rtes_member" or r["id"] in KEEP])
    return load_dataset(store_dir)


def test_communes_of_2012_are_covered_or_not(ds):
    t = communeview.shares(ds.placed, ds.units, "2012")
    assert len(t) == len(ds.units.table)
    assert t.at["01001", "share"] == 1.0 and t.at["01010", "share"] == 1.0  # Bugey's 2012 perimeter
    assert t.at["01009", "share"] == 0.0  # the other part of today's 01009
    assert t.at["2A004", "share"] == 1.0 and t.at["01003", "share"] == 0.0  # the homonym is not mixed up
    assert t.at["75056", "share"] == 0.0
    assert t.at["01001", "members"] == 1


def test_a_commune_of_today_is_covered_by_the_population_share_of_its_2012_parts(ds):
    t = communeview.shares(ds.placed, ds.units, "today")
    assert set(t.index) == set(ds.units.table["commune"])
    assert math.isclose(t.at["01009", "share"], 0.5)  # 01010 covered, 01009 not: 4 500 of 9 000
    assert t.at["01009", "members"] == 1
    assert t.at["01001", "share"] == 1.0 and t.at["2A004", "share"] == 1.0
    assert t.at["01003", "share"] == 0.0 and t.at["66001", "share"] == 0.0


def test_every_level_covers_and_a_member_counts_once(store_dir):
    write_registry(store_dir, ROWS)  # a commune, an EPCI, a département, a région of 2012
    full = load_dataset(store_dir)
    t = communeview.shares(full.placed, full.units, "today")
    ain = t.loc[[c for c in t.index if c.startswith("01")], "share"]
    assert (ain == 1.0).all()  # the département and the région cover every commune of Ain
    assert t.at["01008", "members"] == 3  # Gex: the town, the département, the région
    assert t.at["75056", "share"] == 0.0


def test_unknown_vintage_is_refused(ds):
    with pytest.raises(ValueError, match="millésime inconnu"):
        communeview.shares(ds.placed, ds.units, "1999")


def test_classes_runs_and_per_mille():
    s = pd.Series([0.0, 0.1, 0.25, 0.3, 0.5, 0.6, 0.9, 0.9995, 1.0, float("nan")])
    assert communeview.class_of(s).tolist() == [0, 1, 1, 2, 2, 3, 4, 4, 5, 6]
    assert communeview.per_mille(s)[:3] == [0, 100, 250] and communeview.per_mille(s)[-1] == -1
    assert communeview.run_lengths([5, 5, 5, 0, 0, 5]) == [5, 3, 0, 2, 5, 1]
    assert communeview.run_lengths([]) == []
    assert communeview.share_text(1.0) == "100\u00a0%" and communeview.share_text(0.5) == "50,0\u00a0%"
    assert communeview.share_text(float("nan")) == "inconnue"


def test_vectorised_encoding_matches_the_one_by_one_encoding():
    holed = Polygon(box(0, 0, 1, 1).exterior.coords, [box(0.2, 0.2, 0.4, 0.4).exterior.coords])
    geoms = [
        box(2.25, 48.8, 2.42, 48.9),
        None,
        MultiPolygon([box(8.7, 41.9, 8.8, 42.0), box(9.0, 42.0, 9.0001, 42.0001)]),  # a speck dropped
        holed,
        shapely.Point(1, 1),
        Polygon([(0, 0), (0.0001, 0), (0.0001, 0.0001), (0.0001, 0.0001), (0, 0.0001), (0, 0)]),
    ]
    many = encode.polygons_many(np.array(geoms, dtype=object), 1000)
    assert many == [encode.polygons(g, 1000) for g in geoms]


def test_svg_paths_are_mercator_pixels_relative_to_the_origin():
    sq = box(2.0, 48.0, 2.1, 48.1)
    origin = tuple(int(v) for v in np.round(encode.mercator(np.array([[2.0, 48.1]])))[0])
    (path,) = encode.svg_paths(np.array([sq], dtype=object), origin)
    corners = np.round(encode.mercator(np.array([[2.1, 48.1], [2.1, 48.0], [2.0, 48.0], [2.0, 48.1]])))
    assert path.startswith("M") and path.endswith("z") and path.count("M") == 1
    nums = [int(v) for v in path[1:-1].replace("l", " ").replace("-", " -").split()]
    pts = np.cumsum(np.array(nums).reshape(-1, 2), axis=0) + np.array(origin)
    assert sorted(map(tuple, pts.tolist())) == sorted(map(tuple, corners.astype(int).tolist()))
    assert encode.svg_paths(np.array([None, shapely.Point(0, 0)], dtype=object), origin) == ["", ""]


def test_the_geometry_file_is_in_code_order_with_escaped_names(store_dir):
    from territoires.geo.reader import load_level
    from territoires.webmap.communes import geometry_text

    geo = load_level("communes", scale="france", base=store_dir).sample(frac=1.0, random_state=1)
    geo.loc[geo["code"] == "75056", "nom"] = "<script>alert(1)</script>"
    text, codes = geometry_text(geo)
    doc = json.loads(text)
    assert codes == sorted(codes) == doc["c"] and len(doc["p"]) == len(codes) == len(doc["n"])
    assert "<script>" not in text and "&lt;script&gt;" in doc["n"][codes.index("75056")]


def test_a_map_sends_values_not_geometry_and_the_file_is_published_once(ds, tmp_path, monkeypatch):
    from territoires.webmap import communes, published
    from territoires.webmap.geometry import GeometryCache

    monkeypatch.setattr(published, "GEO_DIR", tmp_path)
    monkeypatch.setattr(communes, "GEO_DIR", tmp_path)
    cache = GeometryCache(ds)
    table = communeview.shares(ds.placed, ds.units, "today")
    html = [
        communes.communes_map(
            cache, v, table if v == "today" else communeview.shares(ds.placed, ds.units, v), (41.3, -5.2, 51.1, 9.6)
        )
        .get_root()
        .render()
        for v in ("today", "2012", "today")
    ]
    files = sorted(p.name for p in tmp_path.glob("vue-*.json.gz"))
    assert len(files) == 2  # one file per vintage, whatever the reruns
    assert "terrCommunes(" in html[0] and "Part de la population couverte" in html[0]
    geom = communes.commune_geometry(cache, "today")
    doc = json.loads(gzip.decompress((tmp_path / geom.url.rsplit("/", 1)[-1]).read_bytes()))
    opts = communes.view_options(table, geom.codes)
    assert opts["n"] == len(doc["c"]) == sum(opts["c"][1::2]) == sum(opts["v"][1::2])
    assert '"p":[' not in html[0] and "M" + doc["p"][0][1:20] not in html[0]  # no outline in the map itself


def _page() -> None:
    from territoires.ui import communes

    communes.render()


def _run(data_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(data_dir))
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_function(_page, default_timeout=120).run()


def test_the_page_renders_and_switches_vintage(app_dir, monkeypatch):
    at = _run(app_dir, monkeypatch)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Les communes couvertes par le RTES"
    at.radio(key="cv_vintage").set_value("2012").run()
    assert not at.exception and not at.error


@pytest.mark.parametrize("how", ["missing", "corrupt"])
def test_a_missing_or_corrupt_geometry_file_is_a_french_message(app_dir, monkeypatch, how):

    path = app_dir / "geo" / "display" / "france" / "communes.parquet"
    if how == "missing":
        path.unlink()
    else:
        path.write_bytes(b"PAR1 pas un fichier parquet")
    at = _run(app_dir, monkeypatch)
    assert not at.exception
    shown = "\n".join([e.value for e in at.error] + [t.value for t in at.text])
    # Named in French, whichever reads it first: the dataset's check of the store, or the page's map.
    assert "ne peu" in shown and "pas être" in shown, shown
    assert "communes.parquet" in shown and "Traceback" not in shown


def test_the_page_names_a_geometry_file_it_cannot_read(app_dir, monkeypatch):
    from territoires.errors import DataFileError
    from territoires.webmap import communes

    def unreadable(*args, **kwargs):
        raise DataFileError("Fichier de contours illisible ou tronqué.", where=app_dir / "communes.parquet")

    monkeypatch.setattr(communes, "load_level", unreadable)
    at = _run(app_dir, monkeypatch)
    assert not at.exception
    shown = "\n".join([e.value for e in at.error] + [t.value for t in at.text])
    assert "La carte des communes ne peut pas être affichée" in shown
    assert "illisible" in shown and "Traceback" not in shown


def test_the_start_up_snapshot_keeps_the_files_names_so_a_server_never_computes_them(ds, tmp_path, monkeypatch):
    """``territoires prepare`` makes both files; a server started on its snapshot finds them (issue 19:
    a first visitor never waits while the server prepares 35 000 outlines)."""
    from territoires.webmap import communes, published
    from territoires.webmap.geometry import GeometryCache

    monkeypatch.setattr(published, "GEO_DIR", tmp_path)
    monkeypatch.setattr(communes, "GEO_DIR", tmp_path)
    cache = GeometryCache(ds)
    made = {v: communes.commune_geometry(cache, v) for v in communes.VINTAGES_PREPARED}
    snapshot_part = cache.national_part()  # what snapshot.save pickles

    def no_reading(*args, **kwargs):
        raise AssertionError("les contours des communes ont été relus")

    monkeypatch.setattr(communes, "load_level", no_reading)
    for v, geom in made.items():
        assert communes.commune_geometry(snapshot_part, v) == geom
    (tmp_path / made["2012"].url.rsplit("/", 1)[-1]).unlink()  # the file gone (a cleaned directory): made again
    monkeypatch.undo()
    monkeypatch.setattr(published, "GEO_DIR", tmp_path)
    monkeypatch.setattr(communes, "GEO_DIR", tmp_path)
    assert communes.commune_geometry(snapshot_part, "2012") == made["2012"]
    assert (tmp_path / made["2012"].url.rsplit("/", 1)[-1]).exists()


def test_the_legend_shows_only_the_classes_the_map_holds():
    """Sophie's review: a 2012 legend listed four partial classes with « 0 commune »."""
    import pandas as pd

    from territoires.webmap.communes import legend

    whole = legend(pd.Series([0.0, 1.0, 1.0]), "2012")
    assert "aucune (0 %) : 1 commune" in whole and "100 %" in whole
    assert "moins de 25 %" not in whole and "de 25 à 50 %" not in whole
    partial = legend(pd.Series([0.0, 0.3, float("nan")]), "today")
    assert "de 25 à 50 % : 1 commune" in partial and "inconnue : 1 commune" in partial
    assert "toute (100 %) : 0 commune" in partial  # the last class always: the scale's end
