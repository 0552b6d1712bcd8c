"""The start-up snapshot: same map as a fresh load, never used when stale, damaged or with a database."""

from __future__ import annotations

import logging
import re

import pytest
from typer.testing import CliRunner

from territoires import snapshot
from territoires.cli import app
from territoires.dataset import load_dataset
from territoires.errors import DataFileError
from territoires.geo import store
from territoires.geo.layout import level_path
from territoires.registry import loader
from territoires.state import MapState
from territoires.webmap.compose import build_map
from territoires.webmap.geometry import GeometryCache

IDS = re.compile(r"_[0-9a-f]{32}")


def html(md: GeometryCache, state: MapState) -> str:
    """The rendered map, with folium's random element ids made equal."""
    return IDS.sub("_id", build_map(md, state).get_root().render())


def test_the_snapshot_draws_the_same_maps_as_a_fresh_load(app_dir):
    path, written = snapshot.prepare(app_dir)
    assert written and path == app_dir / "cache" / "demarrage.pkl" and path.exists()
    assert snapshot.prepare(app_dir) == (path, False), "current: not written again"
    fresh = GeometryCache(load_dataset(app_dir))
    kept = snapshot.load(app_dir)
    assert kept is not None
    for state in (MapState(), MapState(regions=("82",), layers=("departements", "communes")), MapState(year=2000)):
        assert html(kept, state) == html(fresh, state)
    assert kept.ds.placed.equals(fresh.ds.placed)


def test_the_snapshot_leaves_out_the_largest_levels(app_dir):
    snapshot.prepare(app_dir)
    b = snapshot.load(app_dir).boundaries_at("france")
    assert "communes" not in b.loaded() and "epci" not in b.loaded()
    assert len(b.communes) > 0, "read again on demand"


def test_a_registry_change_makes_the_snapshot_stale(app_dir):
    snapshot.prepare(app_dir)
    assert snapshot.is_current(app_dir)
    actors = loader.registry_dir(app_dir) / loader.ACTORS_FILE
    actors.write_text(actors.read_text(encoding="utf-8").replace("Pôle du Sud", "Pôle du Midi"), encoding="utf-8")
    assert not snapshot.is_current(app_dir)
    assert snapshot.load(app_dir) is None
    _, written = snapshot.prepare(app_dir)
    assert written
    assert "Pôle du Midi" in set(snapshot.load(app_dir).ds.placed["name"])


def test_a_new_boundary_store_makes_the_snapshot_stale(app_dir):
    snapshot.prepare(app_dir)
    manifest = store.geo_dir(app_dir) / store.MANIFEST
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"built_at": "', '"built_at": "1'), "utf-8")
    assert snapshot.load(app_dir) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b.split(b"\n", 1)[0] + b"\nnot a pickle",  # right header, garbage after it
        lambda b: b"",  # empty
        lambda b: b"something else\n" + b,  # foreign header
    ],
)
def test_a_damaged_snapshot_is_ignored(app_dir, damage, caplog):
    path, _ = snapshot.prepare(app_dir)
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level(logging.WARNING, logger="territoires.snapshot"):
        assert snapshot.load(app_dir) is None
    _, written = snapshot.prepare(app_dir)
    assert written and snapshot.load(app_dir) is not None


def test_a_missing_boundary_file_is_still_reported(app_dir):
    snapshot.prepare(app_dir)
    level_path("communes", "region", app_dir).unlink()
    with pytest.raises(DataFileError):
        snapshot.load(app_dir)


def test_no_snapshot_with_a_database_registry(app_dir, monkeypatch):
    md = GeometryCache(load_dataset(app_dir))
    monkeypatch.setenv("TERRITOIRES_DATABASE_URL", "postgresql://nowhere/none")
    assert snapshot.key(app_dir) is None
    assert snapshot.save(md, app_dir) is None
    assert not snapshot.path(app_dir).exists()


def test_cli_prepare(app_dir):
    r = CliRunner().invoke(app, ["prepare", "--data-dir", str(app_dir)])
    assert r.exit_code == 0, r.output
    assert "Instantané de démarrage écrit" in r.output
    r = CliRunner().invoke(app, ["prepare", "--data-dir", str(app_dir)])
    assert r.exit_code == 0 and "à jour" in r.output


def test_cli_prepare_on_a_broken_store_fails_in_french(app_dir):
    (store.geo_dir(app_dir) / store.MANIFEST).unlink()
    r = CliRunner().invoke(app, ["prepare", "--data-dir", str(app_dir)])
    assert r.exit_code != 0
    assert "Traceback" not in r.output
    assert "territoires geo build" in r.output
