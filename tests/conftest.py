"""Shared fixtures: synthetic sources, built stores in temporary directories."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from territoires.geo import build, store
from territoires.settings import REPO_ROOT

from synthetic import make_source

SHARED = REPO_ROOT.parent / "shared"


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


HOSTILE = '{{ 7*7 }}<img src=x onerror="window.__pwned=1">${alert(1)}'


@pytest.fixture
def app_dir(store_dir):
    """A data directory with the synthetic store and a registry of members and poles."""
    from test_registry import ROWS, row, write_registry

    extra = [
        row(
            id="p1",
            kind="ptce_pole",
            name="Pôle des Monts",
            level="commune",
            code="01003",
            precision="commune",
            test_pole="true",
            founded="2010",
        ),
        row(id="p2", kind="ptce_pole", name="Pôle du Sud", level="commune", code="66001", precision="commune"),
        row(
            id="p3", kind="ples", name="PLES de Gex", level="commune", code="01008", precision="commune", founded="1997"
        ),
        row(
            id="p4",
            kind="initiative",
            name=HOSTILE,
            level="commune",
            code="01005",
            precision="commune",
            source_quote="citation {% raw %} <script>window.__pwned=2</script>",
        ),
    ]
    write_registry(store_dir, [r for r in ROWS if r["id"] != "ptce-x"] + extra)
    return store_dir
