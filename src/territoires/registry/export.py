"""Exports of the joined registry (CSV, GeoJSON), written atomically."""

from __future__ import annotations

import io
import json
from pathlib import Path

from territoires.errors import TerritoiresError
from territoires.io.atomic import write_text_atomic
from territoires.registry.join import EXPORT_COLUMNS, Boundaries, join
from territoires.registry.loader import load_registry
from territoires.safe import spreadsheet_frame

SCALES = {"region": "region", "france": "france", "full": None}


def export(output: Path, *, fmt: str = "csv", resolution: str = "region", base: Path | None = None) -> int:
    """Write the registry joined to the boundaries; returns the number of records."""
    if fmt not in ("csv", "geojson"):
        raise TerritoiresError(f"Format inconnu : {fmt!r}.", todo="choisir --format csv ou --format geojson.")
    if resolution not in SCALES:
        raise TerritoiresError(f"Résolution inconnue : {resolution!r}.", todo="choisir region, france ou full.")
    reg = load_registry(base)
    joined = join(reg, Boundaries(base, scale=SCALES[resolution]), base)
    if fmt == "csv":
        buf = io.StringIO()
        spreadsheet_frame(joined[EXPORT_COLUMNS]).to_csv(buf, index=False, lineterminator="\n")
        write_text_atomic(Path(output), buf.getvalue())
    else:
        gdf = joined[[*EXPORT_COLUMNS, "geometry"]]
        data = json.loads(gdf.to_json(na="null", drop_id=True))
        write_text_atomic(Path(output), json.dumps(data, ensure_ascii=False))
    return len(joined)
