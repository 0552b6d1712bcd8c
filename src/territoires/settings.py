"""Where things are. Settings are data: one place, overridable by environment."""

from __future__ import annotations

import os
from pathlib import Path

# The repository root when running from a checkout (src/territoires/settings.py).
REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The data directory: ``$TERRITOIRES_DATA_DIR`` or ``data/`` at the repo root."""
    env = os.environ.get("TERRITOIRES_DATA_DIR")
    return Path(env) if env else REPO_ROOT / "data"


def geo_dir(base: Path | None = None) -> Path:
    """The boundary store, ``<data>/geo``."""
    return (Path(base) if base is not None else data_dir()) / "geo"


REBUILD_COMMAND = "territoires geo build"


def database_url() -> str | None:
    """Where a shared deployment keeps the registry: ``$TERRITOIRES_DATABASE_URL`` (SQLAlchemy URL), or None."""
    return os.environ.get("TERRITOIRES_DATABASE_URL") or None
