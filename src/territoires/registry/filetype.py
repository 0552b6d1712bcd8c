"""What a staff file is, from its content, not its name: a spreadsheet named ``.csv`` is read as one,
and random bytes named ``.xlsx`` are refused in French, never echoed as a column name."""

from __future__ import annotations

import io
import zipfile

from territoires.errors import DataFileError

XLSX_MARK = "xl/workbook.xml"  # what makes a zip an Excel workbook (every XLSX holds it)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary formats (XLS, DOC)
MAX_CONTROLS = 0.02  # share of control characters beyond which decoded "text" is binary content
_RESAVE = "l'enregistrer de nouveau depuis le tableur, en XLSX ou en « CSV UTF-8 »."
NOT_XLSX = "Ce fichier n'est pas un classeur Excel (XLSX) valide."
NOT_TEXT = "Ce fichier n'est pas un texte CSV : son contenu est binaire (ni un tableau CSV, ni un classeur XLSX)."


def _is_workbook(raw: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            # A workbook's parts live under xl/ (its xl/workbook.xml is checked by openpyxl, after the
            # declared sizes: a zip bomb dressed as a workbook is refused for its size, not its shape).
            return any(n == XLSX_MARK or n.startswith("xl/") for n in z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def kind(raw: bytes, name: str) -> str:
    """``"xlsx"`` or ``"text"``, from the first bytes; anything else is refused (the name only words the refusal)."""
    if raw.startswith(b"PK"):
        if _is_workbook(raw):
            return "xlsx"
        what = NOT_XLSX if name.lower().endswith(".xlsx") else "Fichier compressé (zip) qui n'est pas un classeur XLSX."
        raise DataFileError(what, where=name, todo=_RESAVE)
    if raw.startswith(OLE2):
        raise DataFileError(
            "Classeur Excel de l'ancien format (XLS), ou autre document binaire : non lu.",
            where=name,
            todo="l'enregistrer en XLSX (« Classeur Excel ») ou en « CSV UTF-8 ».",
        )
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise DataFileError(NOT_XLSX, where=name, todo=_RESAVE)
    return "text"  # whether it is text at all is told once decoded (:func:`check_text`)


def check_text(text: str, name: str) -> None:
    """Refuse decoded bytes that are not text: any byte string decodes as Latin-1, but binary content
    gives control characters everywhere (a real file has at most a few stray ones, cleaned later)."""
    head = text[:65_536]
    controls = sum(1 for c in head if (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0 or c == "\ufffd")
    if head and controls / len(head) > MAX_CONTROLS:
        raise DataFileError(NOT_TEXT, where=name, todo=_RESAVE)
