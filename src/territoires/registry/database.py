"""The registry in a database (PostgreSQL), through SQLAlchemy: the same tables of text as the files.

Seeded from the shipped files the first time; read through the same parsing and schema check
as the files (:func:`territoires.registry.loader.parse_tables`).  Every write is one transaction
that keeps the previous version of the actors and appends to the change log.

A database created with older columns is migrated on start (:meth:`SqlStore._migrate`): the
columns the files have now are added, and the former number columns (``jobs``, ``members``…) are
turned into labelled figures then dropped — in one transaction, the previous version kept.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from territoires.errors import DataFileError
from territoires.registry.changes import now
from territoires.registry.figures import FigureError
from territoires.registry.files import ACTORS_FILE, CHANGELOG_COLUMNS, RELATIONS_FILE, TABLES, table_name
from territoires.registry.legacy import LEGACY_COLUMNS, merged, to_figures
from territoires.registry.loader import Registry, actors_text, parse_tables, read_tables
from territoires.registry.relations import relations_text
from territoires.registry.storage import StaleRegistryError

# The key of the advisory lock all writers of the registry take (any constant shared by them).
ADVISORY_KEY = 7_281_012


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
        self._held = threading.local()
        self.description = f"base de données {self.engine.url.render_as_string(hide_password=True)}"
        md = sa.MetaData()

        def text_table(name: str, cols: list[str]) -> sa.Table:
            return sa.Table(name, md, *(sa.Column(c, sa.Text) for c in cols))

        files = read_tables(base)
        self.tables = {name: text_table(table_name(name), list(files[name].columns)) for name in TABLES}
        self.changelog_table = text_table("changelog", CHANGELOG_COLUMNS)
        # One row: the registry's version, bumped by every write (a row lock serialises writers).
        self.meta = sa.Table(
            "registry_meta", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("version", sa.Integer)
        )
        self.versions = sa.Table(
            "registry_versions",
            md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("saved_at", sa.Text),
            sa.Column("actors_csv", sa.Text),
            sa.Column("relations_csv", sa.Text),
        )
        self.metadata = md
        self._seed(files)

    def _seed(self, files: dict[str, pd.DataFrame]) -> None:
        """Create the tables; fill them from the shipped files the first time."""
        try:
            self.metadata.create_all(self.engine)
            with self.engine.begin() as conn:
                # A database seeded before the log said who made each change, and before the version row.
                # (Checked first: an ALTER TABLE locks the table even when there is nothing to add.)
                if "author" not in {c["name"] for c in sa.inspect(conn).get_columns("changelog")}:
                    conn.execute(sa.text('ALTER TABLE changelog ADD COLUMN "author" TEXT'))
                # A database seeded before the relations kept their previous versions.
                if "relations_csv" not in {c["name"] for c in sa.inspect(conn).get_columns("registry_versions")}:
                    conn.execute(sa.text('ALTER TABLE registry_versions ADD COLUMN "relations_csv" TEXT'))
                has_meta = conn.execute(sa.select(sa.func.count()).select_from(self.meta)).scalar()
                if not has_meta:
                    conn.execute(self.meta.insert(), [{"id": 1, "version": 0}])
                self._migrate(conn)
                count = sa.select(sa.func.count()).select_from(self.tables[ACTORS_FILE])
                if conn.execute(count).scalar() != 0:
                    self._seed_relations(conn, files)
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

    def _seed_relations(self, conn: sa.Connection, files: dict[str, pd.DataFrame]) -> None:
        """A database seeded before the relations: its relations table filled from the files, with the
        records the relations name that the database lacks (the partners) added — logged as additions."""
        relations = self.tables[RELATIONS_FILE]
        if conn.execute(sa.select(sa.func.count()).select_from(relations)).scalar() != 0:
            return
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_KEY})
        if conn.execute(sa.select(sa.func.count()).select_from(relations)).scalar() != 0:
            return  # another process seeded them while this one waited
        actors = self.tables[ACTORS_FILE]
        have = {r[0] for r in conn.execute(sa.select(actors.c.id))}
        wanted = set(files[RELATIONS_FILE]["from_id"]) | set(files[RELATIONS_FILE]["to_id"])
        missing = files[ACTORS_FILE][files[ACTORS_FILE]["id"].isin(wanted - have)]
        if len(missing):
            conn.execute(actors.insert(), [_nulls(r) for r in missing.to_dict("records")])
            stamp = now()
            conn.execute(
                self.changelog_table.insert(),
                [
                    {
                        "at": stamp,
                        "action": "added",
                        "id": r["id"],
                        "kind": r["kind"],
                        "name": r["name"],
                        "changes": "{}",
                        "origin": "migration",
                        "file": RELATIONS_FILE,
                        "author": "territoires",
                    }
                    for r in missing.to_dict("records")
                ],
            )
        rows = [_nulls(r) for r in files[RELATIONS_FILE].to_dict("records")]
        if rows:
            conn.execute(relations.insert(), rows)

    def _migrate(self, conn: sa.Connection) -> None:
        """Bring an actors table of older columns to the files' columns, in the caller's transaction.

        Former number columns are dropped once converted rather than kept: the schema is strict (a
        column it does not know is refused), and their values live on in ``figures`` and, as they
        were, in the previous version kept in ``registry_versions``.
        """
        name = table_name(ACTORS_FILE)
        wanted = [c.name for c in self.tables[ACTORS_FILE].columns]
        have = {c["name"] for c in sa.inspect(conn).get_columns(name)}
        if not [c for c in wanted if c not in have] and not have & set(LEGACY_COLUMNS):
            return  # checked first: an ALTER TABLE locks the table even when there is nothing to do
        # One migrating process at a time (others wait here, then find nothing left to do).
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_KEY})
        have = {c["name"] for c in sa.inspect(conn).get_columns(name)}
        legacy = [c for c in LEGACY_COLUMNS if c in have]
        if legacy:
            old = pd.DataFrame(conn.execute(sa.select(sa.text("*")).select_from(sa.table(name))).mappings().all())
            conn.execute(self.versions.insert(), [{"saved_at": now(), "actors_csv": old.to_csv(index=False)}])
        for col in wanted:
            if col not in have:
                conn.execute(sa.text(f'ALTER TABLE "{name}" ADD COLUMN "{col}" TEXT'))
        if not legacy:
            return
        updates = []
        for row in conn.execute(sa.select(sa.text("*")).select_from(sa.table(name))).mappings():
            try:
                figures = to_figures(dict(row))
            except FigureError as exc:
                raise DataFileError(
                    f"Migration du registre impossible : enregistrement {row['id']} : {exc}.",
                    where=self.description,
                    todo="corriger cette valeur dans la base (table actors), puis relancer.",
                ) from None
            if figures:
                updates.append({"rid": row["id"], "figures": merged(row["figures"], figures)})
        if updates:
            t = sa.table(name, sa.column("id"), sa.column("figures"))
            stmt = sa.update(t).where(t.c.id == sa.bindparam("rid")).values(figures=sa.bindparam("new_figures"))
            conn.execute(stmt, [{"rid": u["rid"], "new_figures": u["figures"]} for u in updates])
        for col in legacy:
            conn.execute(sa.text(f'ALTER TABLE "{name}" DROP COLUMN "{col}"'))
        conn.execute(self.meta.update().where(self.meta.c.id == 1).values(version=self.meta.c.version + 1))

    def _read(self, table: sa.Table) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return self._frame(conn, table)

    @staticmethod
    def _frame(conn: sa.Connection, table: sa.Table) -> pd.DataFrame:
        rows = conn.execute(sa.select(table)).mappings().all()
        df = pd.DataFrame(rows, columns=[c.name for c in table.columns], dtype=object)
        return df.where(df.notna() & (df != ""), None)

    def version(self) -> str:
        """The registry's version number (bumped by every write), as text."""
        with self.engine.connect() as conn:
            return str(conn.execute(sa.select(self.meta.c.version).where(self.meta.c.id == 1)).scalar())

    def load_versioned(self) -> tuple[Registry, str]:
        """The registry and its version, read in one REPEATABLE READ transaction (one snapshot)."""
        with self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            version = str(conn.execute(sa.select(self.meta.c.version).where(self.meta.c.id == 1)).scalar())
            tables = {name: self._frame(conn, t) for name, t in self.tables.items()}
        return parse_tables(tables, self.description), version

    def load(self) -> Registry:
        return self.load_versioned()[0]

    def changelog(self) -> pd.DataFrame:
        return self._read(self.changelog_table).reindex(columns=CHANGELOG_COLUMNS)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the registry for a read-then-write (the CLI's import): a session advisory lock that every
        write also takes, so other writers wait; the version check still refuses a stale preview."""
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_KEY})
            conn.commit()
            self._held.on = True
            try:
                yield
            finally:
                self._held.on = False
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                conn.commit()

    def write(
        self,
        actors: pd.DataFrame,
        entries: list[dict],
        *,
        expected: str | None = None,
        relations: pd.DataFrame | None = None,
    ) -> None:
        """One transaction: the version row locked and checked, the previous version kept, the actors
        (and the relations, if given) replaced, the change log appended to — all or nothing."""
        try:
            self._write(actors, entries, expected, relations)
        except sa.exc.SQLAlchemyError as exc:
            raise DataFileError(
                f"Écriture du registre refusée par la base ({type(exc).__name__}) : rien n'a été modifié.",
                where=self.description,
                todo="réessayer ; si l'erreur persiste, vérifier la base (journal du serveur PostgreSQL).",
            ) from exc

    def _write(
        self, actors: pd.DataFrame, entries: list[dict], expected: str | None, relations: pd.DataFrame | None
    ) -> None:
        table = self.tables[ACTORS_FILE]
        rel_table = self.tables[RELATIONS_FILE]
        new_rows = [_nulls(r) for r in actors_text(actors).to_dict("records")]
        with self.engine.begin() as conn:
            if not getattr(self._held, "on", False):
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_KEY})
            row = self.meta.c.id == 1
            version = conn.execute(sa.select(self.meta.c.version).where(row).with_for_update()).scalar()
            if expected is not None and str(version) != expected:
                raise StaleRegistryError(self.description)
            conn.execute(self.meta.update().where(row).values(version=version + 1))
            prev = pd.DataFrame(conn.execute(sa.select(table)).mappings().all())
            prev_rel = pd.DataFrame(conn.execute(sa.select(rel_table)).mappings().all())
            kept = {
                "saved_at": now(),
                "actors_csv": prev.to_csv(index=False),
                "relations_csv": prev_rel.to_csv(index=False),
            }
            conn.execute(self.versions.insert(), [kept])
            conn.execute(table.delete())
            conn.execute(table.insert(), new_rows)
            if relations is not None:
                conn.execute(rel_table.delete())
                rel_rows = [_nulls(r) for r in relations_text(relations).to_dict("records")]
                if rel_rows:
                    conn.execute(rel_table.insert(), rel_rows)
            if entries:
                conn.execute(self.changelog_table.insert(), [{k: str(v) for k, v in e.items()} for e in entries])

    def version_count(self) -> int:
        """How many previous versions of the actors are kept."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(self.versions)).scalar()
