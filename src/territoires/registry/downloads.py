"""The joined registry as files to download or write: CSV, GeoJSON, XLSX (the Données page and the CLI).

Two kinds of file. For scripts (``territoires data export``, :func:`csv_bytes`): the internal columns
(:data:`~territoires.registry.join.EXPORT_COLUMNS`), comma-separated UTF-8. For people (the Données
page, :func:`sheet_csv_bytes`, :func:`xlsx_bytes`): the page's own French table (:data:`LABELS`, also
what :func:`french_table` shows on screen), `;`-separated UTF-8 with a BOM so that French Excel opens
it as it is. Both are protected against spreadsheet formulas.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from territoires import safe
from territoires.errors import TerritoiresError
from territoires.geo.reader import Boundaries
from territoires.io.atomic import write_bytes_atomic
from territoires.registry import figures
from territoires.registry.join import EXPORT_COLUMNS, join
from territoires.registry.schema import KINDS, LEVELS, PRECISIONS, STATUSES
from territoires.registry.storage import load_registry
from territoires.safe import spreadsheet_frame

# Display scale of the geometries for each --resolution of ``territoires data export``.
SCALES = {"region": "region", "france": "france", "full": None}
EXPORT_FORMATS = ("csv", "geojson")

# The Données page's table, in its order, with its French headers: what the page shows and what the
# spreadsheet downloads hold by default (the one place for these labels).
LABELS: dict[str, str] = {
    "name": "Nom",
    "kind": "Type",
    "level": "Niveau",
    "code": "Code",
    "dep_nom": "Département",
    "reg_2012_nom": "Région 2012",
    "reg_nom": "Région",
    "precision": "Précision",
    "statut": "Statut",
    "chiffres": "Chiffres",
    "autres_lieux": "Autres lieux",
    "perimetre": "Périmètre",
    "source_section": "Source",
    "source_quote": "Citation",
}
# French headers of the other columns, added by « Toutes les colonnes »; a column not named here keeps
# its own name (a newer registry's column is still downloaded).
MORE_LABELS: dict[str, str] = {
    "id": "Identifiant",
    "official_name": "Nom officiel",
    "places": "Autres lieux (codes)",
    "new_member": "Nouvel adhérent",
    "role": "Rôle",
    "represents": "Représente",
    "test_pole": "Pôle test",
    "joined": "Adhésion",
    "founded": "Création",
    "launched": "Lancement",
    "siren_2012": "SIREN (2012)",
    "successor_code": "Code du successeur",
    "successor_note": "Note sur le successeur",
    "lon": "Longitude",
    "lat": "Latitude",
    "commune": "Commune",
    "website": "Site web",
    "n_communes": "Nombre de communes",
    "dep_autres": "Autres départements",
    "reg_autres": "Autres régions",
    "reg_2012_autres": "Autres régions 2012",
    "notes": "Notes",
}
# Raw cells a French column already says (« Chiffres », « Statut », « Périmètre », the département and
# régions named with their code): never downloaded twice.
RAW_TWINS = ("figures", "status", "perimetre_approche", "dep", "reg", "reg_2012")


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


# The coded cells of the page's table and the French wording of their values.
_WORDS: dict[str, dict[str, str]] = {"kind": KINDS, "level": LEVELS, "precision": PRECISIONS}


def french_table(view: pd.DataFrame, *, every: bool = False) -> pd.DataFrame:
    """The records as the Données page shows them: French headers, readable text, never a raw JSON cell.

    ``view``: the records with their French text columns (``territoires.readable.columns``: figures,
    status, other places, département and régions read out with their names — the caller makes them,
    the registry does not know how to read). ``every``: also the other columns (:data:`MORE_LABELS`,
    then any unknown one), after the page's.
    """
    # Each code as its French wording; an unknown one (a newer registry) as it is, never an empty cell.
    view = view.assign(**{c: view[c].map(lambda v, t=t: t.get(v, v)) for c, t in _WORDS.items() if c in view})
    shown = [c for c in LABELS if c in view.columns]
    if every:
        rest = [c for c in view.columns if c not in LABELS and c not in RAW_TWINS]
        shown += sorted(rest, key=lambda c: list(MORE_LABELS).index(c) if c in MORE_LABELS else len(MORE_LABELS))
    return view[shown].rename(columns={**MORE_LABELS, **LABELS})


def plain(v: object) -> object:
    """A cell as a spreadsheet should get it: None when missing (never « nan », « None »), « oui »/« non »
    for a flag, numbers as numbers, text as it is."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, np.generic):  # a numpy scalar (bool, int64, float64): its Python value
        return plain(v.item())
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _comma(v: object) -> object:
    """A decimal number with a decimal comma, as French spreadsheets read it (« 4,85 »)."""
    return str(v).replace(".", ",") if isinstance(v, float) else v


def _cells(view: pd.DataFrame, cell) -> pd.DataFrame:
    """``cell`` applied to every cell, the columns kept as objects.

    Not ``DataFrame.map``: it infers dtypes again, and a column of None or of whole numbers would come
    back as floats (« nan », « 1,0 »).
    """
    return pd.DataFrame({c: pd.Series([cell(v) for v in view[c]], dtype=object) for c in view.columns})


def sheet_frame(view: pd.DataFrame) -> pd.DataFrame:
    """``view``'s cells made plain (:func:`plain`) and inert (no formula), as text-or-number objects."""
    # dtype object: territoires.safe.spreadsheet_frame then sees every column as possibly text; its
    # Series.map infers dtypes again (None → NaN, 1 → 1.0): the cells are made plain once more after it.
    return _cells(spreadsheet_frame(_cells(view, plain)), plain)


def sheet_csv(view: pd.DataFrame) -> bytes:
    """A French table as CSV for a French spreadsheet: `;`, decimal comma, UTF-8 with a BOM."""
    cells = _cells(sheet_frame(view), _comma)
    return cells.to_csv(index=False, sep=";", na_rep="", lineterminator="\r\n").encode("utf-8-sig")


def sheet_csv_bytes(view: pd.DataFrame, *, every: bool = False) -> bytes:
    """The records as the page shows them (:func:`french_table`), as CSV for a French spreadsheet."""
    return sheet_csv(french_table(view, every=every))


def xlsx_bytes(view: pd.DataFrame, *, every: bool = False) -> bytes:
    """The records as the page shows them (:func:`french_table`), as an Excel workbook (one sheet, « acteurs »)."""
    buf = io.BytesIO()
    # A control character (hand-edited file, older database) would make openpyxl refuse the whole sheet.
    cells = sheet_frame(french_table(view, every=every))
    cells = _cells(cells, lambda v: safe.clean_text(v)[0] if isinstance(v, str) else v)
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
