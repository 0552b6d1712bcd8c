"""Geometry sent once: the boundaries and shapes a map draws, as shared files the browser keeps.

A map built for the dashboard (``build_map(..., published=True)``) no longer carries its polygons:
each layer names a file of ``static/geo/`` (served by Streamlit at ``/app/static/geo/``) and lists
the features it shows with their properties (names, popups, fill colours). The file of a level at a
scale holds all of its polygons; its name is the hash of its content, so it never changes, and the
browser fetches it once for every rerun, page and session (``If-None-Match`` answered « 304 »).
Files are gzipped on disk (Streamlit does not compress the app's static files) and inflated by the
browser (``DecompressionStream``). A standalone export (HTML file, static site) keeps inlining
everything: it is built without ``published``.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from pathlib import Path

from territoires import safe
from territoires.io.atomic import write_bytes_atomic
from territoires.settings import REPO_ROOT
from territoires.webmap import links
from territoires.webmap.geometry import QUANTUM, GeometryCache

GEO_DIR = REPO_ROOT / "static" / "geo"
URL_PREFIX = "/app/static/geo"
_lock = threading.Lock()
_written: set[Path] = set()  # the files this process has written or seen (a stat saved per rerun)


def publish(text: str, kind: str, directory: Path | None = None) -> str:
    """Write ``text`` (JSON) gzipped under a name from its content, once; its URL."""
    directory = directory or GEO_DIR
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
    name = f"{kind}-{digest}.json.gz"
    path = directory / name
    with _lock:
        if path not in _written or not path.exists():
            if not path.exists():
                directory.mkdir(parents=True, exist_ok=True)
                # mtime 0: the same bytes whoever writes them (several servers, several starts).
                write_bytes_atomic(path, gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
            _written.add(path)
    return f"{URL_PREFIX}/{name}"


def publish_file(text: str, kind: str, ext: str, directory: Path | None = None) -> str:
    """Write ``text`` as is (a script, a style sheet: the browser reads them without help) under a name
    from its content, once; its URL. Streamlit's server compresses them on the way."""
    directory = directory or GEO_DIR
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
    path = directory / f"{kind}-{digest}.{ext}"
    with _lock:
        if path not in _written or not path.exists():
            if not path.exists():
                directory.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(path, text.encode("utf-8"))
            _written.add(path)
    return f"{URL_PREFIX}/{path.name}"


class PublishedCache:
    """``cache`` whose layers refer to the shared geometry files instead of carrying their polygons.

    Everything else is the cache's own (attributes are delegated): the layers of
    :mod:`~territoires.webmap.layers` take either.
    """

    def __init__(self, cache: GeometryCache, directory: Path | None = None):
        self._cache = cache
        self._dir = directory

    def __getattr__(self, name: str):
        return getattr(self._cache, name)

    def geometry_url(self, level: str, scale: str) -> str:
        """The file of every polygon of ``level`` (a boundary level, or ``actors``) at ``scale``."""
        key = ("published", level, scale)
        c = self._cache
        url = c.encoded.get(key)  # type: ignore[call-overload]
        if url is None or not _exists(url, self._dir):
            shapes = c.shapes_at(scale) if level == "actors" else getattr(c.boundaries_at(scale), level)
            codes = shapes.index
            parts = []
            for code in codes:
                geom = c.encoded_geometry(level, scale, code)
                if geom is not None:
                    parts.append(f"{safe.script_json(str(code))}:{geom}")
            url = publish(f'{{"k":{QUANTUM[scale]},"g":{{{",".join(parts)}}}}}', f"{level}-{scale}", self._dir)
            with c._lock:
                c.encoded[key] = url  # type: ignore[index]
        return url

    def popups_url(self) -> str:
        """The file of every record's and relation's popup (id → HTML): popups are most of a map's weight."""
        c = self._cache
        url = c.encoded.get(("published", "popups", ""))  # type: ignore[call-overload]
        if url is None or not _exists(url, self._dir):
            rels = c.ds.relations
            linked = {r["id"]: links.popup(r) for _, r in rels.iterrows()} if rels is not None else {}
            url = publish(safe.script_json({**c.popup_map(), **linked}), "popups", self._dir)
            with c._lock:
                c.encoded[("published", "popups", "")] = url  # type: ignore[index]
        return url

    def marker_map(self, scale: str) -> dict[str, dict]:
        """The markers, each with its record's id (``r``) instead of its popup (in :meth:`popups_url`)."""
        c = self._cache
        key = ("published", "markers", scale)
        with c._lock:
            if key not in c.markers:
                c.markers[key] = {  # type: ignore[index]
                    i: {**{k: v for k, v in mk.items() if k != "p"}, "r": i} for i, mk in c.marker_map(scale).items()
                }
            return c.markers[key]  # type: ignore[index]

    def layer(self, level: str, scale: str, items: list[tuple[str, dict]]) -> str:
        """Layer data for ``items``: their properties inline (a record's popup by its id), their polygons
        in the level's file."""
        popups = self._cache.popup_map() if level == "actors" else {}
        feats = [
            f"[{safe.script_json(_by_ref(props, code, popups))},{safe.script_json(str(code))}]"
            for code, props in items
            if self._cache.encoded_geometry(level, scale, code) is not None
        ]
        url = self.geometry_url(level, scale)
        return f'{{"k":{QUANTUM[scale]},"u":{safe.script_json(url)},"f":[{",".join(feats)}]}}'

    def topo_layer(self, level: str, scale: str, items: list[tuple[str, dict]]) -> str:
        """A layer with shared borders (communes, EPCIs of a selection): the whole of it in a file."""
        text = self._cache.topo_layer(level, scale, items)
        return f'{{"u":{safe.script_json(publish(text, f"{level}-{scale}-topo", self._dir))}}}'


def _by_ref(props: dict, code: str, popups: dict[str, str]) -> dict:
    """``props`` with the record's popup replaced by its id when it is the shared one."""
    if "p" in props and popups.get(code) == props["p"]:
        return {**{k: v for k, v in props.items() if k != "p"}, "r": code}
    return props


def _exists(url: str, directory: Path | None) -> bool:
    path = (directory or GEO_DIR) / url.rsplit("/", 1)[-1]
    return path in _written or path.exists()
