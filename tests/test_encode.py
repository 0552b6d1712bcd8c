"""The compact encodings decode to the shapes they encoded (within the quantization step)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from territoires import encode


def rebuild(polys) -> shapely.Geometry:
    return shapely.make_valid(shapely.MultiPolygon([Polygon(p[0], p[1:]) for p in polys]))


def test_plain_round_trip_with_a_hole():
    g = box(2.0, 48.0, 2.5, 48.3).difference(box(2.1, 48.1, 2.2, 48.2))
    frag = encode.fragment({"t": "x"}, g, 1000)
    ((props, polys),) = encode.decode(encode.layer_data([frag], 1000))
    assert props == {"t": "x"}
    assert rebuild(polys).symmetric_difference(g).area < 1e-9


def test_plain_drops_what_quantization_collapses():
    assert encode.fragment({}, box(2.0, 48.0, 2.0001, 48.0001), 1000) is None


def test_topology_shares_borders_and_decodes_exactly(built):
    com = built.display["region"]["communes"]
    com = com[~com.geometry.is_empty]
    items = [({"t": c}, g) for c, g in zip(com["code"], com.geometry, strict=True)]
    data = encode.topology(items, 10_000)
    d = json.loads(data)
    n_refs = sum(len(r) for f in d["f"] for p in f[1] for r in p)
    assert len(d["a"]) < n_refs  # some arcs are used twice (shared borders)
    assert any(ref < 0 for f in d["f"] for p in f[1] for r in p for ref in r)  # ...the other way round
    decoded = encode.decode_topology(data)
    for (props, polys), (_, g) in zip(decoded, items, strict=True):
        q = shapely.set_precision(g, 1e-4)
        assert rebuild(polys).symmetric_difference(q).area < 1e-6, props


def test_topology_of_an_island_and_an_enclave():
    outer = box(0, 0, 3, 3).difference(box(1, 1, 2, 2))
    inner = box(1, 1, 2, 2)
    island = box(5, 5, 6, 6)
    data = encode.topology([({"t": "o"}, outer), ({"t": "i"}, inner), ({"t": "s"}, island)], 100)
    d = json.loads(data)
    assert len(d["a"]) == 3  # outer ring, the shared hole/enclave ring (once), the island
    for (_, polys), g in zip(encode.decode_topology(data), [outer, inner, island], strict=True):
        assert rebuild(polys).symmetric_difference(g).area < 1e-9


@pytest.mark.parametrize("k", [1000, 2000])
def test_encoding_is_compact(built, k):
    com = built.display["region"]["communes"]
    geojson = json.dumps(shapely.geometry.mapping(com.geometry.iloc[0]))
    frag = encode.fragment({}, com.geometry.iloc[0], k)
    assert len(frag) < len(geojson) / 2


def test_decoder_js_is_present_and_small():
    assert "function terrLayer" in encode.DECODER_JS and "function terrTopo" in encode.DECODER_JS
    assert len(encode.DECODER_JS) < 3000
    assert np.int64  # numpy is the only dependency
