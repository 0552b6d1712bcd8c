"""Shared fixtures: synthetic sources, built stores in temporary directories."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from territoires.geo import build, store

from synthetic import app_rows, make_source, write_registry


@pytest.fixture
def source():
    return make_source()


@pytest.fixture(scope="session")
def built():
    return build.build(make_source())


@pytest.fixture
def store_dir(tmp_path, built):
    """A data directory holding a store built from the synthetic source."""
    store.write_store(built, make_source().meta, tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def real_store():
    """The real store in data/geo; skipped when it has not been built."""
    if not (store.geo_dir() / store.MANIFEST).exists():
        pytest.skip("data/geo n'est pas construit (make setup)")
    return store.geo_dir()


@pytest.fixture
def app_dir(store_dir):
    """A data directory with the synthetic store and a registry of members and poles."""
    write_registry(store_dir, app_rows())
    return store_dir


@pytest.fixture(params=["fichiers", "postgresql"])
def backend(request, app_dir, monkeypatch):
    """The registry's store: the files, or a real PostgreSQL server (started by make test)."""
    if request.param == "postgresql":
        url = os.environ.get("TERRITOIRES_TEST_DATABASE_URL")
        if not url:
            pytest.skip("pas de serveur PostgreSQL (make test le démarre : scripts/start-postgres.sh)")
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        with engine.begin() as conn:  # a clean database for each test
            for t in (
                "actors",
                "perimetres_2012",
                "alias_communes",
                "fusions_communes",
                "relations",
                "changelog",
                "registry_versions",
                "registry_meta",
                "storyboards",
            ):
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{t}"'))
        engine.dispose()
        monkeypatch.setenv("TERRITOIRES_DATABASE_URL", url)
    else:
        monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    return request.param
