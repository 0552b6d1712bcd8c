"""Where the registry lives: its files (the default), or PostgreSQL for a shared deployment.

Both keep the same four tables of text (the CSV representation), go through the
same parsing and schema check, keep the previous version on every write, and
append to the same change log.  ``open_store`` chooses by the settings:
``TERRITOIRES_DATABASE_URL`` set → :class:`SqlStore`, else :class:`FileStore`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path
from typing import Protocol

import pandas as pd

from territoires.errors import DataFileError
from territoires.io.atomic import write_text_atomic
from territoires.registry import loader
from territoires.registry.loader import Registry
from territoires.registry.schema import COLUMNS
from territoires.settings import database_url

CHANGELOG_FILE = "changelog.csv"
CHANGELOG_COLUMNS = ["at", "action", "id", "kind", "name", "changes", "origin", "file"]
TABLES = (loader.ACTORS_FILE, loader.PERIMETERS_FILE, loader.ALIASES_FILE, loader.MERGERS_FILE)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def actors_text(actors: pd.DataFrame) -> pd.DataFrame:
    """Parsed actors back to their text form (what the CSV and the database hold)."""
    out = pd.DataFrame(index=actors.index)
    for col in COLUMNS:
        v = actors[col]
        if col in ("new_member", "test_pole", "figure_approx"):
            out[col] = v.map(lambda x: "" if pd.isna(x) else ("true" if bool(x) else "false"))
        elif col in ("jobs", "capital_eur", "members", "surface_m2", "figure_value", "lon", "lat"):
            out[col] = v.map(lambda x: "" if pd.isna(x) else (f"{x:g}" if float(x) != int(x) else str(int(x))))
        else:
            out[col] = v.map(lambda x: "" if x is None or (isinstance(x, float) and pd.isna(x)) else str(x))
    return out.reset_index(drop=True)


class RegistryStore(Protocol):
    description: str

    def load(self) -> Registry: ...

    def changelog(self) -> pd.DataFrame: ...

    def write(self, actors: pd.DataFrame, entries: list[dict]) -> None: ...


class FileStore:
    """``data/registry/*.csv``; previous versions kept in ``data/registry/history/``."""

    def __init__(self, base: Path | None = None):
        self.base = base
        self.dir = loader.registry_dir(base)
        self.description = f"fichiers {self.dir}"

    def load(self) -> Registry:
        return loader.load_registry_files(self.base)

    def changelog(self) -> pd.DataFrame:
        path = self.dir / CHANGELOG_FILE
        if not path.exists():
            return pd.DataFrame(columns=CHANGELOG_COLUMNS)
        return loader.read_csv_strict(path) if path.stat().st_size else pd.DataFrame(columns=CHANGELOG_COLUMNS)

    def write(self, actors: pd.DataFrame, entries: list[dict]) -> None:
        """Keep the previous version, then replace actors.csv and append to the change log, atomically."""
        from territoires.registry.manifest import write_manifest

        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        history = self.dir / "history"
        history.mkdir(exist_ok=True)
        current = self.dir / loader.ACTORS_FILE
        shutil.copy2(current, history / f"actors-{stamp}.csv")
        buf = io.StringIO()
        actors_text(actors).to_csv(buf, index=False, lineterminator="\n")
        log = pd.concat([self.changelog(), pd.DataFrame(entries, columns=CHANGELOG_COLUMNS)], ignore_index=True)
        log_buf = io.StringIO()
        log.to_csv(log_buf, index=False, lineterminator="\n")
        # The change log first: if the actors write fails, a log line too many is harmless and visible.
        write_text_atomic(self.dir / CHANGELOG_FILE, log_buf.getvalue())
        write_text_atomic(current, buf.getvalue())
        write_manifest(self.base)


class SqlStore:
    """The same tables in a database (PostgreSQL), through SQLAlchemy; seeded from the files."""

    def __init__(self, url: str, base: Path | None = None):
        import sqlalchemy as sa

        self.url = url
        self.base = base
        self.engine = sa.create_engine(url, pool_pre_ping=True)
        self.description = f"base de données {self.engine.url.render_as_string(hide_password=True)}"
        md = sa.MetaData()
        text_table = lambda name, cols: sa.Table(name, md, *(sa.Column(c, sa.Text) for c in cols))  # noqa: E731
        files = loader.read_tables(base)
        self.tables = {name: text_table(name.removesuffix(".csv"), list(files[name].columns)) for name in TABLES}
        self.changelog_table = text_table("changelog", CHANGELOG_COLUMNS)
        self.versions = sa.Table(
            "registry_versions",
            md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("saved_at", sa.Text),
            sa.Column("actors_csv", sa.Text),
        )
        self.metadata = md
        self._seed(files)

    def _seed(self, files: dict[str, pd.DataFrame]) -> None:
        """Create the tables; fill them from the shipped files the first time."""
        import sqlalchemy as sa

        try:
            self.metadata.create_all(self.engine)
            with self.engine.begin() as conn:
                count = sa.select(sa.func.count()).select_from(self.tables[loader.ACTORS_FILE])
                empty = conn.execute(count).scalar() == 0
                if empty:
                    for name, table in self.tables.items():
                        rows = [
                            {
                                k: (None if v is None or (isinstance(v, float) and pd.isna(v)) or v == "" else v)
                                for k, v in r.items()
                            }
                            for r in files[name].to_dict("records")
                        ]
                        if rows:
                            conn.execute(table.insert(), rows)
        except sa.exc.SQLAlchemyError as exc:
            raise DataFileError(
                f"Base de données du registre inaccessible ({type(exc).__name__}).",
                where=self.description,
                todo="vérifier TERRITOIRES_DATABASE_URL et que le serveur PostgreSQL répond.",
            ) from exc

    def _read(self, table) -> pd.DataFrame:
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(table)).mappings().all()
        df = pd.DataFrame(rows, columns=[c.name for c in table.columns], dtype=object)
        return df.where(df.notna() & (df != ""), None)

    def load(self) -> Registry:
        return loader.parse_tables({name: self._read(t) for name, t in self.tables.items()}, self.description)

    def changelog(self) -> pd.DataFrame:
        return self._read(self.changelog_table)

    def write(self, actors: pd.DataFrame, entries: list[dict]) -> None:
        """One transaction: keep the previous version, replace the actors, append to the change log."""
        import sqlalchemy as sa

        table = self.tables[loader.ACTORS_FILE]
        # empty text → NULL (pandas' replace("", None) would give NaN, stored as the text 'NaN')
        new_rows = [{k: (v or None) for k, v in r.items()} for r in actors_text(actors).to_dict("records")]
        with self.engine.begin() as conn:
            prev = pd.DataFrame(conn.execute(sa.select(table)).mappings().all())
            conn.execute(self.versions.insert(), [{"saved_at": now(), "actors_csv": prev.to_csv(index=False)}])
            conn.execute(table.delete())
            conn.execute(table.insert(), new_rows)
            if entries:
                conn.execute(self.changelog_table.insert(), [{k: str(v) for k, v in e.items()} for e in entries])

    def version_count(self) -> int:
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(self.versions)).scalar()


def open_store(base: Path | None = None, url: str | None = None) -> RegistryStore:
    """The registry's store as the settings say (a database URL, or the files)."""
    url = url or database_url()
    return SqlStore(url, base) if url else FileStore(base)


def as_of(reg: Registry, changelog: pd.DataFrame, date: str) -> Registry:
    """The registry as it was at the end of ``date`` (YYYY-MM-DD): later changes undone, newest first."""
    if changelog is None or changelog.empty or not date:
        return reg
    later = changelog[changelog["at"].astype(str).str[:10] > date].iloc[::-1]
    if later.empty:
        return reg
    text = actors_text(reg.actors).set_index("id", drop=False)
    for e in later.itertuples(index=False):
        if e.action == "added":
            text = text.drop(index=e.id, errors="ignore")
        elif e.action == "changed" and e.id in text.index:
            for field, (old, _new) in json.loads(e.changes).items():
                text.at[e.id, field] = old
    text = text.reset_index(drop=True).replace("", None)
    return Registry(
        actors=loader.parse_actors(text, f"registre au {date}"),
        perimeters=reg.perimeters,
        aliases=reg.aliases,
        mergers=reg.mergers,
        directory=reg.directory,
    )
