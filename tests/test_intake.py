"""A staff file at the door: bounds, control characters, formulas, duplicates and references refused or cleaned."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from territoires.errors import DataFileError
from territoires.registry import importer, intake
from territoires.registry.files import ACTORS_FILE, CHANGELOG_FILE
from territoires.registry.storage import open_store

HEAD = "identifiant;type;nom;niveau;code;represente;citation\n"


@pytest.fixture
def files(app_dir, monkeypatch):
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    return app_dir


def plan_of(base, text: str | bytes, name: str = "f.csv"):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return importer.plan(open_store(base), name, data=data, base=base)


def registry_bytes(base) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (base / "registry").iterdir() if p.is_file()}


def test_control_characters_are_removed_and_reported(files):
    p = plan_of(files, HEAD + "ptce-ctl;ptce_pole;Pôle\x00 du\x1b[2J lac\u202e;commune;01007;;Lancement\n")
    assert not p.report.rejected
    (added,) = p.report.added
    assert added["name"] == "Pôle du[2J lac"
    assert any("ligne 2, nom : 3 caractère(s) de contrôle retiré(s)" in n for n in p.report.cleaned)
    importer.apply(open_store(files), p)
    assert "\x00" not in (files / "registry" / ACTORS_FILE).read_text(encoding="utf-8")
    # The XLSX download of the page works with this name (it raised on a control character).
    from territoires.dataset import load_dataset
    from territoires.readable import columns
    from territoires.registry.downloads import xlsx_bytes

    assert xlsx_bytes(columns(load_dataset(files).placed))[:2] == b"PK"


def test_a_formula_is_stored_as_written_but_never_leads_a_cell(files):
    name = '=HYPERLINK("http://x.example","clic")'
    p = plan_of(files, HEAD + f'ptce-f;ptce_pole;"{name.replace(chr(34), chr(34) * 2)}";commune;01007;;+cité\n')
    importer.apply(open_store(files), p)
    reg = open_store(files).load()
    assert reg.actors.set_index("id").at["ptce-f", "name"] == name  # as written
    assert open_store(files).changelog()["name"].iloc[-1] == name
    for file in (ACTORS_FILE, CHANGELOG_FILE):
        cells = [c for row in pd.read_csv(files / "registry" / file, dtype=str).fillna("").values for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@")], file
        assert "'=HYPERLINK" in (files / "registry" / file).read_text(encoding="utf-8")


def test_duplicate_ids_in_one_file_are_refused(files):
    p = plan_of(files, HEAD + "ptce-d;ptce_pole;Un;commune;01007;;a b c\nptce-d;ptce_pole;Deux;commune;01007;;a b c\n")
    assert [a["name"] for a in p.report.added] == ["Un"]
    (rej,) = p.report.rejected
    assert rej["row"] == 3 and "déjà donné ligne 2" in rej["reason"]


@pytest.mark.parametrize(
    ("represents", "expected"),
    [("inconnu-1", "inconnu"), ("ca-x", "lui-même"), ("p1", "pas une collectivité")],
)
def test_references_are_checked_as_data_check_does(files, represents, expected):
    p = plan_of(files, HEAD + f"ca-x;rtes_board_member;Élu X;national;FR;{represents};Conseil\n")
    (rej,) = p.report.rejected
    assert expected in rej["reason"], rej
    assert not p.entries


def test_a_reference_to_a_member_added_by_the_same_file_is_accepted(files):
    board = "ca-y;rtes_board_member;Élue Y;national;FR;m-neuf;Conseil\n"
    member = "m-neuf;rtes_member;Ville;commune;01007;;Adhésion\n"
    p = plan_of(files, HEAD + board + member)
    assert not p.report.rejected, p.report.rejected
    assert {a["id"] for a in p.report.added} == {"ca-y", "m-neuf"}


def test_utf16_and_blank_files(files):
    p = plan_of(files, (HEAD + "ptce-u;ptce_pole;Pôle UTF-16;commune;01007;;Lancement\n").encode("utf-16"))
    assert [a["name"] for a in p.report.added] == ["Pôle UTF-16"]
    with pytest.raises(DataFileError, match="vide"):
        plan_of(files, "\n\n  \n\n")


def test_too_many_rows_or_a_too_long_cell_are_refused_with_the_limit(files, monkeypatch):
    monkeypatch.setattr(intake, "MAX_ROWS", 5)
    rows = "".join(f"ptce-r{i};ptce_pole;P{i};commune;01007;;Lancement\n" for i in range(6))
    with pytest.raises(DataFileError, match="plus de 5 lignes"):
        plan_of(files, HEAD + rows)
    big = "x" * 1_000_000
    p = plan_of(files, HEAD + f"ptce-big;ptce_pole;{big};commune;01007;;Lancement\n")
    (rej,) = p.report.rejected
    assert f"limite {intake.MAX_FIELD}" in rej["reason"] and "ligne" not in rej["name"]
    assert len(rej["name"]) <= intake.SHOWN  # a 1 MB name is not echoed whole
    assert len("\n".join(p.report.lines())) < 2_000


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated(files):
    before = registry_bytes(files)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (intake.MAX_XLSX_UNCOMPRESSED + 1))
    data = buf.getvalue()
    assert len(data) < 100_000
    with pytest.raises(DataFileError, match="décompressé"):
        plan_of(files, data, "bombe.xlsx")
    assert registry_bytes(files) == before


def test_an_xlsx_with_too_many_rows_is_refused_while_reading(files, monkeypatch):
    import openpyxl

    monkeypatch.setattr(intake, "MAX_ROWS", 5)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["type", "nom", "niveau", "code", "citation"])
    for i in range(10):
        sheet.append(["ptce_pole", f"P{i}", "commune", "01007", "Lancement"])
    buf = io.BytesIO()
    book.save(buf)
    with pytest.raises(DataFileError, match="plus de 5 lignes"):
        plan_of(files, buf.getvalue(), "long.xlsx")


def test_an_unknown_header_is_quoted_short_and_clean(files):
    with pytest.raises(DataFileError) as info:
        plan_of(files, "type;nom;" + "\x1b]0;x\x07" + "z" * 500 + "\nptce_pole;a;b\n")
    message = info.value.message
    assert "\x1b" not in message and "\x07" not in message and len(message) < 600


def test_a_row_longer_than_the_header_is_refused_not_shifted(files):
    with pytest.raises(DataFileError, match="plus de cases que l'en-tête"):
        plan_of(files, HEAD + "ptce-z;ptce_pole;Z;commune;01007;;Lancement;en;trop;de;cases\n")
    # A separator closing every line, header included, is harmless.
    p = plan_of(files, HEAD.replace("\n", ";\n") + "ptce-t;ptce_pole;Pôle T;commune;01007;;Lancement;\n")
    assert [a["name"] for a in p.report.added] == ["Pôle T"]


def test_the_same_new_record_twice_without_id_is_a_duplicate(files):
    head = "type;nom;niveau;code;citation\n"
    p = plan_of(files, head + "ptce_pole;Pôle Double;commune;01007;a b c\nptce_pole;Pôle Double;commune;01007;d e f\n")
    assert len(p.report.added) == 1
    (rej,) = p.report.rejected
    assert rej["row"] == 3 and "déjà donné ligne 2" in rej["reason"]
    # Two different poles of the same name elsewhere are two records.
    q = plan_of(files, head + "ptce_pole;Pôle Double;commune;01007;a b c\nptce_pole;Pôle Double;commune;01008;d e f\n")
    assert len(q.report.added) == 2 and not q.report.rejected
