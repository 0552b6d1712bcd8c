"""The staff import form: files known by their content, refusals said in the import section,
the commune matched shown in the preview."""

from __future__ import annotations

import io
import random

import openpyxl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from territoires.errors import DataFileError
from territoires.registry import importer
from territoires.registry.intake import read_table
from territoires.registry.storage import open_store

STAFF = "type;nom;niveau;commune;département;citation\nrtes_member;Ville de Foissiat;commune;Foissiat;01;Délibération\n"


def _xlsx_bytes(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_named_xlsx_are_refused_in_french_without_echo(seed):
    raw = random.Random(2048).randbytes(2048) if seed else bytes(range(256)) * 4
    with pytest.raises(DataFileError) as err:
        read_table("adherents.xlsx", raw)
    message = err.value.message
    assert "n'est pas un classeur Excel (XLSX) valide" in message
    assert all(c.isprintable() or c == "\n" for c in message)  # no byte of the file came back
    assert raw.decode("latin-1")[:6] not in message


@pytest.mark.parametrize(
    "raw", [b"type;nom\x00\x01\x02\n\x00\xff\xfe\x00rtes_member;A\n", random.Random(4096).randbytes(4096)]
)
def test_binary_content_named_csv_is_refused_in_french(raw):
    with pytest.raises(DataFileError) as err:
        read_table("adherents.csv", raw)
    assert "binaire" in err.value.what or "Encodage" in err.value.what
    assert "\x00" not in err.value.message


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as z:
        z.writestr("notes.txt", "bonjour")
    with pytest.raises(DataFileError, match="pas un classeur XLSX"):
        read_table("adherents.csv", out.getvalue())
    with pytest.raises(DataFileError, match="pas un classeur Excel"):
        read_table("adherents.xlsx", out.getvalue())


def test_a_real_xlsx_named_csv_is_read_as_a_workbook():
    raw = _xlsx_bytes([["type", "nom"], ["rtes_member", "Ville de Foissiat"]])
    df = read_table("adherents.csv", raw)
    assert list(df.columns) == ["type", "nom"]
    assert df.iloc[0].tolist() == ["rtes_member", "Ville de Foissiat"]


def test_a_utf16_csv_is_still_text():
    df = read_table("a.csv", STAFF.encode("utf-16"))
    assert "nom" in df.columns


def test_the_report_shows_the_commune_matched(app_dir):
    plan = importer.plan(open_store(app_dir), "adherents.csv", data=STAFF.encode("utf-8"), base=app_dir)
    (added,) = plan.report.added
    assert added["level"] == "commune" and added["place"].startswith("Foissiat (01)")
    text = "\n".join(plan.report.lines())
    assert f"Foissiat (01) — commune {added['code']}" in text, text


def _page(name: str, data: bytes) -> None:
    # AppTest runs this function's source alone (no module globals) and cannot upload a file:
    # the uploader gives what a browser would, and the session is a signed-in staff member's.
    import types

    import streamlit as st

    from territoires.ui import donnees, staff

    upload = types.SimpleNamespace(name=name, file_id=f"id-{len(data)}", getvalue=lambda: data)
    staff.panel = lambda: "alice"
    st.file_uploader = lambda *a, **k: upload
    donnees.render()


def _run(app_dir, monkeypatch, name: str, data: bytes) -> AppTest:
    from territoires.ui import staff

    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(app_dir))
    monkeypatch.setattr(staff, "panel", staff.panel)  # restored after the test
    monkeypatch.setattr(st, "file_uploader", st.file_uploader)
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_function(_page, args=(name, data), default_timeout=120).run()


def test_the_page_says_file_refused_for_a_bad_file(app_dir, monkeypatch):
    at = _run(app_dir, monkeypatch, "adherents.xlsx", random.Random(1024).randbytes(1024))
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith("Fichier refusé") and "XLSX" in e for e in errors), errors
    assert not any("ne peuvent pas être chargées" in e for e in errors)
    assert any("Aide : préparer le fichier" in x.label for x in at.expander)


def test_the_page_previews_the_commune_matched(app_dir, monkeypatch):
    at = _run(app_dir, monkeypatch, "adherents.csv", STAFF.encode("utf-8"))
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Foissiat (01) — commune" in t.value for t in at.text)
