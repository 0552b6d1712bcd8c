"""Registry loader, check and export on a small synthetic registry and store."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from typer.testing import CliRunner

from territoires.cli import app
from territoires.errors import DataFileError
from territoires.registry import downloads, storage
from territoires.registry.check import check_registry
from territoires.registry.figures import readings

from synthetic import ROWS, write_registry

runner = CliRunner()


@pytest.fixture
def reg_dir(store_dir):
    write_registry(store_dir)
    return store_dir


def test_loader_types(reg_dir):
    reg = storage.load_registry(reg_dir)
    a = reg.actors.set_index("id")
    assert a.at["m-ville-ajaccio", "code"] == "2A004"
    assert a.at["m-dep-01", "code"] == "01"  # leading zero kept
    # read as booleans: the strings "true" and "false" would both be truthy
    assert a["new_member"].dtype == bool and a["test_pole"].dtype == "boolean"
    assert a.index[a["new_member"]].tolist() == ["m-dep-01"]
    assert a.index[a["test_pole"].fillna(False)].tolist() == ["ptce-x"]
    assert readings(a.at["ptce-x", "figures"]) == ["emplois : 250 emplois"]
    assert "jobs" not in a.columns


def test_check_passes_and_reports(reg_dir):
    rep = check_registry(reg_dir)
    assert rep.ok, rep.problems + rep.unmatched
    assert rep.matched == 9
    assert len(rep.unplaced) == 1
    assert any("Saint-Martin" in h for h in rep.homonyms)
    assert rep.members_by_level["commune"] == 3
    result = runner.invoke(app, ["data", "check", "--data-dir", str(reg_dir)])
    assert result.exit_code == 0, result.output
    assert "1 non localisés" in result.output


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"code": "01999"}, "absent"),
        ({"code": "1008"}, "invalide"),
        ({"kind": "pole"}, "kind"),
        ({"id": "m-dep-01"}, "id"),
        ({"notes": "contact : jean.dupont@example.org"}, "électronique"),
        ({"notes": "tél. 03 20 97 17 97"}, "téléphone"),
        ({"source_quote": ""}, "source_quote"),
        ({"represents": "ptce-x"}, "pas une collectivité"),
        (
            {"figures": '[{"label": "emplois", "value": "beaucoup"}]'},
            "m-ville-gex : chiffre 1 : valeur (value) : nombre attendu",
        ),
        ({"lon": "beaucoup"}, "numériques"),
        ({"status": "fini"}, "status"),
        ({"places": "commune:01999"}, "places : commune 01999 absent"),
        ({"places": "canton:01"}, "niveau inconnu"),
        ({"represents": "m-dep-01; m-inconnu"}, "represents=m-inconnu (inconnu)"),
        ({"new_member": "peut-être"}, "booléennes"),
        ({"level": "commune", "code": "2A004", "successor_code": "999999999"}, "successeur 999999999 absent"),
        ({"name": "CC C\x9cur de ville"}, "caractère de contrôle"),
        ({"notes": "CafÃ© solidaire"}, "encodage abîmé"),
    ],
)
def test_check_fails_on_a_broken_copy(store_dir, change, expected):
    rows = [dict(r) for r in ROWS]
    rows[0].update(change)
    write_registry(store_dir, rows)
    rep = check_registry(store_dir)
    assert not rep.ok
    text = "\n".join(rep.problems + rep.unmatched)
    assert expected in text, text
    result = runner.invoke(app, ["data", "check", "--data-dir", str(store_dir)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_malformed_or_missing_files(store_dir):
    d = write_registry(store_dir)
    (d / "actors.csv").write_bytes(b'id,kind\n"unterminated,x\n')
    rep = check_registry(store_dir)
    assert not rep.ok and "actors.csv" in rep.problems[0]
    (d / "actors.csv").write_bytes("id;kind\n".encode("latin-1") + "é".encode("latin-1"))
    assert "UTF-8" in check_registry(store_dir).problems[0]
    (d / "perimetres_2012.csv").unlink()
    write_registry(store_dir)
    (d / "perimetres_2012.csv").unlink()
    assert "perimetres_2012.csv" in check_registry(store_dir).problems[0]


def test_schema_error_names_file_column_and_values(store_dir):
    rows = [dict(r) for r in ROWS]
    rows[2]["level"] = "canton"
    write_registry(store_dir, rows)
    with pytest.raises(DataFileError) as exc:
        storage.load_registry(store_dir)
    msg = exc.value.message
    assert "actors.csv" in msg and "'level'" in msg and "canton" in msg and "ligne" in msg


def test_export_csv_and_geojson(reg_dir, tmp_path):
    out = tmp_path / "r.csv"
    assert downloads.export(out, fmt="csv", base=reg_dir) == len(ROWS)
    with open(out, encoding="utf-8") as fh:
        data = {r["id"]: r for r in csv.DictReader(fh)}
    assert {"id", "kind", "name", "level", "code", "dep", "reg", "reg_2012", "source_section"} <= set(
        next(iter(data.values()))
    )
    assert data["m-ville-ajaccio"]["dep"] == "2A"
    assert data["m-ville-ajaccio"]["reg_2012"] == "94"
    assert data["m-dep-01"]["reg_2012"] == "82"
    assert data["m-epci-bugey"]["n_communes"] == "2"
    gj = tmp_path / "r.geojson"
    downloads.export(gj, fmt="geojson", resolution="full", base=reg_dir)
    feats = {f["properties"]["id"]: f for f in json.loads(gj.read_text())["features"]}
    from shapely.geometry import shape

    from territoires.geo import reader

    com = reader.load_level("communes_2012", base=reg_dir).set_index("code")
    expected = com.loc[["01001", "01010"], "geometry"].union_all()
    bugey = shape(feats["m-epci-bugey"]["geometry"])  # the 2012 perimeter: 01001 ∪ Lompnes, not all of 01009
    assert bugey.symmetric_difference(expected).area < 1e-9
    assert feats["m-none"]["geometry"] is None
    assert feats["rf-x"]["geometry"] is None


def test_export_refuses_unknown_format_and_keeps_existing_file(reg_dir, tmp_path):
    out = tmp_path / "r.csv"
    out.write_text("ancien contenu")
    result = runner.invoke(app, ["data", "export", "--format", "xml", "-o", str(out), "--data-dir", str(reg_dir)])
    assert result.exit_code == 1
    assert "Format inconnu" in result.output
    assert out.read_text() == "ancien contenu"


def test_shipped_registry_copy_is_checked_against_a_store(reg_dir, tmp_path):
    # a copy of the registry directory alone (without a store) fails clearly, not with a traceback
    dst = tmp_path / "seul"
    shutil.copytree(reg_dir / "registry", dst / "registry")
    rep = check_registry(dst)
    assert not rep.ok
    assert "territoires geo build" in rep.problems[0]
