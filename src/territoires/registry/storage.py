"""Where the registry lives: its files (the default), or PostgreSQL for a shared deployment.

Both keep the same four tables of text (the CSV representation), go through the
same parsing and schema check (:mod:`territoires.registry.loader`), keep the
previous version on every write, and append to the same change log — one writer
at a time, the registry and its log written as one unit, a stale preview refused.
:func:`open_store` chooses by the settings: ``TERRITOIRES_DATABASE_URL`` set →
:class:`~territoires.registry.database.SqlStore`, else :class:`FileStore`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pandas as pd

from territoires import safe
from territoires.errors import DataFileError, TerritoiresError
from territoires.io.atomic import write_text_atomic
from territoires.io.lock import locked
from territoires.registry.files import (
    ACTORS_FILE,
    CHANGELOG_COLUMNS,
    CHANGELOG_FILE,
    COMMIT_MARK,
    HISTORY_DIR,
    JOURNAL_DIR,
    RELATIONS_FILE,
    history_name,
    registry_dir,
)
from territoires.registry.loader import (
    Registry,
    actors_text,
    parse_tables,
    read_csv_strict,
    read_tables,
)
from territoires.registry.manifest import write_manifest
from territoires.registry.relations import TEXT_COLUMNS as RELATION_TEXT_COLUMNS
from territoires.registry.relations import relations_text
from territoires.registry.schema import TEXT_COLUMNS
from territoires.settings import database_url


class StaleRegistryError(TerritoiresError):
    """The registry changed between a preview and its import: the preview no longer says what would happen."""

    def __init__(self, where: str):
        super().__init__(
            "Le registre a été modifié par quelqu'un d'autre depuis l'aperçu : rien n'a été écrit.",
            where=where,
            todo="recharger la page (ou relancer la commande) pour obtenir un nouvel aperçu, puis importer.",
        )


class RegistryStore(Protocol):
    """What the importer, the dataset and the CLI need from where the registry lives."""

    description: str

    def load(self) -> Registry: ...

    def load_versioned(self) -> tuple[Registry, str]: ...

    def version(self) -> str: ...

    def changelog(self) -> pd.DataFrame: ...

    def exclusive(self) -> contextlib.AbstractContextManager[None]: ...

    def write(
        self,
        actors: pd.DataFrame,
        entries: list[dict],
        *,
        expected: str | None = None,
        relations: pd.DataFrame | None = None,
    ) -> None: ...


def _csv_text(df: pd.DataFrame, text_columns: list[str]) -> str:
    """A table as a registry file: no text cell starts with a formula character (see ``safe.stored_cell``)."""
    df = df.copy()
    for col in text_columns:
        df[col] = df[col].map(lambda v: safe.stored_cell(v) if isinstance(v, str) else v)
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _changelog_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The change log with every column (an older log has no ``author``), cells as written."""
    df = df.reindex(columns=CHANGELOG_COLUMNS)
    return df.map(lambda v: safe.stored_text(v) if isinstance(v, str) else v)


class FileStore:
    """``data/registry/*.csv``; previous versions kept in ``data/registry/history/``.

    A write holds a lock on the directory (one writer at a time, in any process), checks the version the preview
    was made from, and goes through a journal: the new ``actors.csv`` and ``changelog.csv`` are
    written in ``.journal/``, a ``COMMIT`` mark makes them the new state, then they are moved into
    place.  A kill before the mark leaves the old state; after it, :meth:`recover` (run by the next
    read or write) finishes the move.  So the change log and the actors never disagree on disk.
    """

    def __init__(self, base: Path | None = None):
        self.base = base
        self.dir = registry_dir(base)
        self.description = f"fichiers {self.dir}"
        self._held = threading.local()

    # ------------------------------------------------------------------ locking
    def _lock(self, shared: bool = False) -> contextlib.AbstractContextManager[None]:
        if getattr(self._held, "on", False):
            return contextlib.nullcontext()
        return locked(self.dir, shared=shared)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the registry for a read-then-write (the CLI's import: other writers wait, nothing goes stale)."""
        with self._lock():
            self._recover()
            self._held.on = True
            try:
                yield
            finally:
                self._held.on = False

    def _writable(self) -> bool:
        return os.access(self.dir, os.W_OK)

    def _pending(self) -> bool:
        return (self.dir / JOURNAL_DIR).exists() or any(self.dir.glob(".*.tmp"))

    def recover(self) -> list[str]:
        """Finish a write a kill interrupted after its commit mark, or drop one interrupted before; say what."""
        if not self._writable() or not self._pending():
            return []
        with self._lock():
            return self._recover()

    def _recover(self) -> list[str]:
        notes: list[str] = []
        journal = self.dir / JOURNAL_DIR
        if (journal / COMMIT_MARK).exists():
            for name in (CHANGELOG_FILE, ACTORS_FILE, RELATIONS_FILE):
                if (journal / name).exists():
                    os.replace(journal / name, self.dir / name)
            write_manifest(self.base)
            notes.append("écriture interrompue du registre achevée depuis le journal")
        if journal.exists():
            shutil.rmtree(journal)
            notes = notes or ["écriture interrompue du registre annulée (avant validation)"]
        for tmp in self.dir.glob(".*.tmp"):  # an atomic write killed midway (territoires.io.atomic)
            tmp.unlink(missing_ok=True)
        return notes

    # ------------------------------------------------------------------ reading
    def version(self) -> str:
        """A token that changes with every write (each write replaces the files: new inode, mtime)."""
        parts = []
        for name in (ACTORS_FILE, CHANGELOG_FILE, RELATIONS_FILE):
            try:
                st = (self.dir / name).stat()
                parts.append(f"{st.st_ino}.{st.st_mtime_ns}.{st.st_size}")
            except FileNotFoundError:
                parts.append("-")
        return "|".join(parts)

    def load_versioned(self) -> tuple[Registry, str]:
        """The registry and the version it was read at (for an import's check that nothing changed since)."""
        self.recover()
        with self._lock(shared=True):
            tables = read_tables(self.base)
            version = self.version()
        return parse_tables(tables, self.dir), version

    def load(self) -> Registry:
        return self.load_versioned()[0]

    def changelog(self) -> pd.DataFrame:
        path = self.dir / CHANGELOG_FILE
        if not path.exists() or not path.stat().st_size:
            return pd.DataFrame(columns=CHANGELOG_COLUMNS)
        return _changelog_frame(read_csv_strict(path))

    # ------------------------------------------------------------------ writing
    def write(
        self,
        actors: pd.DataFrame,
        entries: list[dict],
        *,
        expected: str | None = None,
        relations: pd.DataFrame | None = None,
    ) -> None:
        """Replace the actors (and the relations, if given) and append to the change log as one unit;
        refuse a stale preview."""
        try:
            with self._lock():
                self._recover()
                if expected is not None and expected != self.version():
                    raise StaleRegistryError(self.description)
                self._commit(actors, entries, relations)
        except OSError as exc:  # a read-only directory, a full disk: nothing half-written (see _commit)
            raise DataFileError(
                f"Impossible d'écrire le registre ({exc.strerror or type(exc).__name__}) : rien n'a été modifié.",
                where=exc.filename or self.dir,
                todo="vérifier les droits d'écriture et la place libre du dossier data/registry, puis réessayer.",
            ) from exc

    def _commit(self, actors: pd.DataFrame, entries: list[dict], relations: pd.DataFrame | None = None) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        journal = self.dir / JOURNAL_DIR
        if journal.exists():
            shutil.rmtree(journal)
        journal.mkdir()
        log = pd.concat([self.changelog(), pd.DataFrame(entries, columns=CHANGELOG_COLUMNS)], ignore_index=True)
        write_text_atomic(journal / CHANGELOG_FILE, _csv_text(log.fillna(""), CHANGELOG_COLUMNS))
        write_text_atomic(journal / ACTORS_FILE, _csv_text(actors_text(actors), TEXT_COLUMNS))
        history = self.dir / HISTORY_DIR
        history.mkdir(exist_ok=True)
        shutil.copy2(self.dir / ACTORS_FILE, history / history_name(stamp))
        if relations is not None:
            text = _csv_text(relations_text(relations), RELATION_TEXT_COLUMNS)
            write_text_atomic(journal / RELATIONS_FILE, text)
            shutil.copy2(self.dir / RELATIONS_FILE, history / history_name(stamp, RELATIONS_FILE))
        write_text_atomic(journal / COMMIT_MARK, stamp)  # from here on, the journal is the registry
        self._recover()


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
