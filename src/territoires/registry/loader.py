"""The one parsing path of the registry: tables of text (from the files or the database) to typed, checked tables.

The files and the database hold the same text; :func:`parse_tables` turns it into a
:class:`Registry`, each table checked against its schema, and :func:`actors_text` turns
parsed actors back into that text.  Where the tables are read from is
:mod:`territoires.registry.storage`'s business.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from territoires.errors import DataFileError, sample
from territoires.registry import schema as sch
from territoires.registry.files import ACTORS_FILE, ALIASES_FILE, MERGERS_FILE, PERIMETERS_FILE, TABLES, registry_dir

if TYPE_CHECKING:
    import pandera.pandas as pa

TRUE = {"true", "vrai", "oui", "1", "yes"}
FALSE = {"false", "faux", "non", "0", "no", ""}


@dataclass
class Registry:
    """The registry in memory: actors, 2012 perimeters, commune name aliases and mergers."""

    actors: pd.DataFrame
    perimeters: pd.DataFrame
    aliases: pd.DataFrame
    mergers: pd.DataFrame
    directory: Path


def read_csv_strict(path: Path) -> pd.DataFrame:
    """Read a UTF-8 CSV with every column as text; a clear error if it cannot be read."""
    todo = "corriger le fichier (UTF-8, séparateur virgule) ou le restaurer : « git checkout -- data/registry »."
    if not path.exists():
        raise DataFileError("Fichier du registre manquant.", where=path, todo=todo)
    if path.stat().st_size == 0:
        raise DataFileError("Fichier du registre vide (0 octet).", where=path, todo=todo)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"Fichier qui n'est pas en UTF-8 ({exc}).", where=path, todo=todo) from exc
    except (pd.errors.ParserError, csv.Error) as exc:
        raise DataFileError(f"CSV mal formé ({exc}).", where=path, todo=todo) from exc


def _bools(df: pd.DataFrame, col: str, path: Path) -> pd.Series:
    raw = df[col].fillna("").str.strip().str.lower()
    bad = raw[~raw.isin(TRUE | FALSE)]
    if len(bad):
        raise DataFileError(
            f"Valeurs non booléennes dans la colonne '{col}' (attendu true/false) : {sample(bad)}",
            where=path,
            todo="écrire true ou false.",
        )
    return raw.map(lambda v: True if v in TRUE else (False if v else pd.NA))


def _numbers(df: pd.DataFrame, col: str, path: Path) -> pd.Series:
    raw = df[col].str.replace("\u202f", "", regex=False).str.replace(" ", "", regex=False)
    num = pd.to_numeric(raw, errors="coerce")
    bad = df.loc[raw.notna() & num.isna(), col]
    if len(bad):
        raise DataFileError(
            f"Valeurs non numériques dans la colonne '{col}' : {sample(bad)}",
            where=path,
            todo="écrire un nombre (point décimal), ou laisser la case vide.",
        )
    return num.astype(float)


def _validate(df: pd.DataFrame, schema: pa.DataFrameSchema, path: Path) -> pd.DataFrame:
    from pandera.errors import SchemaErrors  # pandera is imported when first needed (see schema._schemas)

    try:
        return schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        fc = exc.failure_cases
        lines = []
        for (column, check), grp in fc.groupby(["column", "check"], dropna=False, sort=False):
            rows = [int(i) + 2 for i in grp["index"].dropna()][:5]  # +2: header, 1-based
            where_rows = f" (lignes {', '.join(map(str, rows))})" if rows else ""
            lines.append(f"colonne '{column}', règle {check} : {sample(grp['failure_case'])}{where_rows}")
        raise DataFileError(
            "Le fichier ne respecte pas le schéma du registre :\n- " + "\n- ".join(lines[:12]),
            where=path,
            todo="corriger ces valeurs, puis relancer « territoires data check ».",
        ) from exc


def parse_actors(df: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    """Actors from a table of text (a CSV, a database table): typed and checked against the schema."""
    missing = [c for c in sch.COLUMNS if c not in df.columns]
    if missing:
        raise DataFileError(
            f"Colonnes manquantes : {sample(missing)}",
            where=path,
            todo=f"reprendre l'en-tête de data/registry/{ACTORS_FILE}.",
        )
    df = df.copy()
    for col in sch.BOOL_COLUMNS:
        parsed = _bools(df, col, path)
        # An empty new_member means false; the other flags may be unknown.
        df[col] = parsed.fillna(False).astype(bool) if col == "new_member" else parsed.astype("boolean")
    for col in sch.NUMBER_COLUMNS:
        df[col] = _numbers(df, col, path)
    for col in sch.TEXT_COLUMNS:
        if col in df:
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    df = _validate(df, sch.ACTORS, path)
    _check_no_personal_contact(df, path)
    return df


def _check_no_personal_contact(df: pd.DataFrame, path: Path) -> None:
    for col in sch.TEXT_COLUMNS:
        if col == "website":
            continue
        vals = df[col].dropna().astype(str)
        hits = vals[vals.str.contains(sch.EMAIL) | vals.str.contains(sch.PHONE)]
        if len(hits):
            raise DataFileError(
                f"Adresse électronique ou numéro de téléphone dans la colonne '{col}' "
                f"(lignes {', '.join(str(i + 2) for i in hits.index[:5])}) : le registre publié "
                "n'en contient pas.",
                where=path,
                todo="retirer ces coordonnées personnelles.",
            )


def parse_tables(tables: dict[str, pd.DataFrame], where: Path | str) -> Registry:
    """A :class:`Registry` from its four tables of text, each checked against its schema."""
    at = (lambda name: Path(where) / name) if isinstance(where, Path) else (lambda name: f"{where} : {name}")
    actors = parse_actors(tables[ACTORS_FILE], at(ACTORS_FILE))
    per = _validate(tables[PERIMETERS_FILE], sch.PERIMETERS, at(PERIMETERS_FILE))
    aliases = tables[ALIASES_FILE]
    aliases = aliases.astype(object).where(aliases.notna(), None)
    aliases = _validate(aliases, sch.ALIASES, at(ALIASES_FILE))
    mergers = _validate(tables[MERGERS_FILE], sch.MERGERS, at(MERGERS_FILE))
    return Registry(
        actors=actors,
        perimeters=per,
        aliases=aliases,
        mergers=mergers,
        directory=where if isinstance(where, Path) else Path("."),
    )


def read_tables(base: Path | None = None) -> dict[str, pd.DataFrame]:
    """The four registry files as tables of text."""
    d = registry_dir(base)
    return {name: read_csv_strict(d / name) for name in TABLES}


def load_registry_files(base: Path | None = None) -> Registry:
    """The registry from its files (the shipped, reviewable default)."""
    d = registry_dir(base)
    return parse_tables(read_tables(base), d)


def is_code_for_level(level: str, code: str | None) -> bool:
    """Whether ``code`` has the form the ``level`` needs."""
    pattern = sch.CODE_PATTERN_BY_LEVEL.get(level)
    if pattern is None:
        return code in (None, "")
    return code is not None and re.fullmatch(pattern, code) is not None


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _bool_text(value: object) -> str:
    return "" if pd.isna(value) else ("true" if bool(value) else "false")


def _number_text(value: object) -> str:
    if pd.isna(value):
        return ""
    return f"{value:g}" if float(value) != int(value) else str(int(value))


def actors_text(actors: pd.DataFrame) -> pd.DataFrame:
    """Parsed actors back to their text form (what the CSV and the database hold): :func:`parse_actors` undone."""
    out = pd.DataFrame(index=actors.index)
    for col in sch.COLUMNS:
        if col in sch.BOOL_COLUMNS:
            out[col] = actors[col].map(_bool_text)
        elif col in sch.NUMBER_COLUMNS:
            out[col] = actors[col].map(_number_text)
        else:
            out[col] = actors[col].map(_text)
    return out.reset_index(drop=True)
