"""The Données page's downloads for a French spreadsheet: `;`, UTF-8 with a BOM, French headers, the
page's columns (or all of them), formulas kept inert; the XLSX with the same headers. The CLI's
machine-readable CSV is left as it was."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from territoires import readable, selection
from territoires.dataset import load_dataset
from territoires.registry import downloads
from territoires.registry import relation_downloads as rd
from territoires.registry.join import EXPORT_COLUMNS

from synthetic import RELATIONS, ROWS, app_rows, relation, write_registry

BOM = b"\xef\xbb\xbf"
FORMULA = '=HYPERLINK("http://x","clic")'
INTERNAL = ("kind", "reg_2012", "precision", "from_name", "source_quote")
EXTRA_ROWS = [r for r in app_rows() if r["id"] in ("p1", "p2", "p3", "p4")]
EXTRA_RELATIONS = [
    relation("rel-7", "m-reg-82", "cofinance", "p1", amount="2.5", unit="M€", amount_kind="exact"),
    relation("rel-8", "m-dep-01", "associé", "p2", source_quote=FORMULA),
]


@pytest.fixture
def ds(store_dir):
    rows = [*ROWS, *EXTRA_ROWS]
    rows[0] = {**rows[0], "notes": FORMULA}  # a hostile cell, kept only by « Toutes les colonnes »
    write_registry(store_dir, rows, relations=RELATIONS + EXTRA_RELATIONS)
    return load_dataset(store_dir)


def _names(ds) -> dict[str, dict[str, str]]:
    return readable.place_names(ds.levels, ds.placed, selection.territory_names(ds))


def _table(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _check_sheet(data: bytes) -> list[list[str]]:
    """What every spreadsheet CSV must be: BOM, `;`, French headers, no « None »/« nan » cell."""
    rows = _table(data)
    head = rows[0]
    assert len(head) > 3 and all("," not in h for h in head)
    assert not set(head) & set(INTERNAL)
    cells = [c for r in rows for c in r]
    assert "None" not in cells and "nan" not in cells and "NaN" not in cells
    assert all(len(r) == len(head) for r in rows)
    return rows


def test_actors_csv_is_the_page_table_for_a_french_spreadsheet(ds):
    data = downloads.sheet_csv_bytes(readable.columns(ds.placed, _names(ds)))
    rows = _check_sheet(data)
    assert rows[0] == list(downloads.french_table(readable.columns(ds.placed.head(1), _names(ds))).columns)
    assert rows[0][:4] == ["Nom", "Type", "Niveau", "Code"] and "Région 2012" in rows[0]
    text = data.decode("utf-8-sig")
    assert "Rhône-Alpes" in text and "Collectivité adhérente du RTES" in text  # accents intact
    assert "Ã" not in text  # no mojibake
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert {r["Nom"] for r in body} >= {"Gex", "Rhône-Alpes"}


def test_every_column_keeps_the_rest_with_french_headers_and_inert_formulas(ds):
    names = _names(ds)
    page = _check_sheet(downloads.sheet_csv_bytes(readable.columns(ds.placed, names)))
    every = _check_sheet(downloads.sheet_csv_bytes(readable.columns(ds.placed, names), every=True))
    assert len(every[0]) > len(page[0]) and every[0][: len(page[0])] == page[0]
    assert {"Identifiant", "Notes", "Nombre de communes", "Nouvel adhérent"} <= set(every[0])
    assert not {"figures", "status", "perimetre_approche"} & set(every[0])
    body = [dict(zip(every[0], r, strict=True)) for r in every[1:]]
    assert "'" + FORMULA in {r["Notes"] for r in body}
    assert FORMULA not in {c for r in every for c in r}
    # whole numbers stay whole, flags read in French
    assert all("," not in r["Nombre de communes"] for r in body)
    assert {r["Nouvel adhérent"] for r in body} <= {"oui", "non", ""}


def test_xlsx_has_the_same_french_headers(ds):
    names = _names(ds)
    for every in (False, True):
        data = downloads.xlsx_bytes(readable.columns(ds.placed, names), every=every)
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        head = [c.value for c in next(sheet.iter_rows(max_row=1))]
        assert head == _table(downloads.sheet_csv_bytes(readable.columns(ds.placed, names), every=every))[0]
        values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
        assert FORMULA not in values and "nan" not in values and "None" not in values
        if every:
            assert "'" + FORMULA in values


def test_relations_csv_for_a_french_spreadsheet(ds):
    page = _check_sheet(rd.sheet_csv_bytes(ds.relations))
    assert page[0] == [
        "De",
        "Niveau (de)",
        "Code (de)",
        "Relation",
        "Vers",
        "Niveau (vers)",
        "Code (vers)",
        "Montant",
        "Unité",
        "Année",
        "Statut",
        "Citation",
    ]
    body = [dict(zip(page[0], r, strict=True)) for r in page[1:]]
    assert len(body) == len(ds.relations)
    assert "'" + FORMULA in {r["Citation"] for r in body}
    assert FORMULA not in {c for r in page for c in r}
    assert {"2,5", "20000"} <= {r["Montant"] for r in body}  # decimal comma, never « 20000.0 »
    assert any(r["Niveau (de)"] == "Région (2012)" for r in body)  # accents, levels in words
    every = _check_sheet(rd.sheet_csv_bytes(ds.relations, every=True))
    assert len(every[0]) > len(page[0]) and {"Identifiant (de)", "Identifiant (vers)"} <= set(every[0])


def test_the_cli_export_keeps_its_machine_readable_csv(ds):
    data = downloads.csv_bytes(ds.placed)
    assert not data.startswith(BOM)
    head = data.decode("utf-8").splitlines()[0].split(",")
    assert head == list(downloads.table(ds.placed).columns) and set(EXPORT_COLUMNS) <= set(head)
    assert {"kind", "reg_2012", "precision"} <= set(head)
    assert rd.csv_bytes(ds.relations).decode("utf-8").startswith("from_id,from_name,")
