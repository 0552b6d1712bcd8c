"""The map's cache of pure data: boundaries and actor shapes per display scale, their compact
encodings, and each record's popup — built once per dataset and shared by every session.

Nothing here is a folium object: a map is built afresh from these strings on every render.
The cache is filled from several sessions' threads at once, so it takes a lock to write.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from territoires import encode, readable, safe
from territoires.dataset import Dataset
from territoires.geo.reader import Boundaries, load_shapes
from territoires.registry.join import anchors, shapes
from territoires.selection import territory_names
from territoires.webmap.popups import popup_html

# 1/1000° ≈ 100 m and 1/2000° ≈ 55 m: finer than each scale's simplification (0.01° and 0.003°)
QUANTUM = {"france": 1000, "region": 2000}
TOPOLOGY_ENTRIES = 32  # communes and EPCI layers with shared borders, the most recent ones kept
PLACE_ENTRIES = 256  # searched places' outlines kept


@dataclass
class GeometryCache:
    """Display geometries, their encodings and the popups of one dataset."""

    ds: Dataset
    boundaries: dict[str, Boundaries] = field(default_factory=dict)  # scale → boundary levels
    actor_shapes: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)  # scale → records' shapes
    encoded: dict[tuple[str, str, str], str | None] = field(default_factory=dict)  # (level, scale, code) → JSON
    topology: OrderedDict[tuple, str] = field(default_factory=OrderedDict)  # layer key → topology JSON
    popups: dict[str, str] | None = None  # record id → popup HTML
    markers: dict[str, dict[str, dict]] = field(default_factory=dict)  # scale → record id → marker data
    places: dict[str, shapely.Geometry | None] = field(default_factory=dict)  # searched place → its outline
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_lock"]  # a lock cannot be pickled (the start-up snapshot)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    # --------------------------------------------------------------- geometries
    def boundaries_at(self, scale: str) -> Boundaries:
        """The boundary levels at a display scale ("france" or "region"), read on first use."""
        with self._lock:
            if scale not in self.boundaries:
                self.boundaries[scale] = Boundaries(self.ds.base, scale=scale)
            return self.boundaries[scale]

    def shapes_at(self, scale: str) -> gpd.GeoDataFrame:
        """Each record's shape and anchor point at a display scale, indexed by id."""
        with self._lock:
            if scale not in self.actor_shapes:
                g = shapes(self.ds.placed, self.ds.units, self.boundaries_at(scale))
                g["anchor"] = anchors(g)
                self.actor_shapes[scale] = g.set_index("id")
            return self.actor_shapes[scale]

    def encoded_geometry(self, level: str, scale: str, code: str) -> str | None:
        """A territory's (or, for level ``actors``, a record's) polygons as JSON, or None."""
        key = (level, scale, code)
        if key in self.encoded:
            return self.encoded[key]
        if level == "actors":
            geoms = self.shapes_at(scale).geometry
        else:
            geoms = getattr(self.boundaries_at(scale), level).geometry
        g = geoms.get(code)
        polys = encode.polygons(g, QUANTUM[scale]) if g is not None else []
        value = safe.script_json(polys) if polys else None
        with self._lock:
            self.encoded[key] = value
        return value

    def layer(self, level: str, scale: str, items: list[tuple[str, dict]]) -> str:
        """Layer data for ``items`` ((code, properties) pairs) from the cached encodings."""
        frags = []
        for code, props in items:
            geom = self.encoded_geometry(level, scale, code)
            if geom is not None:
                frags.append(f"[{safe.script_json(props)},{geom}]")
        return encode.layer_data(frags, QUANTUM[scale])

    def topo_layer(self, level: str, scale: str, items: list[tuple[str, dict]]) -> str:
        """Layer data with shared borders stored once (many neighbours: communes, EPCIs), cached."""
        key = (level, scale, tuple(c for c, _ in items), tuple(str(p) for _, p in items))
        with self._lock:
            if key in self.topology:
                self.topology.move_to_end(key)
                return self.topology[key]
        geoms = getattr(self.boundaries_at(scale), level).geometry
        value = encode.topology([(p, geoms.get(c)) for c, p in items], QUANTUM[scale])
        with self._lock:
            self.topology[key] = value
            while len(self.topology) > TOPOLOGY_ENTRIES:
                self.topology.popitem(last=False)
        return value

    def marker_map(self, scale: str) -> dict[str, dict]:
        """Each placed record's marker at a scale: position, escaped name and popup, dashed or not."""
        with self._lock:
            if scale not in self.markers:
                geo = self.shapes_at(scale)
                popups = self.popup_map()
                out = {}
                for rid, pt, name, precision in zip(
                    geo.index, geo["anchor"], geo["name"], geo["precision"], strict=True
                ):
                    if pt is not None:
                        vague = int(precision in ("region", "departement"))
                        out[rid] = {
                            "y": round(pt.y, 4),
                            "x": round(pt.x, 4),
                            "t": safe.text(name),
                            "p": popups[rid],
                            "v": vague,
                        }
                self.markers[scale] = out
            return self.markers[scale]

    def popup_map(self) -> dict[str, str]:
        """Each record's popup HTML, built once."""
        with self._lock:
            if self.popups is None:
                ds = self.ds
                names = readable.place_names(ds.levels, ds.placed, territory_names(ds))
                record_names = dict(zip(ds.placed["id"], ds.placed["name"], strict=True))
                board = ds.placed[ds.placed["kind"] == "rtes_board_member"]
                # A board member may represent several members: each of them lists that person.
                seats: dict[str, list[int]] = {}
                for i, (_, person) in enumerate(board.iterrows()):
                    for member in readable.represents(person):
                        seats.setdefault(member, []).append(i)
                popups = {}
                for _, a in ds.placed.iterrows():
                    people = board.iloc[seats.get(a["id"], [])] if a["kind"] == "rtes_member" else None
                    bodies = None
                    if a["kind"] == "rtes_board_member":
                        bodies = [record_names.get(m, m) for m in readable.represents(a)]
                    popups[a["id"]] = popup_html(a, names, people, bodies)
                self.popups = popups
            return self.popups

    # ----------------------------------------------------------------- snapshot
    def national_part(self, left_out: tuple[str, ...] = ("communes", "epci")) -> GeometryCache:
        """A copy holding only what the default (national) view needs: for the start-up snapshot.

        The largest boundary levels (``left_out``) and the topology layers are left out; they are
        read again on demand.
        """
        with self._lock:
            return GeometryCache(
                ds=self.ds,
                boundaries={s: _without(b, left_out) for s, b in self.boundaries.items()},
                actor_shapes=dict(self.actor_shapes),
                encoded=dict(self.encoded),
                popups=dict(self.popups) if self.popups is not None else None,
                markers=dict(self.markers),
            )


def _without(b: Boundaries, left_out: tuple[str, ...]) -> Boundaries:
    """The same boundaries, without the levels ``left_out`` (read again on demand)."""
    return Boundaries(b.base, scale=b.scale, levels={lv: g for lv, g in b.loaded().items() if lv not in left_out})


def place_shape(cache: GeometryCache, place: str) -> shapely.Geometry | None:
    """The outline of a searched place ("commune:69266", "commune2012:50602", "epci:200046977"), or None.

    Read alone from the region-scale file and kept: a search never loads every commune.
    """
    kind, _, code = place.partition(":")
    if place not in cache.places:
        level = {"commune": "communes", "commune2012": "communes_2012"}.get(kind, "epci")
        found = load_shapes(level, [code], scale="region", base=cache.ds.base).get(code)
        if found is None and kind == "epci" and cache.ds.units is not None:
            # An intercommunality of 2012 (a SIREN no EPCI has today): drawn from its communes of 2012.
            parts = load_shapes("communes_2012", cache.ds.units.of("epci", code), scale="region", base=cache.ds.base)
            found = shapely.union_all(list(parts.values())) if len(parts) else None
        with cache._lock:
            cache.places[place] = found
            while len(cache.places) > PLACE_ENTRIES:  # a visitor trying every commune: the oldest go
                del cache.places[next(iter(cache.places))]
        return found
    return cache.places.get(place)


def place_bounds(cache: GeometryCache, place: str) -> pd.Series | None:
    """(west, south, east, north) of a searched place, for framing; None if unknown."""
    g = place_shape(cache, place)
    return None if g is None else pd.Series(g.bounds, index=["w", "s", "e", "n"])
