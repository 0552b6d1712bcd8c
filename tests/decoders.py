"""Python twins of the map's JavaScript decoders (``territoires.encode.DECODER_JS``), for tests.

The dashboard never decodes its own layers: the browser does.  These read the same JSON so that
tests can compare what was encoded with what comes out.
"""

from __future__ import annotations

import json

import numpy as np


def decode(data: str) -> list[tuple[dict, list]]:
    """A plain layer (``{"k", "f"}``) as ``[(props, [[[(x, y), …], …], …]), …]``, rings not closed."""
    d = json.loads(data)
    k = d["k"]
    out = []
    for props, polys in d["f"]:
        decoded = []
        for poly in polys:
            rings = []
            for r in poly:
                xy = np.cumsum(np.asarray(r, dtype=np.int64).reshape(-1, 2), axis=0) / k
                rings.append([tuple(p) for p in xy])
            decoded.append(rings)
        out.append((props, decoded))
    return out


def decode_topology(data: str) -> list[tuple[dict, list]]:
    """A topology layer (``{"k", "a", "f"}``) in the same form, rings as closed point lists."""
    d = json.loads(data)
    k = d["k"]
    arcs, prev = [], np.zeros(2, dtype=np.int64)
    for a in d["a"]:
        q = np.asarray(a, dtype=np.int64).reshape(-1, 2)
        q[0] += prev  # an arc's first point is relative to the previous arc's first point
        pts = np.cumsum(q, axis=0)
        prev = pts[0]
        arcs.append(pts.tolist())
    out = []
    for props, polys in d["f"]:
        decoded = []
        for poly in polys:
            rings = []
            for refs in poly:
                pts: list = []
                for ref in refs:
                    a = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
                    pts.extend(a if not pts else a[1:])
                rings.append([(x / k, y / k) for x, y in pts])
            decoded.append(rings)
        out.append((props, decoded))
    return out
