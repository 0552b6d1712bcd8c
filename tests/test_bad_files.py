"""Bad data files: the dashboard says what and where in French, the CLI fails, nothing is overwritten."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from territoires.cli import app
from territoires.geo import store
from territoires.io.checksum import sha256_file
from territoires.settings import geo_dir


def _page(name: str) -> None:
    import importlib

    from territoires.ui.common import guarded

    guarded(importlib.import_module(f"territoires.ui.{name}").render)()


def damage(path, how: str) -> None:
    data = path.read_bytes() if path.exists() else b""
    if how == "missing":
        path.unlink()
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 3])
    elif how == "latin1":
        path.write_bytes(data.decode("utf-8").encode("latin-1", errors="replace"))
    elif how == "wrong-schema" and path.suffix == ".parquet":
        df = gpd.read_parquet(path)
        df.drop(columns=["nom"]).to_parquet(path)
    elif how == "wrong-schema":
        path.write_text(data.decode("utf-8").replace("rtes_member", "membre", 1), encoding="utf-8")
    elif how == "wrong-crs":
        gpd.read_parquet(path).to_crs(3857).to_parquet(path)


def resync_manifest(base, rel: str) -> None:
    """Make the manifest agree with a rewritten file, so that only the schema check can notice."""
    mpath = geo_dir(base) / store.MANIFEST
    m = json.loads(mpath.read_text())
    p = geo_dir(base) / rel
    m["files"][rel].update(sha256=sha256_file(p), bytes=p.stat().st_size)
    mpath.write_text(json.dumps(m))


GEO_CASES = [
    ("communes.parquet", "missing"),
    ("communes.parquet", "empty"),
    ("communes.parquet", "truncated"),
    ("departements.parquet", "wrong-schema"),
    ("regions_2012.parquet", "wrong-crs"),
    ("display/france/regions_2012.parquet", "wrong-crs"),
    ("display/france/departements.parquet", "truncated"),
    ("manifest.json", "missing"),
    ("manifest.json", "truncated"),
]
REGISTRY_CASES = [
    ("actors.csv", "missing"),
    ("actors.csv", "empty"),
    ("actors.csv", "truncated"),
    ("actors.csv", "latin1"),
    ("actors.csv", "wrong-schema"),
    ("perimetres_2012.csv", "missing"),
    ("alias_communes.csv", "empty"),
]


def snapshot(base) -> dict:
    return {p.relative_to(base): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def run_page(page, base, monkeypatch) -> AppTest:
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(base))
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_function(_page, args=(page,), default_timeout=120).run()


def shown(at: AppTest) -> str:
    return "\n".join([e.value for e in at.error] + [t.value for t in at.text])


@pytest.mark.parametrize(("rel", "how"), GEO_CASES, ids=[f"{r}-{h}" for r, h in GEO_CASES])
def test_bad_geo_file(app_dir, monkeypatch, rel, how):
    path = geo_dir(app_dir) / rel
    damage(path, how)
    if how in ("wrong-schema", "wrong-crs") and rel != "manifest.json":
        resync_manifest(app_dir, rel)
    before = snapshot(app_dir)
    at = run_page("carte", app_dir, monkeypatch)
    assert not at.exception
    text = shown(at)
    assert "Les données ne peuvent pas être chargées" in text
    assert path.name in text, text
    assert "territoires geo build" in text
    assert "Traceback" not in text
    assert snapshot(app_dir) == before  # nothing rewritten
    r = CliRunner().invoke(app, ["geo", "check", "--data-dir", str(app_dir)])
    assert r.exit_code == 1
    assert path.name in r.output


@pytest.mark.parametrize(("rel", "how"), REGISTRY_CASES, ids=[f"{r}-{h}" for r, h in REGISTRY_CASES])
def test_bad_registry_file(app_dir, monkeypatch, rel, how):
    path = app_dir / "registry" / rel
    damage(path, how)
    before = snapshot(app_dir)
    for page in ("carte", "donnees"):
        at = run_page(page, app_dir, monkeypatch)
        assert not at.exception
        text = shown(at)
        assert "Les données ne peuvent pas être chargées" in text
        assert rel in text, text
        assert "Traceback" not in text
    assert snapshot(app_dir) == before
    r = CliRunner().invoke(app, ["data", "check", "--data-dir", str(app_dir)])
    assert r.exit_code == 1
    assert rel in r.output


def test_unexpected_error_is_french_without_traceback(app_dir, monkeypatch):
    from territoires.webmap import compose

    def boom(*a, **k):
        raise RuntimeError("secret interne /etc/passwd")

    monkeypatch.setattr(compose, "build_map", boom)
    at = run_page("carte", app_dir, monkeypatch)
    assert not at.exception
    text = shown(at)
    assert "Une erreur inattendue" in text
    assert "secret interne" not in text
