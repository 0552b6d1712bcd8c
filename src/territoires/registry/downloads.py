"""The joined registry as files to download or write: CSV, GeoJSON, XLSX (the Données page and the CLI).

One serialisation for both: the same columns (:data:`~territoires.registry.join.EXPORT_COLUMNS`),
the same protection against spreadsheet formulas, the same file names
(:data:`~territoires.registry.files.DOWNLOADS`).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from territoires import safe
from territoires.errors import TerritoiresError
from territoires.geo.reader import Boundaries
from territoires.io.atomic import write_bytes_atomic
from territoires.registry import figures
from territoires.registry.join import EXPORT_COLUMNS, join
from territoires.registry.schema import STATUSES
from territoires.registry.storage import load_registry
from territoires.safe import spreadsheet_frame

# Display scale of the geometries for each --resolution of ``territoires data export``.
SCALES = {"region": "region", "france": "france", "full": None}
EXPORT_FORMATS = ("csv", "geojson")


def readable(records: pd.DataFrame) -> pd.DataFrame:
    """The exported columns, with the figures and the status also as French text (``chiffres``, ``statut``)
    next to their raw cells: a spreadsheet reader sees « une quinzaine », not JSON."""
    out = records[EXPORT_COLUMNS].copy()
    at = out.columns.get_loc("figures") + 1
    out.insert(at, "chiffres", [" ; ".join(figures.readings(c)) for c in out["figures"]])
    out.insert(at + 1, "statut", out["status"].map(lambda v: STATUSES.get(v, "") if isinstance(v, str) else ""))
    return out


def table(records: pd.DataFrame) -> pd.DataFrame:
    """The exported columns, no cell of which may run as a formula in a spreadsheet."""
    return spreadsheet_frame(readable(records))


def csv_bytes(records: pd.DataFrame) -> bytes:
    """The records as UTF-8 CSV."""
    return table(records).to_csv(index=False, lineterminator="\n").encode("utf-8")


def geojson_bytes(shapes: gpd.GeoDataFrame) -> bytes:
    """The records with their geometries (perimeters, points; none for the unplaced) as GeoJSON."""
    frame = gpd.GeoDataFrame(readable(shapes), geometry=shapes.geometry.to_numpy(), crs=shapes.crs)
    data = json.loads(frame.to_json(na="null", drop_id=True))
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def xlsx_bytes(records: pd.DataFrame) -> bytes:
    """The records as an Excel workbook (one sheet, « acteurs »)."""
    buf = io.BytesIO()
    # A control character (hand-edited file, older database) would make openpyxl refuse the whole sheet.
    cells = table(records).map(lambda v: safe.clean_text(v)[0] if isinstance(v, str) else v)
    cells.to_excel(buf, index=False, sheet_name="acteurs")
    return buf.getvalue()


def export(output: Path, *, fmt: str = "csv", resolution: str = "region", base: Path | None = None) -> int:
    """Write the registry joined to the boundaries, atomically; returns the number of records."""
    if fmt not in EXPORT_FORMATS:
        raise TerritoiresError(f"Format inconnu : {fmt!r}.", todo="choisir --format csv ou --format geojson.")
    if resolution not in SCALES:
        raise TerritoiresError(f"Résolution inconnue : {resolution!r}.", todo="choisir region, france ou full.")
    joined = join(load_registry(base), Boundaries(base, scale=SCALES[resolution]), base)
    write_bytes_atomic(Path(output), csv_bytes(joined) if fmt == "csv" else geojson_bytes(joined))
    return len(joined)
