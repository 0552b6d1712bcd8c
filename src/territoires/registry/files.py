"""The names of the registry's files, in one place: its tables, change log, history, manifest and downloads."""

from __future__ import annotations

from pathlib import Path

from territoires.settings import data_dir

ACTORS_FILE = "actors.csv"
PERIMETERS_FILE = "perimetres_2012.csv"
ALIASES_FILE = "alias_communes.csv"
MERGERS_FILE = "fusions_communes.csv"
# The four tables, in the order they are read; each is also a table of the database (its name without .csv).
TABLES = (ACTORS_FILE, PERIMETERS_FILE, ALIASES_FILE, MERGERS_FILE)
CHANGELOG_FILE = "changelog.csv"
# "author": who made the change (a staff account, or "cli:<system user>").
CHANGELOG_COLUMNS = ["at", "action", "id", "kind", "name", "changes", "origin", "file", "author"]
HISTORY_DIR = "history"
# The journal of a write in progress: both files of a write are put there first, then moved into
# place; a kill midway is finished at the next start (one writer at a time: territoires.io.lock).
JOURNAL_DIR = ".journal"
COMMIT_MARK = "COMMIT"
MANIFEST_FILE = "manifest.json"

# What the Données page and ``territoires data export`` offer: format -> (file name, media type).
DOWNLOADS: dict[str, tuple[str, str]] = {
    "csv": ("territoires-acteurs.csv", "text/csv"),
    "geojson": ("territoires-acteurs.geojson", "application/geo+json"),
    "xlsx": ("territoires-acteurs.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def registry_dir(base: Path | None = None) -> Path:
    """``<data>/registry``."""
    return (Path(base) if base is not None else data_dir()) / "registry"


def table_name(file: str) -> str:
    """The database table holding a registry file: ``actors.csv`` → ``actors``."""
    return file.removesuffix(".csv")


def history_name(stamp: str) -> str:
    """The file keeping a previous version of the actors, in ``HISTORY_DIR``: ``actors-<stamp>.csv``."""
    return f"{table_name(ACTORS_FILE)}-{stamp}.csv"
