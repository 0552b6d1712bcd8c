"""Where storyboards live: JSON files in ``<data>/storyboards/``, or PostgreSQL when configured.

Both stores offer the same operations, and both check every storyboard on load and before a save
(:func:`~territoires.storyboard.model.parse`). A save states the version it started from
(``expected``): if someone saved in between, it is refused and nothing is lost. File writes are
atomic and locked; the shipped files seed an empty database on first use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Protocol

from territoires.io.atomic import write_text_atomic
from territoires.io.lock import locked
from territoires.settings import data_dir, database_url
from territoires.storyboard.model import Storyboard, StoryboardError, check_name, dumps, parse

SUFFIX = ".json"
WHAT = "les diaporamas"


def version_of(text: str) -> str:
    """A storyboard's version: a hash of its text (the same text, the same version, in both stores)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _stale(name: str) -> StoryboardError:
    return StoryboardError(
        f"Le diaporama « {name} » a été modifié par quelqu'un d'autre pendant votre modification.",
        todo="recharger la page : vos changements n'ont pas été enregistrés, l'autre version est gardée.",
    )


class StoryboardStore(Protocol):
    def names(self) -> list[str]: ...
    def load(self, name: str) -> tuple[Storyboard, str]: ...
    def save(self, name: str, sb: Storyboard, *, expected: str | None) -> str: ...
    def delete(self, name: str, *, expected: str) -> None: ...


class FileStoryboards:
    """Storyboards as ``<base>/<name>.json`` files."""

    def __init__(self, base: Path | None = None):
        self.dir = Path(base) if base is not None else data_dir() / "storyboards"

    def path(self, name: str) -> Path:
        return self.dir / f"{check_name(name)}{SUFFIX}"

    def names(self) -> list[str]:
        if not self.dir.is_dir():
            return []
        return sorted(p.stem for p in self.dir.glob(f"*{SUFFIX}") if not p.name.startswith("."))

    def _text(self, name: str) -> str | None:
        path = self.path(name)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise StoryboardError(
                f"Diaporama illisible ({type(exc).__name__}).", where=path, todo="vérifier le fichier."
            ) from exc

    def load(self, name: str) -> tuple[Storyboard, str]:
        text = self._text(name)
        if text is None:
            raise StoryboardError(
                # No path here: the name comes from a link, and a visitor has no business with the server's folders.
                f"Pas de diaporama « {name} ».",
                todo="choisir un diaporama de la liste de la page Diaporama.",
            )
        return parse(text, str(self.path(name))), version_of(text)

    def save(self, name: str, sb: Storyboard, *, expected: str | None) -> str:
        """Write ``sb`` as ``name``; ``expected``: the version it was edited from (None: a new one)."""
        text = dumps(sb)
        parse(text, str(self.path(name)))  # what is written is what a load accepts
        self.dir.mkdir(parents=True, exist_ok=True)
        with locked(self.dir, what=WHAT):
            current = self._text(name)
            if (None if current is None else version_of(current)) != expected:
                raise _stale(name)
            write_text_atomic(self.path(name), text)
        return version_of(text)

    def delete(self, name: str, *, expected: str) -> None:
        with locked(self.dir, what=WHAT):
            current = self._text(name)
            if current is None or version_of(current) != expected:
                raise _stale(name)
            self.path(name).unlink()


class SqlStoryboards:
    """Storyboards as rows of a PostgreSQL (or any SQLAlchemy) table, seeded from the shipped files."""

    def __init__(self, url: str, seed: Path | None = None):
        import sqlalchemy as sa

        self.sa = sa
        self.engine = sa.create_engine(url, pool_pre_ping=True, future=True)
        md = sa.MetaData()
        self.table = sa.Table(
            "storyboards",
            md,
            sa.Column("name", sa.Text, primary_key=True),
            sa.Column("body", sa.Text, nullable=False),
            sa.Column("saved_at", sa.Text, nullable=False),
        )
        md.create_all(self.engine)
        self._seed(FileStoryboards(seed))

    def _seed(self, files: FileStoryboards) -> None:
        try:
            with self.engine.begin() as conn:
                if conn.execute(self.sa.select(self.sa.func.count()).select_from(self.table)).scalar():
                    return
                for name in files.names():
                    sb, _ = files.load(name)
                    conn.execute(self.table.insert().values(name=name, body=dumps(sb), saved_at=_now()))
        except self.sa.exc.IntegrityError:
            pass  # another server seeded the same rows at the same moment: they are there

    def names(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(conn.execute(self.sa.select(self.table.c.name)).scalars())

    def _body(self, conn, name: str, lock: bool = False) -> str | None:
        q = self.sa.select(self.table.c.body).where(self.table.c.name == check_name(name))
        return conn.execute(q.with_for_update() if lock else q).scalar()

    def load(self, name: str) -> tuple[Storyboard, str]:
        with self.engine.connect() as conn:
            body = self._body(conn, name)
        if body is None:
            raise StoryboardError(f"Pas de diaporama « {name} » dans la base.", todo="en choisir un dans la liste.")
        return parse(body, f"base de données, diaporama « {name} »"), version_of(body)

    def save(self, name: str, sb: Storyboard, *, expected: str | None) -> str:
        text = dumps(sb)
        parse(text, f"diaporama « {name} »")
        with self.engine.begin() as conn:
            current = self._body(conn, name, lock=True)
            if (None if current is None else version_of(current)) != expected:
                raise _stale(name)
            if current is None:
                conn.execute(self.table.insert().values(name=name, body=text, saved_at=_now()))
            else:
                conn.execute(self.table.update().where(self.table.c.name == name).values(body=text, saved_at=_now()))
        return version_of(text)

    def delete(self, name: str, *, expected: str) -> None:
        with self.engine.begin() as conn:
            current = self._body(conn, name, lock=True)
            if current is None or version_of(current) != expected:
                raise _stale(name)
            conn.execute(self.table.delete().where(self.table.c.name == name))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def open_storyboards(base: Path | None = None, url: str | None = None) -> StoryboardStore:
    """The storyboards of this deployment: PostgreSQL when ``TERRITOIRES_DATABASE_URL`` is set (or
    ``url``), else the files of ``<data>/storyboards`` (or ``base``)."""
    url = url or database_url()
    if url:
        return SqlStoryboards(url, seed=base)
    return FileStoryboards(base)
