"""The hostile inputs of bench/abuse.py, built on the fly: staff CSV files, XLSX zip bombs (honest and
lying about their sizes), a 7z decompression bomb.  Bombs are written in a stream: the bench itself
never holds the gigabyte it describes."""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from pathlib import Path

HEADER = "identifiant;type;nom;niveau;code;citation;notes\n"
ROWS_10K = 10_000
BOMB_BYTES = 1 << 30  # what the XLSX bomb's sheet inflates to
LIE_BYTES = 10_000  # what the lying bomb declares instead
SHEET = "xl/worksheets/sheet1.xml"
TITLE = "ADMIN-EXPRESS-COG-CARTO_3-2__SHP_WGS84G_FRA_2025-04-02"  # an edition name fetch accepts


def rows(
    ids: list[str],
    *,
    names: list[str] | None = None,
    codes: list[str] | None = None,
    quote: str = "Lancement",
    notes: str = "",
) -> list[list[str]]:
    """Rows of poles (one per id) under :data:`HEADER`: a commune code each, a quote, a note."""
    codes = codes or ["01007"]
    return [
        [i, "ptce_pole", (names[n] if names else f"Pôle abus {n:05}"), "commune", codes[n % len(codes)], quote, notes]
        for n, i in enumerate(ids)
    ]


def csv_bytes(body: list[list[str]]) -> bytes:
    buf = io.StringIO()
    buf.write(HEADER)
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(body)
    return buf.getvalue().encode("utf-8")


def valid_codes(data: Path, n: int = ROWS_10K) -> list[str]:
    """``n`` distinct real commune codes of the store, spread over France."""
    from territoires.geo.reader import load_codes

    codes = sorted(load_codes("communes", base=data))
    step = max(1, len(codes) // n)
    return codes[::step][:n]


def _skeleton() -> bytes:
    """A real one-sheet workbook (openpyxl), whose sheet the bombs replace."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["type", "nom"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _sheet_stream(total: int):
    """A sheet of one header row and one row whose ``nom`` is ``total`` bytes of « x », in blocks."""
    yield (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>type</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>nom</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>ptce_pole</t></is></c><c r="B2" t="inlineStr"><is><t>'
    )
    block = b"x" * (1 << 20)
    for _ in range(total // len(block)):
        yield block
    yield b"</t></is></c></row></sheetData></worksheet>"


def _patch_declared_size(data: bytearray, name: str, size: int) -> None:
    """Write ``size`` as the uncompressed size of member ``name``, in its local and central headers."""
    raw = name.encode()
    eocd = data.rfind(b"PK\x05\x06")
    central = struct.unpack_from("<I", data, eocd + 16)[0]  # the central directory's offset
    while central != -1:
        n = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + n] == raw:
            struct.pack_into("<I", data, central + 24, size)
            local = struct.unpack_from("<I", data, central + 42)[0]
            struct.pack_into("<I", data, local + 22, size)
            return
        central = data.find(b"PK\x01\x02", central + 4)
    raise ValueError(name)


def zip_bomb(folder: Path, *, lie: bool = False) -> Path:
    """An XLSX of about 1 MB whose sheet inflates to 1 GB (deflate, level 9), built once.

    With ``lie``, the same bytes declaring a 10 kB sheet (central and local headers patched):
    a reader that trusted the declaration alone would still be safe only if it stops there.
    """
    honest = folder / "bombe.xlsx"
    if not honest.exists():
        with (
            zipfile.ZipFile(io.BytesIO(_skeleton())) as src,
            zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z,
        ):
            for info in src.infolist():
                if info.filename == SHEET:
                    with z.open(SHEET, "w") as w:  # streamed: 1 GB never in memory (below 2 GiB: no zip64)
                        for chunk in _sheet_stream(BOMB_BYTES):
                            w.write(chunk)
                else:
                    z.writestr(info.filename, src.read(info))
    if not lie:
        return honest
    lying = folder / "bombe-menteuse.xlsx"
    data = bytearray(honest.read_bytes())
    _patch_declared_size(data, SHEET, LIE_BYTES)
    lying.write_bytes(bytes(data))
    return lying


def sevenzip_bomb(folder: Path, mb: int = 200) -> Path:
    """A 7z of a few tens of kB holding ``mb`` MB of zeros, under an edition's folder name."""
    import py7zr

    path = folder / "bombe.7z"
    if not path.exists():
        with py7zr.SevenZipFile(path, "w") as z:
            z.writestr(bytes(mb << 20), f"{TITLE}/zeros.bin")
    return path
