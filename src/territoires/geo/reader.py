"""The one reader of the boundary files in ``data/geo``, every read checked against its schema.

- :func:`load_level`: a level with its geometries (full resolution or a display scale);
- :func:`load_attributes`: its attribute columns only — the geometry column is not read;
- :func:`load_codes`: its codes only (the ``code`` column), for "does this code exist";
- :func:`load_shapes`, :func:`load_bounds`: a few features' geometries or boxes, read alone (a searched place);
- :class:`Boundaries`: the display geometries of one scale, indexed by code, each level read on
  first use; what a map or an export draws.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import shapely

from territoires.errors import DataFileError
from territoires.geo.layout import DISPLAY_LEVELS, NON_UNIQUE, REBUILD_TODO, level_path, schema_of, validate_frame
from territoires.io.reading import reading


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn a missing, empty or damaged file into a :class:`DataFileError` naming it."""
    if not path.exists():
        raise DataFileError("Fichier de contours manquant.", where=path, todo=REBUILD_TODO)
    if path.stat().st_size == 0:
        raise DataFileError("Fichier de contours vide (0 octet).", where=path, todo=REBUILD_TODO)
    with reading("Fichier de contours illisible ou tronqué", path, REBUILD_TODO):
        yield


def read_parquet(path: Path) -> gpd.GeoDataFrame:
    """Read one GeoParquet file, geometries included, with a clear error if missing, empty or unreadable."""
    with _reading(path):
        return gpd.read_parquet(path)


def load_level(level: str, *, scale: str | None = None, base: Path | None = None) -> gpd.GeoDataFrame:
    """One level with its geometries, checked against its schema (full resolution, or a display ``scale``)."""
    schema = schema_of(level, scale)
    path = level_path(level, scale, base)
    df = read_parquet(path)
    validate_frame(df, schema, path, unique=level not in NON_UNIQUE)
    return df


def load_attributes(level: str, columns: Iterable[str] | None = None, *, base: Path | None = None) -> pd.DataFrame:
    """A level's attribute columns (all, or ``columns``), checked; the geometry column is never read.

    The coordinate system is checked from the GeoParquet metadata, so that a file in the wrong CRS is
    refused here as it is by :func:`load_level`.
    """
    schema = schema_of(level)
    if columns is not None:
        unknown = [c for c in columns if c not in schema]
        if unknown:
            raise ValueError(f"colonnes inconnues pour {level} : {unknown}")
        schema = {c: schema[c] for c in columns}
    path = level_path(level, None, base)
    with _reading(path):
        df = pd.read_parquet(path, columns=list(schema))
        _check_crs_metadata(path)
    validate_frame(df, schema, path, unique=level not in NON_UNIQUE and "code" in schema, geometry=False)
    return df


def load_codes(level: str, *, base: Path | None = None) -> set[str]:
    """The codes of a level (its ``code`` column only: no other column, no geometry read)."""
    return set(load_attributes(level, ["code"], base=base)["code"])


def load_shapes(
    level: str, codes: Iterable[str], *, scale: str | None = "region", base: Path | None = None
) -> dict[str, shapely.Geometry]:
    """The geometries of the features ``codes`` of a level, read without the others.

    Only the matching rows are read (a parquet filter): drawing or framing one searched commune
    never loads the 35,000 communes' geometries into memory.
    """
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    path = level_path(level, scale, base)
    with _reading(path):
        table = pq.read_table(path, columns=["code", "geometry"], filters=[("code", "in", wanted)])
    codes_read, wkbs = table.column("code").to_pylist(), table.column("geometry").to_pylist()
    return {c: shapely.from_wkb(w) for c, w in zip(codes_read, wkbs, strict=True) if w is not None}


def load_bounds(
    level: str, codes: Iterable[str], *, scale: str | None = "region", base: Path | None = None
) -> dict[str, tuple[float, float, float, float]]:
    """(west, south, east, north) of the features ``codes`` of a level, read without the others."""
    return {c: tuple(float(v) for v in g.bounds) for c, g in load_shapes(level, codes, scale=scale, base=base).items()}


def _check_crs_metadata(path: Path) -> None:
    """The CRS from the GeoParquet metadata (no geometry read): it must be EPSG:4326 (or OGC:CRS84)."""
    meta = pq.read_schema(path).metadata or {}
    try:
        geo = json.loads(meta.get(b"geo", b"{}"))
        crs = geo["columns"][geo["primary_column"]].get("crs")
    except (KeyError, ValueError) as exc:
        raise DataFileError("Métadonnées GeoParquet absentes ou illisibles.", where=path, todo=REBUILD_TODO) from exc
    if crs is None:
        return  # GeoParquet's default: OGC:CRS84, longitude/latitude as EPSG:4326
    code = (crs.get("id") or {}).get("code") if isinstance(crs, dict) else None
    if code not in (4326, "CRS84"):
        name = crs.get("name") if isinstance(crs, dict) else str(crs)
        raise DataFileError(
            f"Système de coordonnées inattendu : {name} (attendu EPSG:4326).", where=path, todo=REBUILD_TODO
        )


class Boundaries:
    """The display geometries of one scale, indexed by code; each level read on first use.

    ``b.communes``, ``b.epci``, ``b.departements``, ``b.regions``, ``b.regions_2012``,
    ``b.communes_2012`` (the communes of 1 January 2012, by their 2012 code) are
    GeoDataFrames indexed by code.  ``scale`` is a display scale (``"france"``, ``"region"``) or
    None for full resolution; ``base`` is the data directory (None: the settings').

    The levels already read are a cache with an explicit API: :meth:`loaded` gives them, and the
    ``levels`` argument of the constructor starts from them (the start-up snapshot keeps some
    levels and leaves the largest ones to be read again on demand).
    """

    LEVELS = DISPLAY_LEVELS

    def __init__(
        self,
        base: Path | None = None,
        scale: str | None = "region",
        levels: Mapping[str, gpd.GeoDataFrame] | None = None,
    ):
        self.base = base
        self.scale = scale
        unknown = set(levels or {}) - set(Boundaries.LEVELS)
        if unknown:
            raise ValueError(f"niveaux inconnus : {sorted(unknown)}")
        self._cache: dict[str, gpd.GeoDataFrame] = dict(levels or {})

    def __getattr__(self, level: str) -> gpd.GeoDataFrame:
        # Only called for attributes not found the normal way: the levels, read on first access.
        if level not in Boundaries.LEVELS:
            raise AttributeError(level)
        if level not in self._cache:
            self._cache[level] = load_level(level, scale=self.scale, base=self.base).set_index("code")
        return self._cache[level]

    def loaded(self) -> dict[str, gpd.GeoDataFrame]:
        """The levels read so far, by name (a new dict; the frames themselves are shared, not copied)."""
        return dict(self._cache)
