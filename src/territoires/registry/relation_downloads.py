"""The relations as files to download or write: CSV and GeoJSON (the Données page and the CLI).

One row per relation, the columns of :data:`~territoires.registry.relations.EXPORT_COLUMNS`.
The GeoJSON draws each relation as a line from its first end's point of reference to the
second's — the point :func:`~territoires.registry.join.anchors` gives, the one the map puts its
markers on; a relation one of whose ends has no place (a national organisation, a record not
located) is still listed, with ``geometry: null``.

The Données page's download (:func:`sheet_csv_bytes`) is the page's French table instead
(:data:`LABELS`, :func:`french_table`), as CSV for a French spreadsheet.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import shapely

from territoires.errors import TerritoiresError
from territoires.geo.reader import Boundaries
from territoires.io.atomic import write_bytes_atomic
from territoires.registry.downloads import SCALES, sheet_csv
from territoires.registry.join import Units, anchors, attribute_tables, place, shapes
from territoires.registry.relations import AMOUNT_KINDS, EXPORT_COLUMNS, TYPES, ends, export_table
from territoires.registry.schema import LEVELS
from territoires.registry.storage import load_registry
from territoires.safe import spreadsheet_frame

EXPORT_FORMATS = ("csv", "geojson")
DIGITS = 6  # ≈ 0.1 m: more than the anchors' own precision

# French headers of the relations' columns: the one place for them (the page's table, the download).
LABELS: dict[str, str] = {
    "from_name": "De",
    "from_level": "Niveau (de)",
    "from_code": "Code (de)",
    "type": "Relation",
    "to_name": "Vers",
    "to_level": "Niveau (vers)",
    "to_code": "Code (vers)",
    "amount_text": "Montant",  # on screen: « environ 20 000 € »
    "amount": "Montant",  # in a spreadsheet: a number to add up, its unit next to it
    "unit": "Unité",
    "amount_kind": "Montant exact ou approché",
    "year": "Année",
    "status": "Statut",
    "source_quote": "Citation",
    "id": "Identifiant",
    "from_id": "Identifiant (de)",
    "to_id": "Identifiant (vers)",
    "source_section": "Source",
    "notes": "Notes",
}
PAGE_COLUMNS = ["from_name", "from_level", "from_code", "type", "to_name", "to_level", "to_code"]
PAGE_COLUMNS += ["amount_text", "year", "status", "source_quote"]
# The download: the page's columns, the amount as a number and its unit.
SHEET_COLUMNS = [*PAGE_COLUMNS[:7], "amount", "unit", *PAGE_COLUMNS[8:]]
# « Toutes les colonnes »: the rest.
MORE_COLUMNS = ["amount_kind", "id", "from_id", "to_id", "source_section", "notes"]


def _amount(v: object) -> str:
    """An amount as written in the CSV: « 1000000 », « 2.5 », "" without one (never « 1000000.0 »)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    f = float(v)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def _text(v: object) -> str:
    """A text cell: "" for a missing value."""
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def table(ends_: pd.DataFrame) -> pd.DataFrame:
    """The export's columns as text, one row per relation (before any spreadsheet protection)."""
    t = export_table(ends_)
    # dtype object: territoires.safe.spreadsheet_frame passes over pandas 3's own "str" columns.
    return pd.DataFrame(
        {c: [_amount(v) if c == "amount" else _text(v) for v in t[c]] for c in EXPORT_COLUMNS}, dtype=object
    )


def csv_bytes(ends_: pd.DataFrame) -> bytes:
    """The relations as UTF-8 CSV; no cell may run as a formula in a spreadsheet."""
    return spreadsheet_frame(table(ends_)).to_csv(index=False, lineterminator="\n").encode("utf-8")


def french_table(relations: pd.DataFrame, columns: list[str] = PAGE_COLUMNS) -> pd.DataFrame:
    """The relations as the page shows them: French headers, the type as it reads, levels in words."""
    view = relations.assign(
        type=relations["type"].map(lambda t: TYPES.get(t, t)),
        from_level=relations["from_level"].map(lambda v: LEVELS.get(v, v)),
        to_level=relations["to_level"].map(lambda v: LEVELS.get(v, v)),
    )
    if "amount_kind" in view.columns:
        view["amount_kind"] = view["amount_kind"].map(lambda v: AMOUNT_KINDS.get(v, v))
    if "amount" in columns:  # « 2,5 », « 1000000 »: a number a spreadsheet adds up, never « 1000000.0 »
        view["amount"] = [_amount(v).replace(".", ",") for v in view["amount"]]
    return view[[c for c in columns if c in view.columns]].rename(columns=LABELS)


def sheet_csv_bytes(relations: pd.DataFrame, *, every: bool = False) -> bytes:
    """The relations as CSV for a French spreadsheet (`;`, UTF-8 with a BOM, French headers)."""
    return sheet_csv(french_table(relations, SHEET_COLUMNS + (MORE_COLUMNS if every else [])))


def line(a: shapely.Geometry | None, b: shapely.Geometry | None) -> dict | None:
    """The GeoJSON geometry of a relation: a line between two points, or None if either is missing."""
    if a is None or b is None or shapely.is_empty(a) or shapely.is_empty(b):
        return None
    return {
        "type": "LineString",
        "coordinates": [[round(p.x, DIGITS), round(p.y, DIGITS)] for p in (a, b)],
    }


def _properties(row: dict, raw: pd.Series) -> dict:
    """A feature's properties: the export's text, the amount as a number, nothing empty (null)."""
    props: dict[str, object] = {c: (row[c] or None) for c in EXPORT_COLUMNS}
    amount = raw["amount"]
    props["amount"] = None if pd.isna(amount) else (int(amount) if float(amount).is_integer() else float(amount))
    return props


def features(ends_: pd.DataFrame, points: pd.Series) -> dict:
    """A FeatureCollection of the relations; ``points``: record id → point of reference (or None)."""
    text = table(ends_)
    raw = ends_.reset_index(drop=True)
    pts = {k: v for k, v in points.items() if v is not None}
    out = []
    for i, row in enumerate(text.to_dict(orient="records")):
        r = raw.iloc[i]
        out.append(
            {
                "type": "Feature",
                "id": _text(r.get("id")) or None,
                "geometry": line(pts.get(r["from_id"]), pts.get(r["to_id"])),
                "properties": _properties(row, r),
            }
        )
    return {"type": "FeatureCollection", "features": out}


def geojson_bytes(ends_: pd.DataFrame, points: pd.Series) -> bytes:
    """The relations as GeoJSON lines (text kept as data: GeoJSON is not opened by a spreadsheet)."""
    return json.dumps(features(ends_, points), ensure_ascii=False).encode("utf-8")


def relations_with_points(base: Path | None = None, scale: str | None = "region") -> tuple[pd.DataFrame, pd.Series]:
    """The relations with their ends (:func:`~territoires.registry.relations.ends`) and the ends' points.

    Only the records at an end of a relation are drawn: the export need not shape every record.
    """
    reg = load_registry(base)
    units_table, _com, dep = attribute_tables(base)
    units = Units.build(units_table, reg.perimeters)
    placed = place(reg, units, dep)
    rel = ends(reg.relations, placed)
    at_ends = placed[placed["id"].isin(set(rel["from_id"]) | set(rel["to_id"]))]
    shaped = shapes(at_ends, units, Boundaries(base, scale=scale))
    return rel, pd.Series(anchors(shaped).to_numpy(), index=shaped["id"].to_numpy(), dtype=object)


def check_format(fmt: str) -> None:
    """Refuse, in French, a format the relations' export does not write."""
    if fmt not in EXPORT_FORMATS:
        raise TerritoiresError(
            f"Format inconnu pour les relations : {fmt!r}.", todo="choisir --format csv ou --format geojson."
        )


def export(output: Path, *, fmt: str = "csv", resolution: str = "region", base: Path | None = None) -> int:
    """Write the relations, atomically (the file in place is left as it was on failure); returns their number."""
    check_format(fmt)
    if resolution not in SCALES:
        raise TerritoiresError(f"Résolution inconnue : {resolution!r}.", todo="choisir region, france ou full.")
    rel, points = relations_with_points(base, SCALES[resolution])
    write_bytes_atomic(Path(output), csv_bytes(rel) if fmt == "csv" else geojson_bytes(rel, points))
    return len(rel)
