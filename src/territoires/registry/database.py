"""The registry in a database (PostgreSQL), through SQLAlchemy: the same tables of text as the files.

Seeded from the shipped files the first time; read through the same parsing and schema check
as the files (:func:`territoires.registry.loader.parse_tables`).  Every write is one transaction
that keeps the previous version of the actors and appends to the change log.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from territoires.errors import DataFileError
from territoires.registry.changes import now
from territoires.registry.files import ACTORS_FILE, CHANGELOG_COLUMNS, TABLES, table_name
from territoires.registry.loader import Registry, actors_text, parse_tables, read_tables


def _nulls(row: dict) -> dict:
    """A row with its empty cells as None, stored as NULL.

    (pandas' replace("", None) would give NaN, stored as the text 'NaN'.)
    """
    return {k: None if v is None or (isinstance(v, float) and pd.isna(v)) or v == "" else v for k, v in row.items()}


class SqlStore:
    """The registry's tables in a database; seeded from the files."""

    def __init__(self, url: str, base: Path | None = None):
        self.url = url
        self.base = base
        self.engine = sa.create_engine(url, pool_pre_ping=True)
        self.description = f"base de données {self.engine.url.render_as_string(hide_password=True)}"
        md = sa.MetaData()

        def text_table(name: str, cols: list[str]) -> sa.Table:
            return sa.Table(name, md, *(sa.Column(c, sa.Text) for c in cols))

        files = read_tables(base)
        self.tables = {name: text_table(table_name(name), list(files[name].columns)) for name in TABLES}
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
        try:
            self.metadata.create_all(self.engine)
            with self.engine.begin() as conn:
                count = sa.select(sa.func.count()).select_from(self.tables[ACTORS_FILE])
                if conn.execute(count).scalar() != 0:
                    return
                for name, table in self.tables.items():
                    rows = [_nulls(r) for r in files[name].to_dict("records")]
                    if rows:
                        conn.execute(table.insert(), rows)
        except sa.exc.SQLAlchemyError as exc:
            raise DataFileError(
                f"Base de données du registre inaccessible ({type(exc).__name__}).",
                where=self.description,
                todo="vérifier TERRITOIRES_DATABASE_URL et que le serveur PostgreSQL répond.",
            ) from exc

    def _read(self, table: sa.Table) -> pd.DataFrame:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(table)).mappings().all()
        df = pd.DataFrame(rows, columns=[c.name for c in table.columns], dtype=object)
        return df.where(df.notna() & (df != ""), None)

    def load(self) -> Registry:
        return parse_tables({name: self._read(t) for name, t in self.tables.items()}, self.description)

    def changelog(self) -> pd.DataFrame:
        return self._read(self.changelog_table)

    def write(self, actors: pd.DataFrame, entries: list[dict]) -> None:
        """One transaction: keep the previous version, replace the actors, append to the change log."""
        table = self.tables[ACTORS_FILE]
        new_rows = [_nulls(r) for r in actors_text(actors).to_dict("records")]
        with self.engine.begin() as conn:
            prev = pd.DataFrame(conn.execute(sa.select(table)).mappings().all())
            conn.execute(self.versions.insert(), [{"saved_at": now(), "actors_csv": prev.to_csv(index=False)}])
            conn.execute(table.delete())
            conn.execute(table.insert(), new_rows)
            if entries:
                conn.execute(self.changelog_table.insert(), [{k: str(v) for k, v in e.items()} for e in entries])

    def version_count(self) -> int:
        """How many previous versions of the actors are kept."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(self.versions)).scalar()
