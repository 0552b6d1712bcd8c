"""The store: written atomically, checked against its manifest and schema."""

from __future__ import annotations

import json
import shutil

import geopandas as gpd
import pytest
from typer.testing import CliRunner

from territoires.cli import app
from territoires.errors import DataFileError
from territoires.geo import reader, store
from territoires.io.checksum import sha256_file
from territoires.settings import geo_dir

runner = CliRunner()


def _files(base):
    return {p.relative_to(base): p.read_bytes() for p in sorted(geo_dir(base).rglob("*")) if p.is_file()}


def test_written_store_passes_the_check(store_dir):
    result = store.check_store(store_dir)
    assert result.ok, result.problems
    manifest = store.read_manifest(store_dir)
    assert manifest["crs"] == "EPSG:4326"
    assert manifest["source"]["licence"] == "CC0"
    for rel, info in manifest["files"].items():
        assert sha256_file(geo_dir(store_dir) / rel) == info["sha256"]
    assert any("Llívia" in e["nom"] for e in manifest["repairs"]["enclaves_kept"])


def test_load_level_keeps_codes_as_strings(store_dir):
    df = reader.load_level("communes", base=store_dir)
    assert df["code"].tolist()[:1] == ["01001"]
    assert "2A004" in set(df["code"])
    disp = reader.load_level("departements", scale="france", base=store_dir)
    assert set(disp.columns) >= {"code", "nom", "reg", "reg_2012", "geometry"}


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("delete", "fichier manquant"),
        ("empty", "0 octet"),
        ("truncate", "tronqué"),
        ("flip", "sha256"),
    ],
)
def test_check_fails_clearly_on_a_damaged_copy(store_dir, damage, expected):
    path = geo_dir(store_dir) / "departements.parquet"
    data = path.read_bytes()
    if damage == "delete":
        path.unlink()
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(data[:-10] + bytes(b ^ 0xFF for b in data[-10:]))
    result = store.check_store(store_dir)
    assert not result.ok
    assert any("departements.parquet" in p and expected in p for p in result.problems), result.problems
    cli = runner.invoke(app, ["geo", "check", "--data-dir", str(store_dir)])
    assert cli.exit_code == 1
    assert "departements.parquet" in cli.output
    assert "territoires geo build" in cli.output
    assert "Traceback" not in cli.output


def _rewrite(store_dir, level, df):
    """Replace a level's file and its manifest entry, so only the schema check can notice."""
    path = geo_dir(store_dir) / f"{level}.parquet"
    df.to_parquet(path)
    mpath = geo_dir(store_dir) / store.MANIFEST
    manifest = json.loads(mpath.read_text())
    manifest["files"][f"{level}.parquet"].update(sha256=sha256_file(path), bytes=path.stat().st_size, rows=len(df))
    mpath.write_text(json.dumps(manifest))
    return path


def test_wrong_crs_is_named(store_dir):
    df = gpd.read_parquet(geo_dir(store_dir) / "regions.parquet").to_crs(3857)
    _rewrite(store_dir, "regions", df)
    with pytest.raises(DataFileError, match="EPSG:4326") as exc:
        reader.load_level("regions", base=store_dir)
    assert "regions.parquet" in exc.value.message
    assert not store.check_store(store_dir).ok


def test_wrong_schema_names_file_column_and_values(store_dir):
    df = gpd.read_parquet(geo_dir(store_dir) / "departements.parquet")
    df["code"] = ["1", "2A", "66", "75"]
    _rewrite(store_dir, "departements", df)
    with pytest.raises(DataFileError) as exc:
        reader.load_level("departements", base=store_dir)
    msg = exc.value.message
    assert "departements.parquet" in msg and "'code'" in msg and "'1'" in msg


def test_numeric_codes_are_refused(store_dir):
    df = gpd.read_parquet(geo_dir(store_dir) / "regions.parquet")
    df["code"] = df["code"].astype(int)
    _rewrite(store_dir, "regions", df)
    with pytest.raises(DataFileError, match="codes en texte"):
        reader.load_level("regions", base=store_dir)


def test_invalid_geometry_is_refused(store_dir):
    from shapely.geometry import Polygon

    df = gpd.read_parquet(geo_dir(store_dir) / "regions.parquet")
    df.loc[0, "geometry"] = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])  # bow-tie
    _rewrite(store_dir, "regions", df)
    with pytest.raises(DataFileError, match="invalides"):
        reader.load_level("regions", base=store_dir)


def test_failed_build_leaves_the_store_as_it_was(store_dir, built, monkeypatch):
    before = _files(store_dir)
    calls = {"n": 0}
    real = store._write_frame

    def flaky(df, path):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disque plein (simulé)")
        return real(df, path)

    monkeypatch.setattr(store, "_write_frame", flaky)
    with pytest.raises(OSError, match="disque plein"):
        store.write_store(built, {"source": "autre"}, store_dir)
    assert _files(store_dir) == before
    assert not [p for p in store_dir.iterdir() if p.name.startswith(".geo-")]


def test_missing_store_gives_a_french_message(tmp_path):
    with pytest.raises(DataFileError, match="territoires geo build"):
        reader.load_level("communes", base=tmp_path)
    result = runner.invoke(app, ["geo", "check", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "Manifeste" in result.output


def test_cli_build_writes_a_checked_store(tmp_path, monkeypatch):
    from territoires.geo import datafrance

    from synthetic import make_source

    monkeypatch.setattr(datafrance, "load", make_source)
    result = runner.invoke(app, ["geo", "build", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Communes d'aujourd'hui : 15 ; " in result.output and "Régions de 2012 : 4" in result.output
    ok = runner.invoke(app, ["geo", "check", "--data-dir", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert "Magasin conforme" in ok.output


def test_store_copy_is_independent(store_dir, tmp_path):
    # A copy checks as well as the original: the manifest uses relative paths.
    dst = tmp_path / "copie"
    shutil.copytree(store_dir / "geo", dst / "geo")
    assert store.check_store(dst).ok
