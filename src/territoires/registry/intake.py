"""A staff file at the door: read as a table of text, within bounds, its cells cleaned.

- encodings (UTF-8 with or without BOM, UTF-16 with BOM, cp1252/Latin-1): a byte order mark decides,
  else charset-normalizer among these only; separators (``,`` ``;`` tab) by :class:`csv.Sniffer`;
- XLSX read by openpyxl in streaming mode, after checking the zip's declared sizes (a 3 MB zip
  bomb must not become 1 GB in the server), row by row up to :data:`MAX_ROWS`;
- headers may be the registry's own (``kind``, ``name``…) or French (« type », « nom »…);
- every cell stripped, control characters (C0 but tab and newline, C1, bidi overrides) removed
  and reported, and no cell longer than :data:`MAX_FIELD` characters.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
import pandas as pd

from territoires import safe
from territoires.errors import DataFileError
from territoires.io.reading import reading
from territoires.registry import filetype
from territoires.registry.legacy import LEGACY_COLUMNS
from territoires.registry.resolve import normalize
from territoires.registry.schema import COLUMNS

# Bounds of one import: a staff file is a spreadsheet of new members or poles, not a database dump.
MAX_BYTES = 5 * 1024 * 1024  # the upload cap of the dashboard (.streamlit/config.toml), for the CLI too
MAX_ROWS = 10_000
MAX_COLUMNS = 60
MAX_FIELD = 4_000  # characters in one cell (the schema is stricter for names, sources and quotes)
MAX_XLSX_UNCOMPRESSED = 20 * 1024 * 1024  # the zip's members, as declared (zipfile enforces the declaration)
SHOWN = 80  # characters of a refused value echoed in a message

# French (and other) headers staff may use → registry columns.
HEADER_ALIASES = {
    "identifiant": "id",
    "id": "id",
    "type": "kind",
    "kind": "kind",
    "nature": "kind",
    "nom": "name",
    "name": "name",
    "nom imprime": "name",
    "nom officiel": "official_name",
    "official name": "official_name",
    "niveau": "level",
    "level": "level",
    "code": "code",
    "code insee": "code",
    "siren": "code",
    "commune": "commune_name",
    "nom de la commune": "commune_name",
    "departement": "dep",
    "dep": "dep",
    "precision": "precision",
    "nouvel adherent": "new_member",
    "adhesion": "joined",
    "date d adhesion": "joined",
    "creation": "founded",
    "lancement": "launched",
    "chiffres": "figures",
    "statut": "status",
    "lieux": "places",
    "autres territoires": "places",
    # Former number columns: still read, as labelled figures (territoires.registry.legacy).
    "emplois": "jobs",
    "capital": "capital_eur",
    "membres": "members",
    "surface": "surface_m2",
    "site": "website",
    "site web": "website",
    "source": "source_section",
    "rubrique": "source_section",
    "citation": "source_quote",
    "notes": "notes",
    "remarques": "notes",
    "role": "role",
    "represente": "represents",
    "pole temoin": "test_pole",
}

# The headers of a file of relations (who works with whom: territoires.registry.relations) → its columns.
# A file with a « de »/« from_id » and a « vers »/« to_id » column is a file of relations.
RELATION_HEADER_ALIASES = {
    "identifiant": "id",
    "id": "id",
    "de": "from_id",
    "from": "from_id",
    "from id": "from_id",
    "depuis": "from_id",
    "vers": "to_id",
    "a": "to_id",
    "to": "to_id",
    "to id": "to_id",
    "type": "type",
    "relation": "type",
    "type de relation": "type",
    "montant": "amount",
    "amount": "amount",
    "unite": "unit",
    "unit": "unit",
    "precision du montant": "amount_kind",
    "amount kind": "amount_kind",
    "libelle du montant": "amount_label",
    "amount label": "amount_label",
    "annee": "year",
    "year": "year",
    "statut": "status",
    "status": "status",
    "source": "source_section",
    "rubrique": "source_section",
    "source section": "source_section",
    "citation": "source_quote",
    "source quote": "source_quote",
    "notes": "notes",
    "remarques": "notes",
}
RELATION_MARKERS = ({"from id", "de", "from", "depuis"}, {"to id", "vers", "to"})
# The headers the messages list, in French, separated by « , » (the aliases above read each one, accents or not).
ACCEPTED = (
    "type et nom (obligatoires) ; niveau, code, commune, département, identifiant, nom officiel, précision, "
    "nouvel adhérent, adhésion, création, lancement, chiffres, statut, autres territoires, site web, rubrique, "
    "citation, remarques, rôle, représente, pôle témoin"
)
RELATION_ACCEPTED = (
    "de, vers et type (obligatoires) ; identifiant, montant, unité, précision du montant, libellé du montant, "
    "année, statut, rubrique, citation, remarques"
)

# What a spreadsheet or a text editor saves a CSV in, in France (charset-normalizer's names).
ENCODINGS = ["utf_8", "utf_16", "cp1252", "latin_1"]
BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
SEPARATORS = ",;\t"
SNIFF_CHARS = 8192


@dataclass
class StaffTable:
    """The rows of a staff file, as clean text, and what was cleaned on the way."""

    name: str
    rows: list[dict[str, str]]
    cleaned: list[str] = field(default_factory=list)  # « ligne 3, nom : 2 caractère(s) de contrôle retiré(s) »
    what: str = "actors"  # "actors", or "relations" (a file of who works with whom)


class ColumnError(DataFileError):
    """A staff file's headers refused: the message lists the accepted ones (the CLI adds its documentation)."""


def shown(value: str) -> str:
    """A value quoted in a message: cut to :data:`SHOWN` characters (a 1 MB name is not echoed whole)."""
    return value if len(value) <= SHOWN else value[: SHOWN - 1] + "…"


def _decode(raw: bytes, name: str) -> str:
    """The text of a CSV: a byte order mark decides, else charset-normalizer among :data:`ENCODINGS` only
    (left free, it reads a short Latin-1 file as a Baltic or Central European code page)."""
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            with reading(f"Fichier annoncé en {encoding.upper()} mais illisible", name, _RESAVE, (UnicodeError,)):
                return raw.decode(encoding).lstrip("\ufeff")
    best = charset_normalizer.from_bytes(raw, cp_isolation=ENCODINGS).best()
    if best is None:
        raise DataFileError(
            "Encodage du fichier non reconnu (ni UTF-8, ni UTF-16, ni Windows-1252/Latin-1).",
            where=name,
            todo=_RESAVE,
        )
    return str(best).lstrip("\ufeff")


_RESAVE = "l'enregistrer en « CSV UTF-8 » depuis le tableur, ou en XLSX."


def _separator(text: str) -> str:
    """The separator of a CSV, among ``,`` ``;`` and tab, from its first lines (:class:`csv.Sniffer`)."""
    head = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in head:
        head = head.rsplit("\n", 1)[0]  # whole lines only
    try:
        return csv.Sniffer().sniff(head, delimiters=SEPARATORS).delimiter
    except csv.Error:
        # Uneven rows puzzle the sniffer: the header line decides (the most frequent separator in it);
        # with none at all, a single column, and the header check says what is missing.
        header = head.split("\n", 1)[0]
        return max(SEPARATORS, key=header.count) if any(c in header for c in SEPARATORS) else ","


def _too_many_rows(name: str) -> DataFileError:
    return DataFileError(
        f"Fichier trop long : plus de {MAX_ROWS} lignes (limite d'un import).",
        where=name,
        todo=f"le découper en fichiers de {MAX_ROWS} lignes au plus.",
    )


def _too_many_columns(name: str, n: int) -> DataFileError:
    return DataFileError(
        f"Trop de colonnes : {n} (limite {MAX_COLUMNS}).", where=name, todo="ne garder que les colonnes utiles."
    )


def _xlsx(raw: bytes, name: str) -> pd.DataFrame:
    """The first sheet of an XLSX, within bounds: declared sizes first, then row by row."""
    import openpyxl

    todo = "l'enregistrer de nouveau depuis le tableur, ou en CSV."
    with reading("Classeur XLSX illisible", name, todo):
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            declared = sum(i.file_size for i in z.infolist())
        if declared > MAX_XLSX_UNCOMPRESSED:
            raise DataFileError(
                f"Classeur XLSX refusé : {declared / 2**20:.0f} Mo une fois décompressé "
                f"(limite {MAX_XLSX_UNCOMPRESSED / 2**20:.0f} Mo).",
                where=name,
                todo=f"n'y garder que la feuille des enregistrements ({MAX_ROWS} lignes au plus), ou exporter en CSV.",
            )
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            rows = []
            for n, row in enumerate(book.worksheets[0].iter_rows(values_only=True)):
                if n > MAX_ROWS:
                    raise _too_many_rows(name)
                if len(row) > MAX_COLUMNS:  # empty trailing columns are common; filled ones are refused
                    if any(v is not None for v in row[MAX_COLUMNS:]):
                        raise _too_many_columns(name, len(row))
                    row = row[:MAX_COLUMNS]
                rows.append(["" if v is None else str(v) for v in row])
        finally:
            book.close()
    if not rows:
        raise DataFileError("Classeur vide.", where=name, todo="choisir le bon fichier.")
    header, body = rows[0], rows[1:]
    width = len(header)
    return pd.DataFrame([(r + [""] * width)[:width] for r in body], columns=header, dtype=object)


def read_table(path: Path | str, data: bytes | None = None) -> pd.DataFrame:
    """A staff file as a table of text: CSV (encoding and separator detected) or XLSX, within bounds."""
    name = Path(path).name
    if data is None:
        with reading("Fichier illisible", path, "vérifier le chemin et les droits du fichier.", (OSError,)):
            if Path(path).stat().st_size > MAX_BYTES:
                raise DataFileError(
                    f"Fichier trop gros (plus de {MAX_BYTES // 2**20} Mo).",
                    where=name,
                    todo=f"le découper en fichiers de {MAX_ROWS} lignes au plus.",
                )
            data = Path(path).read_bytes()
    if len(data) > MAX_BYTES:
        raise DataFileError(f"Fichier trop gros (plus de {MAX_BYTES // 2**20} Mo).", where=name, todo="le découper.")
    if not data.strip():
        raise DataFileError("Fichier vide.", where=name, todo="choisir le bon fichier.")
    if filetype.kind(data, name) == "xlsx":  # by content: a workbook named .csv is still one
        df = _xlsx(data, name)
    else:
        text = _decode(data, name)
        filetype.check_text(text, name)
        if not text.strip():
            raise DataFileError("Fichier vide (lignes blanches seulement).", where=name, todo="choisir le bon fichier.")
        df = _csv(text, name)
        if len(df) > MAX_ROWS:
            raise _too_many_rows(name)
    if len(df.columns) > MAX_COLUMNS:
        raise _too_many_columns(name, len(df.columns))
    return df.replace("", None)


def _csv(text: str, name: str) -> pd.DataFrame:
    """A CSV's rows as text, up to one more than :data:`MAX_ROWS` (to tell the user it is too long)."""
    todo = "vérifier le séparateur et les guillemets, ou exporter de nouveau."
    errors = (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error)
    with reading("CSV mal formé", name, todo, errors), warnings.catch_warnings():
        # index_col=False: a row longer than the header must not turn its first cells into an index
        # (every value would shift by a column); pandas warns instead, and the warning refuses the file.
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            return pd.read_csv(
                io.StringIO(text),
                sep=_separator(text),
                dtype=str,
                keep_default_na=False,
                nrows=MAX_ROWS + 1,
                index_col=False,
            )
        except pd.errors.ParserWarning as exc:
            raise DataFileError(
                "CSV mal formé : une ligne a plus de cases que l'en-tête.", where=name, todo=todo
            ) from exc
        except pd.errors.ParserError as exc:
            raise DataFileError(f"CSV mal formé : {_parser_error(str(exc))}.", where=name, todo=todo) from exc


def _parser_error(message: str) -> str:
    """pandas' parser messages, in French (the two a spreadsheet file gives; others quoted as they are)."""
    if m := re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message):
        return f"la ligne {m[2]} a {m[3]} cases, l'en-tête {m[1]}"
    if m := re.search(r"EOF inside string starting at row (\d+)", message):
        return f"guillemet ouvert et jamais fermé (ligne {int(m[1]) + 1})"
    return message.strip()


def _header_key(col: object) -> tuple[str, str]:
    header = safe.clean_text(str(col))[0]
    return header, normalize(header).replace(" _", "_")


def is_relations(df: pd.DataFrame) -> bool:
    """Whether a staff file holds relations: it has a « from » and a « to » column."""
    keys = {_header_key(c)[1] for c in df.columns}
    return all(keys & marker for marker in RELATION_MARKERS)


def _unknown(header: str, name: str, accepted: str, english: str, what: str = "") -> ColumnError:
    """« Colonne inconnue », with the accepted columns in French and what to do."""
    return ColumnError(
        f"Colonne inconnue{what} : « {shown(header)} ».",
        where=name,
        todo=f"renommer ou supprimer cette colonne, puis importer de nouveau le fichier. Colonnes acceptées : "
        f"{accepted} (ou leurs noms dans le registre : {english}).",
    )


def _checked(df: pd.DataFrame, mapped: dict, name: str, required: dict[str, str]) -> pd.DataFrame:
    """``df`` renamed by ``mapped``; a column twice, or a ``required`` one (→ its French name) missing, refused."""
    out = df.rename(columns=mapped)
    out.attrs["headers"] = {c: _header_key(h)[0] for h, c in mapped.items()}  # the file's own words, for messages
    dup = set(out.columns[out.columns.duplicated()])  # by the column's own name too: a workbook may repeat one
    if dup:
        twice = [_header_key(h)[0] for h in df.columns if mapped[h] in dup]
        raise ColumnError(
            f"Colonnes en double : {', '.join(f'« {shown(h)} »' for h in twice)} (une même colonne donnée deux fois).",
            where=name,
            todo="n'en garder qu'une, puis importer de nouveau le fichier.",
        )
    missing = [fr for col, fr in required.items() if col not in out.columns]
    if missing:
        raise ColumnError(
            f"{'Colonnes obligatoires absentes' if len(missing) > 1 else 'Colonne obligatoire absente'} : "
            f"{', '.join(f'« {m} »' for m in missing)}.",
            where=name,
            todo=f"ajouter {' et '.join(missing)} en tête de colonne, puis importer de nouveau le fichier.",
        )
    return out


def _relation_columns(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """A relations file's headers mapped to the columns of relations.csv; an unknown one is refused."""
    mapped = {}
    for col in df.columns:
        header, key = _header_key(col)
        if (target := RELATION_HEADER_ALIASES.get(key)) is None:
            raise _unknown(header, name, RELATION_ACCEPTED, "from_id, to_id, amount…", " dans un fichier de relations")
        mapped[col] = target
    return _checked(df, mapped, name, {"type": "type"})


def columns(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """The file's headers mapped to the registry's columns; an unknown or missing one is refused."""
    # A separator at the end of every line (some exports add one) makes an empty, nameless column.
    empty = [c for c in df.columns if str(c).startswith("Unnamed: ") and df[c].isna().all()]
    df = df.drop(columns=empty)
    if is_relations(df):
        return _relation_columns(df, name)
    mapped = {}
    for col in df.columns:
        header, key = _header_key(col)
        known = header in COLUMNS or header in LEGACY_COLUMNS
        target = HEADER_ALIASES.get(key) or (header if known else None)
        if target is None:
            raise _unknown(header, name, ACCEPTED, "kind, name, level, code…")
        mapped[col] = target
    return _checked(df, mapped, name, {"kind": "type", "name": "nom"})


def read_staff_file(path: Path | str, data: bytes | None = None) -> StaffTable:
    """The rows of a staff file as clean, stripped text (an empty cell is ''), control characters removed."""
    name = Path(path).name
    table = columns(read_table(path, data), name)
    out = StaffTable(name=name, rows=[], what="relations" if "from_id" in table.columns else "actors")
    headers = table.attrs.get("headers", {})
    for i, row in enumerate(table.to_dict("records"), start=2):  # row 1 is the header
        cells = {}
        for col, v in row.items():
            text = "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
            text, removed = safe.clean_text(text)
            if removed:
                out.cleaned.append(f"ligne {i}, {headers.get(col, col)} : {removed} caractère(s) de contrôle retiré(s)")
            cells[col] = text.strip()
        out.rows.append(cells)
    return out
