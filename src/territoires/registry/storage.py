"""Where the registry lives: its files (the default), or PostgreSQL for a shared deployment.

Both keep the same four tables of text (the CSV representation), go through the
same parsing and schema check (:mod:`territoires.registry.loader`), keep the
previous version on every write, and append to the same change log.
:func:`open_store` chooses by the settings: ``TERRITOIRES_DATABASE_URL`` set →
:class:`~territoires.registry.database.SqlStore`, else :class:`FileStore`.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path
from typing import Protocol

import pandas as pd

from territoires.io.atomic import write_text_atomic
from territoires.registry.files import (
    ACTORS_FILE,
    CHANGELOG_COLUMNS,
    CHANGELOG_FILE,
    HISTORY_DIR,
    history_name,
    registry_dir,
)
from territoires.registry.loader import Registry, actors_text, load_registry_files, read_csv_strict
from territoires.registry.manifest import write_manifest
from territoires.settings import database_url


class RegistryStore(Protocol):
    """What the importer, the dataset and the CLI need from where the registry lives."""

    description: str

    def load(self) -> Registry: ...

    def changelog(self) -> pd.DataFrame: ...

    def write(self, actors: pd.DataFrame, entries: list[dict]) -> None: ...


def _csv_text(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


class FileStore:
    """``data/registry/*.csv``; previous versions kept in ``data/registry/history/``."""

    def __init__(self, base: Path | None = None):
        self.base = base
        self.dir = registry_dir(base)
        self.description = f"fichiers {self.dir}"

    def load(self) -> Registry:
        return load_registry_files(self.base)

    def changelog(self) -> pd.DataFrame:
        path = self.dir / CHANGELOG_FILE
        if not path.exists() or not path.stat().st_size:
            return pd.DataFrame(columns=CHANGELOG_COLUMNS)
        return read_csv_strict(path)

    def write(self, actors: pd.DataFrame, entries: list[dict]) -> None:
        """Keep the previous version, then replace actors.csv and append to the change log, atomically."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        history = self.dir / HISTORY_DIR
        history.mkdir(exist_ok=True)
        current = self.dir / ACTORS_FILE
        shutil.copy2(current, history / history_name(stamp))
        log = pd.concat([self.changelog(), pd.DataFrame(entries, columns=CHANGELOG_COLUMNS)], ignore_index=True)
        # The change log first: if the actors write fails, a log line too many is harmless and visible.
        write_text_atomic(self.dir / CHANGELOG_FILE, _csv_text(log))
        write_text_atomic(current, _csv_text(actors_text(actors)))
        write_manifest(self.base)


def open_store(base: Path | None = None, url: str | None = None) -> RegistryStore:
    """The registry's store as the settings say (a database URL, or the files)."""
    url = url or database_url()
    if not url:
        return FileStore(base)
    # Imported only for a database registry: SQLAlchemy takes ~0.3 s to import, on every start otherwise.
    from territoires.registry.database import SqlStore

    return SqlStore(url, base)


def load_registry(base: Path | None = None) -> Registry:
    """The registry from where it lives: PostgreSQL if a database URL is set, else ``<data>/registry``."""
    return open_store(base).load()
