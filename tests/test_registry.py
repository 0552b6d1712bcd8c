"""Registry loader, check and export on a small synthetic registry and store."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from typer.testing import CliRunner

from territoires.cli import app
from territoires.errors import DataFileError
from territoires.registry import export, loader
from territoires.registry.check import check_registry
from territoires.registry.schema import COLUMNS

runner = CliRunner()


def row(**kw):
    r = dict.fromkeys(COLUMNS, "")
    r.update(
        new_member="false",
        precision="territoire",
        source_section="Adhérents au 31 août 2012",
        source_quote="Villes : … Gex …",
    )
    r.update({k: str(v) for k, v in kw.items()})
    return r


ROWS = [
    row(id="m-ville-gex", kind="rtes_member", name="Gex", official_name="Gex", level="commune", code="01008"),
    row(
        id="m-ville-ajaccio",
        kind="rtes_member",
        name="Saint-Martin",
        level="commune",
        code="2A004",
        notes="Homonyme : la Corse-du-Sud",
    ),
    row(id="m-dep-01", kind="rtes_member", name="Ain", level="departement", code="01", new_member="true"),
    row(id="m-reg-82", kind="rtes_member", name="Rhône-Alpes", level="region_2012", code="82"),
    row(
        id="m-epci-bugey",
        kind="rtes_member",
        name="Bugey",
        level="epci",
        code="240100001",
        siren_2012="240100001",
        successor_code="200000001",
    ),
    row(
        id="ca-x",
        kind="rtes_board_member",
        name="Une Élue",
        level="commune",
        code="01008",
        represents="m-ville-gex",
        role="Présidente",
    ),
    row(
        id="ptce-x",
        kind="ptce_pole",
        name="Pôle X",
        level="region_2012",
        code="82",
        precision="region",
        test_pole="true",
        jobs="250",
    ),
    row(
        id="rf-x",
        kind="regional_figure",
        name="Réponses",
        level="national",
        code="FR",
        precision="national",
        figure_label="Réponses",
        figure_value="150",
        figure_approx="false",
    ),
    row(id="m-cantal", kind="rtes_member", name="Ceyzériat", level="commune", code="01004"),
    row(
        id="m-none",
        kind="rtes_member",
        name="Pays flou",
        level="none",
        precision="inconnue",
        notes="non localisé : périmètre inconnu",
    ),
]
PERIMETERS = [
    {
        "siren_2012": "240100001",
        "nom_2012": "CC du Bugey 2012",
        "commune_2012": "01001",
        "nom_commune_2012": "Ambérieu",
        "commune": "01001",
    },
    {
        "siren_2012": "240100001",
        "nom_2012": "CC du Bugey 2012",
        "commune_2012": "01010",
        "nom_commune_2012": "Lompnes",
        "commune": "01009",
    },
]


def write_registry(base, rows=ROWS, perimeters=PERIMETERS):
    d = base / "registry"
    d.mkdir(parents=True, exist_ok=True)
    with open(d / "actors.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    with open(d / "perimetres_2012.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(perimeters[0]))
        w.writeheader()
        w.writerows(perimeters)
    (d / "alias_communes.csv").write_text("name,dep,code,reason\nAmbérieu-en-Bugey,01,01001,nom d'usage\n")
    (d / "fusions_communes.csv").write_text("code_2012,nom_2012,code,reason\n01099,Absorbée,01002,fusion\n")
    return d


@pytest.fixture
def reg_dir(store_dir):
    write_registry(store_dir)
    return store_dir


def test_loader_types(reg_dir):
    reg = loader.load_registry(reg_dir)
    a = reg.actors.set_index("id")
    assert a.at["m-ville-ajaccio", "code"] == "2A004"
    assert a.at["m-dep-01", "code"] == "01"  # leading zero kept
    assert a.at["m-dep-01", "new_member"] is True or bool(a.at["m-dep-01", "new_member"])
    assert a.at["ptce-x", "jobs"] == 250.0
    assert bool(a.at["ptce-x", "test_pole"])


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
        ({"jobs": "beaucoup"}, "numériques"),
        ({"new_member": "peut-être"}, "booléennes"),
        ({"level": "commune", "code": "2A004", "successor_code": "999999999"}, "successeur"),
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
        loader.load_registry(store_dir)
    msg = exc.value.message
    assert "actors.csv" in msg and "'level'" in msg and "canton" in msg and "ligne" in msg


def test_export_csv_and_geojson(reg_dir, tmp_path):
    out = tmp_path / "r.csv"
    assert export.export(out, fmt="csv", base=reg_dir) == len(ROWS)
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
    export.export(gj, fmt="geojson", resolution="full", base=reg_dir)
    feats = {f["properties"]["id"]: f for f in json.loads(gj.read_text())["features"]}
    from shapely.geometry import shape

    from territoires.geo import store

    com = store.load_level("communes", base=reg_dir).set_index("code")
    expected = com.loc[["01001", "01009"], "geometry"].union_all()
    bugey = shape(feats["m-epci-bugey"]["geometry"])  # the 2012 perimeter: 01001 ∪ 01009
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
