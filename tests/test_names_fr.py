"""Names everywhere a person reads (issue 17): the Données table, its spreadsheet downloads and the map's
popups give départements, régions and territories by name with their code, and the precision in French."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from territoires import readable, selection
from territoires.dataset import load_dataset
from territoires.registry import downloads
from territoires.registry.schema import PRECISIONS
from territoires.webmap.geometry import GeometryCache
from territoires.webmap.popups import popup_html

RAW = {"territoire", "region_2012", "departement", "None", "nan", "NaN", "<NA>"}


@pytest.fixture
def ds(app_dir):
    return load_dataset(app_dir)


def _names(ds) -> dict[str, dict[str, str]]:
    return readable.place_names(ds.levels, ds.placed, selection.territory_names(ds))


def _rows(ds) -> list[dict[str, str]]:
    data = downloads.sheet_csv_bytes(readable.columns(ds.placed, _names(ds)))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_the_table_names_departements_and_regions_with_their_code(ds):
    by_name = {r["Nom"]: r for r in _rows(ds)}
    gex = by_name["Gex"]
    assert gex["Département"] == "Ain (01)"
    assert gex["Région"] == "Auvergne-Rhône-Alpes (84)"
    assert gex["Région 2012"] == "Rhône-Alpes (82)"
    assert by_name["Saint-Martin"]["Département"] == "Corse-du-Sud (2A)"
    assert gex["Précision"] == PRECISIONS["territoire"]


def test_no_raw_code_or_missing_value_is_shown(ds):
    names = _names(ds)
    screen = downloads.french_table(readable.columns(ds.placed, names))
    assert not {"dep", "reg", "reg_2012", "precision"} & set(screen.columns)
    for col in ("Département", "Région", "Région 2012", "Précision", "Type", "Niveau"):
        cells = {str(v) for v in screen[col] if v is not None}
        assert not cells & RAW, col
        assert not screen[col].isna().any(), col
    assert set(screen["Précision"]) <= set(PRECISIONS.values())
    cells = {c for r in _rows(ds) for c in r.values()}
    assert not cells & RAW


def test_every_column_does_not_repeat_the_raw_codes(ds):
    every = downloads.french_table(readable.columns(ds.placed, _names(ds)), every=True)
    assert not {"dep", "reg", "reg_2012"} & set(every.columns)
    assert {"Département", "Région", "Région 2012"} <= set(every.columns)


def test_a_code_without_a_name_stays_a_code():
    view = readable.columns(pd.DataFrame({"dep": ["99", None], "reg": ["84", ""]}), {"region": {"84": "ARA"}})
    assert list(view["dep_nom"]) == ["99", ""] and list(view["reg_nom"]) == ["ARA (84)", ""]


def test_a_members_popup_names_its_territory(ds):
    popups = GeometryCache(ds).popup_map()
    gex = popups["m-ville-gex"]
    assert "<dt>Territoire</dt><dd>Gex (commune 01008)</dd>" in gex
    assert "Rhône-Alpes (région de 2012, 82)" in gex and "Ain (01)" in gex
    assert "Commune 01008" not in gex
    region = popups["m-reg-82"]
    assert "<dt>Territoire</dt><dd>Rhône-Alpes (région de 2012, 82)</dd>" in region
    assert "<dt>Situé</dt><dd>Rhône-Alpes" not in region  # not « in » itself
    assert "<dd>Ain (département 01)</dd>" in popups["m-dep-01"]


def test_a_popup_escapes_the_names():
    a = pd.Series(
        dict(
            id="x",
            kind="rtes_member",
            name="X",
            level="commune",
            code="01008",
            precision="territoire",
            reg_2012="82",
            dep="01",
            source_section="s",
            source_quote="q",
        )
    )
    names = {"commune": {"01008": "<b>Gex</b>"}, "departement": {"01": "A&B"}, "region_2012": {"82": "R"}}
    html = popup_html(a, names)
    assert "&lt;b&gt;Gex&lt;/b&gt; (commune 01008)" in html and "<b>Gex</b>" not in html
    assert "A&amp;B (01)" in html
    assert "l&#x27;acteur est ce territoire" in html
