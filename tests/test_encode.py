"""The compact encodings decode to the shapes they encoded (within the quantization step).

Decoded twice: by the Python twins of the decoders (tests/decoders.py) and, where Node.js is installed,
by the JavaScript the browser runs (``encode.DECODER_JS``).
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import shapely
from shapely.geometry import Polygon, box

from territoires import encode

from decoders import decode, decode_topology


def rebuild(polys) -> shapely.Geometry:
    return shapely.make_valid(shapely.MultiPolygon([Polygon(p[0], p[1:]) for p in polys]))


def test_plain_round_trip_with_a_hole():
    g = box(2.0, 48.0, 2.5, 48.3).difference(box(2.1, 48.1, 2.2, 48.2))
    frag = encode.fragment({"t": "x"}, g, 1000)
    ((props, polys),) = decode(encode.layer_data([frag], 1000))
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
    decoded = decode_topology(data)
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
    for (_, polys), g in zip(decode_topology(data), [outer, inner, island], strict=True):
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


NODE = shutil.which("node")


def run_js_decoder(layer: str) -> list[shapely.Geometry]:
    """Decode a layer with DECODER_JS itself (terrTopo or terrDecode, as terrLayer chooses) in Node.js."""
    script = encode.DECODER_JS + (
        "var d=JSON.parse(require('fs').readFileSync(0,'utf8'));"
        "process.stdout.write(JSON.stringify((d.a?terrTopo(d):terrDecode(d)).features.map(function(f){"
        "return f.geometry;})));"
    )
    out = subprocess.run([NODE, "-e", script], input=layer, capture_output=True, text=True, check=True, timeout=60)
    return [shapely.geometry.shape(g) for g in json.loads(out.stdout)]


@pytest.mark.skipif(NODE is None, reason="Node.js absent : le décodeur JavaScript n'est vérifié que dans Chromium")
def test_the_javascript_decoders_give_back_the_shapes(built):
    outer = box(0, 0, 3, 3).difference(box(1, 1, 2, 2))
    holed = box(2.0, 48.0, 2.5, 48.3).difference(box(2.1, 48.1, 2.2, 48.2))
    plain = encode.layer_data([encode.fragment({"t": "x"}, holed, 1000)], 1000)
    (got,) = run_js_decoder(plain)
    assert got.symmetric_difference(holed).area < 1e-9
    shapes = [outer, box(1, 1, 2, 2), box(5, 5, 6, 6)]
    for got, g in zip(run_js_decoder(encode.topology([({}, g) for g in shapes], 100)), shapes, strict=True):
        assert got.symmetric_difference(g).area < 1e-9
    com = built.display["region"]["communes"]
    com = com[~com.geometry.is_empty]
    items = [({"t": c}, g) for c, g in zip(com["code"], com.geometry, strict=True)]
    decoded = run_js_decoder(encode.topology(items, 10_000))
    assert len(decoded) == len(items)
    for got, (props, g) in zip(decoded, items, strict=True):
        assert got.symmetric_difference(shapely.set_precision(g, 1e-4)).area < 1e-6, props
