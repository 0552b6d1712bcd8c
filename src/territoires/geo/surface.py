"""Geometry helpers of the pipeline: equal-area surfaces, polygonal parts, a clean coverage.

Apart from :mod:`territoires.geo.build` so that the steps built on them (the communes of 2012)
and the checks that measure drawn areas import them without importing the whole pipeline.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from territoires.geo import reference as ref

EMPTY = shapely.Polygon()

_TRANSFORMERS: dict[str, Transformer] = {}


def _to_equal_area(geoms: np.ndarray, zone: str) -> np.ndarray:
    tr = _TRANSFORMERS.get(zone)
    if tr is None:
        tr = _TRANSFORMERS[zone] = Transformer.from_crs("EPSG:4326", ref.EQUAL_AREA_CRS[zone], always_xy=True)

    def fwd(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, fwd)


def equal_area_km2(geoms: np.ndarray | gpd.GeoSeries, deps: np.ndarray | pd.Series) -> np.ndarray:
    """Area in km² of WGS84 geometries, each in the LAEA projection of its zone.

    ``deps`` gives the département of each geometry: overseas ones use a LAEA
    centred on them, the rest EPSG:3035.  Lambert-93 is conformal, not
    equal-area, and is not used for areas.
    """
    geoms = np.asarray(geoms, dtype=object)
    deps = np.asarray(deps, dtype=object)
    zones = np.where(np.isin(deps, ref.OVERSEAS_DEPS), deps, "metro")
    out = np.zeros(len(geoms))
    for zone in np.unique(zones):
        m = zones == zone
        out[m] = shapely.area(_to_equal_area(geoms[m], str(zone))) / 1e6
    return out


def polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """Keep the polygonal part of a geometry (cleaning can leave stray lines)."""
    if g is None or g.is_empty:
        return EMPTY
    if shapely.get_type_id(g) in (3, 6):
        return g
    polys = [p for p in shapely.get_parts(g) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(polys) if polys else EMPTY


def clean_coverage(geoms: np.ndarray) -> np.ndarray:
    """Step 2: a clean coverage — no overlap, identical shared edges."""
    out = shapely.coverage_clean(geoms, gap_width=0.0)
    return np.array([polygonal(g) for g in out], dtype=object)
