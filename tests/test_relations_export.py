"""The relations' export (CSV, GeoJSON) and ``territoires data export --what relations``, on the
synthetic registry; and, when the real data is there, the relations the newsletter states."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from territoires.cli import app
from territoires.dataset import load_dataset
from territoires.geo.reader import Boundaries
from territoires.registry import relation_downloads as rd
from territoires.registry.join import anchors, shapes
from territoires.registry.relations import EXPORT_COLUMNS
from territoires.webmap.geometry import GeometryCache

from synthetic import HOSTILE, RELATIONS, ROWS, app_rows, relation, row, write_registry

runner = CliRunner()
FORMULA = '=HYPERLINK("http://x","clic")'
EXTRA_ROWS = [
    *[r for r in app_rows() if r["id"] in ("p1", "p2", "p3", "p4")],
    row(id="partner-cdc", kind="partner", name="Caisse des Dépôts", level="national", code="FR", precision="national"),
]
EXTRA_RELATIONS = [
    relation("rel-7", "partner-cdc", "cofinance", "p1", amount="5000", unit="€", amount_kind="exact"),
    relation("rel-8", "m-dep-01", "associé", "p2", source_quote=FORMULA),
]


@pytest.fixture
def rel_dir(store_dir):
    write_registry(store_dir, ROWS + EXTRA_ROWS, relations=RELATIONS + EXTRA_RELATIONS)
    return store_dir


@pytest.fixture
def ds(rel_dir):
    return load_dataset(rel_dir)


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_csv_has_the_export_columns_and_one_row_per_relation(ds):
    data = rd.csv_bytes(ds.relations)
    assert data.decode("utf-8").splitlines()[0] == ",".join(EXPORT_COLUMNS)
    rows = {(r["from_id"], r["to_id"], r["type"]): r for r in _rows(data)}
    assert len(rows) == 8
    r1 = rows[("m-reg-82", "ptce-x", "finance")]
    assert r1 | {"source_quote": ""} == {
        "from_id": "m-reg-82",
        "from_name": "Rhône-Alpes",
        "from_level": "region_2012",
        "from_code": "82",
        "to_id": "ptce-x",
        "to_name": "Pôle X",
        "to_level": "region_2012",
        "to_code": "82",
        "type": "finance",
        "amount": "1000000",  # not « 1000000.0 »
        "unit": "€",
        "year": "2012",
        "status": "en place",
        "source_quote": "",
    }
    assert rows[("m-dep-01", "ptce-x", "soutient")]["status"] == "à l'étude"
    assert rows[("m-ville-gex", "p1", "cofinance")]["amount"] == "20000"
    assert rows[("partner-cdc", "p1", "cofinance")]["from_level"] == "national"
    assert rows[("m-ville-gex", "m-epci-bugey", "partenaire")]["source_quote"] == HOSTILE


def test_csv_neutralises_a_formula_and_the_geojson_keeps_it_as_data(ds):
    csv_quote = {r["to_id"]: r["source_quote"] for r in _rows(rd.csv_bytes(ds.relations))}["p2"]
    assert csv_quote == "'" + FORMULA
    points = pd.Series(dtype=object)
    feats = {f["id"]: f for f in json.loads(rd.geojson_bytes(ds.relations, points))["features"]}
    assert feats["rel-8"]["properties"]["source_quote"] == FORMULA


def test_geojson_a_line_per_relation_between_the_map_anchors_none_for_a_national_end(ds, rel_dir):
    cache = GeometryCache(ds)
    points = cache.shapes_at("region")["anchor"]
    doc = json.loads(rd.geojson_bytes(ds.relations, points))
    assert doc["type"] == "FeatureCollection"
    feats = {f["id"]: f for f in doc["features"]}
    assert set(feats) == {f"rel-{i}" for i in range(1, 9)}
    gex_p1 = feats["rel-4"]
    assert gex_p1["geometry"]["type"] == "LineString"
    (x0, y0), (x1, y1) = gex_p1["geometry"]["coordinates"]
    assert (x0, y0) == (round(points["m-ville-gex"].x, 6), round(points["m-ville-gex"].y, 6))
    assert (x1, y1) == (round(points["p1"].x, 6), round(points["p1"].y, 6))
    assert (x0, y0) != (x1, y1)
    assert feats["rel-7"]["geometry"] is None  # the Caisse des Dépôts has no place: listed all the same
    assert feats["rel-7"]["properties"]["from_name"] == "Caisse des Dépôts"
    assert feats["rel-7"]["properties"]["amount"] == 5000
    assert list(feats["rel-3"]["properties"]) == EXPORT_COLUMNS
    assert feats["rel-3"]["properties"]["source_quote"] == HOSTILE
    assert feats["rel-6"]["properties"]["source_quote"] == "citation {{ 7*7 }} <b>gras</b>"
    assert all(f["geometry"]["type"] == "LineString" for k, f in feats.items() if k != "rel-7")
    # The export's own reading of the registry gives the same points as the map's cache.
    rel, own = rd.relations_with_points(rel_dir, "region")
    assert json.loads(rd.geojson_bytes(rel, own)) == doc


def test_one_rule_for_the_anchor_of_the_map_and_of_the_lines(ds):
    b = Boundaries(ds.base, scale="region")
    g = shapes(ds.placed, ds.units, b)
    pts = anchors(g)
    for rid, geom, pt in zip(g["id"], g.geometry, pts, strict=True):
        if geom is None:
            assert pt is None, rid
        else:
            assert pt.equals(geom.representative_point()) and geom.contains(pt), rid


def test_cli_writes_the_relations_as_csv_and_geojson(rel_dir, tmp_path):
    target = tmp_path / "rel.csv"
    r = runner.invoke(
        app, ["data", "export", "--what", "relations", "--format", "csv", "-o", str(target), "--data-dir", str(rel_dir)]
    )
    assert r.exit_code == 0, r.output
    assert "8 relations écrites" in r.output
    assert target.read_text(encoding="utf-8").splitlines()[0] == ",".join(EXPORT_COLUMNS)
    gj = tmp_path / "rel.geojson"
    r = runner.invoke(
        app, ["data", "export", "--what", "relations", "--format", "geojson", "-o", str(gj), "--data-dir", str(rel_dir)]
    )
    assert r.exit_code == 0, r.output
    assert len(json.loads(gj.read_text(encoding="utf-8"))["features"]) == 8


def test_cli_default_still_exports_the_actors(rel_dir, tmp_path):
    target = tmp_path / "acteurs.csv"
    r = runner.invoke(app, ["data", "export", "-o", str(target), "--data-dir", str(rel_dir)])
    assert r.exit_code == 0, r.output
    assert "kind" in target.read_text(encoding="utf-8").splitlines()[0].split(",")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--what", "relations", "--format", "xlsx"], "Format inconnu"),
        (["--what", "liens"], "Export inconnu"),
        (["--what", "relations", "--resolution", "fine"], "Résolution inconnue"),
    ],
)
def test_cli_refuses_in_french_and_writes_nothing(rel_dir, tmp_path, args, message):
    target = tmp_path / "rel.out"
    r = runner.invoke(app, ["data", "export", *args, "-o", str(target), "--data-dir", str(rel_dir)])
    assert r.exit_code == 1
    assert message in r.output
    assert not target.exists()


def test_cli_leaves_the_file_in_place_on_a_refused_format(rel_dir, tmp_path):
    target = tmp_path / "rel.csv"
    target.write_text("ancien", encoding="utf-8")
    r = runner.invoke(
        app, ["data", "export", "--what", "relations", "--format", "pdf", "-o", str(target), "--data-dir", str(rel_dir)]
    )
    assert r.exit_code == 1
    assert target.read_text(encoding="utf-8") == "ancien"


# ------------------------------------------------------------------------------------- real data
ISSUE_RELATIONS = [
    ("Rhône-Alpes", "finance", "Transméa", "1000000"),
    ("Lille Métropole Communauté Urbaine", "finance", "Scic Replic NPdC", "20000"),
    ("Caisse des Dépôts", "cofinance", "CitésLab Tourcoing", ""),
    ("Caisse des Dépôts", "cofinance", "CitésLab Wattrelos", ""),
    ("Conseil général des Landes", "soutient", "Pôle de Coopération Sud Aquitaine", ""),
    ("Sicoval", "crée", "Maison de l'Économie Solidaire", ""),
    ("Ramonville", "crée", "Maison de l'Économie Solidaire", ""),
    ("Saint-Etienne Métropole", "partenaire", "Culture et Coopération", ""),
]


@pytest.mark.realdata
def test_the_real_export_lists_the_relations_of_the_newsletter(real_store, tmp_path):
    target = tmp_path / "rel.csv"
    r = runner.invoke(app, ["data", "export", "--what", "relations", "--format", "csv", "-o", str(target)])
    assert r.exit_code == 0, r.output
    rows = _rows(target.read_bytes())
    found = {(x["from_name"], x["type"], x["to_name"], x["amount"]) for x in rows}
    for rel in ISSUE_RELATIONS:
        assert rel in found, rel
    assert {x["unit"] for x in rows if x["amount"] in ("1000000", "20000")} == {"€"}
    gj = tmp_path / "rel.geojson"
    r = runner.invoke(app, ["data", "export", "--what", "relations", "--format", "geojson", "-o", str(gj)])
    assert r.exit_code == 0, r.output
    feats = json.loads(gj.read_text(encoding="utf-8"))["features"]
    assert len(feats) == len(rows)
    cdc = [f for f in feats if f["properties"]["from_name"] == "Caisse des Dépôts"]
    assert cdc and all(f["geometry"] is None for f in cdc)
    landes = next(f for f in feats if f["properties"]["from_name"] == "Conseil général des Landes")
    assert landes["geometry"]["type"] == "LineString"


def test_the_donnees_page_lists_the_relations_with_downloads(rel_dir, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        from territoires.ui import donnees

        donnees.render()

    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(rel_dir))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_function(page, default_timeout=120).run()
    assert not at.exception, at.exception
    assert "Relations" in [s.value for s in at.header]
    frames = [d.value for d in at.dataframe if "Relation" in d.value.columns]
    assert frames and len(frames[0]) == 8
    view = frames[0].set_index("Relation")
    assert list(frames[0].columns[:3]) == ["De", "Niveau (de)", "Code (de)"]
    assert view.loc["finance", "Montant"] == "1\u202f000\u202f000 €"
    assert HOSTILE in set(frames[0]["Citation"])  # shown as data, in a table
    assert not at.markdown or all(HOSTILE not in m.value for m in at.markdown)
