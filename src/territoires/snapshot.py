"""The start-up snapshot: the dataset and the default map's caches, saved once, read at start.

Without it the dashboard's first visitor waits while the server parses and checks the
registry, places it in its territories, reads the display geometries and encodes them
(~0.6 s of CPU on 2 cores, on top of the imports).  The snapshot holds the result of that
work for the default view (a :class:`~territoires.webmap.geometry.GeometryCache` with its dataset
and its national-scale caches) in
``<data>/cache/demarrage.pkl``.

It is keyed on everything it is derived from: the boundary store's manifest, the registry's
files and change log, the code of this package, and the versions of Python and of the
libraries whose objects it holds.  A missing, stale or unreadable snapshot is never trusted:
the data are loaded the normal way, with all their checks, and the server writes a new one.
With a registry in a database (``TERRITOIRES_DATABASE_URL``) there is none: the database can
change under it.

``territoires prepare`` writes it (``make run`` and ``make test`` do); so does the server, after
its first start on new data.  The file is the server's own cache, read only from the data
directory, like the GeoParquet files beside it.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import sys
from importlib import metadata
from pathlib import Path

from territoires.dataset import load_dataset
from territoires.geo import store
from territoires.io.atomic import write_bytes_atomic
from territoires.settings import data_dir, database_url
from territoires.state import MapState
from territoires.webmap.geometry import GeometryCache

FORMAT = 1
MAGIC = b"territoires-demarrage"
FILE = "demarrage.pkl"
# Levels too large to keep (35,000 communes, 1,250 EPCIs): read again, on demand, by the views that need them.
_LEFT_OUT = ("communes", "epci")
_LIBRARIES = ("pandas", "numpy", "pyarrow", "geopandas", "shapely", "pyproj")

log = logging.getLogger("territoires.snapshot")


def path(base: Path | None = None) -> Path:
    """Where the snapshot lives: ``<data>/cache/demarrage.pkl``."""
    return (Path(base) if base is not None else data_dir()) / "cache" / FILE


def _hash_files(h: hashlib._Hash, files: list[Path], root: Path) -> None:
    for f in files:
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes() if f.exists() else b"<absent>")


def key(base: Path | None = None) -> str | None:
    """The fingerprint of what the snapshot is made from, or None when there can be no snapshot."""
    if database_url():
        return None
    from territoires.registry import loader
    from territoires.registry.files import CHANGELOG_FILE, TABLES

    h = hashlib.sha256()
    h.update(f"{FORMAT}|{sys.version}".encode())
    for lib in _LIBRARIES:
        h.update(f"|{lib}={metadata.version(lib)}".encode())
    manifest = store.geo_dir(base) / store.MANIFEST
    if not manifest.exists():
        return None
    _hash_files(h, [manifest], manifest.parent)
    reg = loader.registry_dir(base)
    _hash_files(h, [reg / name for name in (*TABLES, CHANGELOG_FILE)], reg)
    package = Path(__file__).resolve().parent
    _hash_files(h, sorted(package.rglob("*.py")), package)
    return h.hexdigest()


def save(cache: GeometryCache, base: Path | None = None) -> Path | None:
    """Write the snapshot of ``cache`` (atomically); return its path, or None when there can be none."""
    k = key(base)
    if k is None:
        return None
    target = path(base)
    payload = pickle.dumps(cache.national_part(_LEFT_OUT), protocol=pickle.HIGHEST_PROTOCOL)
    write_bytes_atomic(target, _header(k) + b"\n" + payload)
    return target


def _header(k: str) -> bytes:
    return MAGIC + b" " + k.encode()


def is_current(base: Path | None = None) -> bool:
    """Whether the snapshot exists and was made from the current data and code (its header only)."""
    k = key(base)
    try:
        with open(path(base), "rb") as fh:
            return k is not None and fh.readline().rstrip(b"\n") == _header(k)
    except OSError:
        return False


def load(base: Path | None = None) -> GeometryCache | None:
    """The ``GeometryCache`` of the snapshot if it matches the current data and code, else None."""
    target = path(base)
    if not target.exists():
        return None
    try:
        k = key(base)
        with open(target, "rb") as fh:
            if k is None or fh.readline().rstrip(b"\n") != _header(k):
                return None
            cache = pickle.loads(fh.read())  # noqa: S301 — our own cache, in our data directory
    except Exception:  # a damaged or foreign file: ignored, the data are loaded normally
        log.warning("instantané de démarrage illisible, ignoré : %s", target, exc_info=True)
        return None
    if not isinstance(cache, GeometryCache):
        log.warning("instantané de démarrage d'un autre type, ignoré : %s", target)
        return None
    store.ensure_complete(base)  # the files the other views read must still be there
    return cache


def prepare(base: Path | None = None) -> tuple[Path | None, bool]:
    """Build the default map from the data and save the snapshot, unless it is current.

    Returns the snapshot's path (None with a database registry) and whether it was written.
    """
    from territoires.webmap.communes import VINTAGES_PREPARED, commune_geometry, has_commune_geometry

    cache = load(base)
    if cache is not None and all(has_commune_geometry(cache, v) for v in VINTAGES_PREPARED):
        return path(base), False
    if cache is None:  # (a snapshot the server wrote itself lacks only the « Communes » page's files)
        from territoires.webmap.compose import build_map  # folium: only to prepare, never to load

        cache = GeometryCache(load_dataset(base))
        build_map(cache, MapState())
    for vintage in VINTAGES_PREPARED:  # the « Communes » page's files: seconds of work, before the server starts
        commune_geometry(cache, vintage)
    return save(cache, base), True
