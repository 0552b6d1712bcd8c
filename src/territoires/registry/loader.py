"""The one parsing path of the registry: tables of text (from the files or the database) to typed, checked tables.

The files and the database hold the same text; :func:`parse_tables` turns it into a
:class:`Registry`, each table checked against its schema, and :func:`actors_text` turns
parsed actors back into that text.  Where the tables are read from is
:mod:`territoires.registry.storage`'s business.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from territoires import safe
from territoires.errors import DataFileError, sample
from territoires.registry import relations as rel
from territoires.registry import schema as sch
from territoires.registry.figures import FigureError, parse
from territoires.registry.files import (
    ACTORS_FILE,
    ALIASES_FILE,
    EPT_FILE,
    MERGERS_FILE,
    PERIMETERS_FILE,
    RELATIONS_FILE,
    TABLES,
    registry_dir,
)
from territoires.registry.legacy import LEGACY_COLUMNS

if TYPE_CHECKING:
    import pandera.pandas as pa

TRUE = {"true", "vrai", "oui", "1", "yes"}
FALSE = {"false", "faux", "non", "0", "no", ""}


@dataclass
class Registry:
    """The registry in memory: actors, 2012 perimeters, commune name aliases, mergers and relations."""

    actors: pd.DataFrame
    perimeters: pd.DataFrame
    aliases: pd.DataFrame
    mergers: pd.DataFrame
    directory: Path
    relations: pd.DataFrame = field(default_factory=rel.empty)  # who works with whom (registry.relations)


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


@dataclass(frozen=True)
class Problem:
    """One cell (or, without ``index``, the whole table) that breaks a rule of the schema."""

    index: object  # the row's label in the table, or None
    column: str
    rule: str
    value: object


def _bools(df: pd.DataFrame, col: str, problems: list[Problem]) -> pd.Series:
    raw = df[col].fillna("").astype(str).str.strip().str.lower()
    for i in raw.index[~raw.isin(TRUE | FALSE)]:
        problems.append(Problem(i, col, "valeurs booléennes (true ou false)", df.at[i, col]))
    return raw.map(lambda v: True if v in TRUE else (False if v in FALSE and v else pd.NA))


def _numbers(df: pd.DataFrame, col: str, problems: list[Problem]) -> pd.Series:
    raw = df[col].astype(object).where(df[col].notna(), None)
    raw = raw.map(lambda v: v.replace("\u202f", "").replace(" ", "") if isinstance(v, str) else v)
    num = pd.to_numeric(raw, errors="coerce")
    for i in df.index[raw.notna() & num.isna()]:
        problems.append(Problem(i, col, "valeurs numériques (point décimal)", df.at[i, col]))
    return num.astype(float)


def _schema_problems(df: pd.DataFrame, schema: pa.DataFrameSchema) -> tuple[pd.DataFrame, list[Problem]]:
    """The table checked by pandera (lazily: every failure, not the first)."""
    from pandera.errors import SchemaErrors  # pandera is imported when first needed (see schema._schemas)

    try:
        return schema.validate(df, lazy=True), []
    except SchemaErrors as exc:
        fc = exc.failure_cases
        return df, [
            Problem(None if pd.isna(r["index"]) else r["index"], str(r["column"]), str(r["check"]), r["failure_case"])
            for r in fc.to_dict("records")
        ]


def _raise(problems: list[Problem], path: Path | str, todo: str) -> None:
    """A schema error naming each broken rule, a few bad values and their lines (header = line 1)."""
    lines = []
    for (column, rule), grp in pd.DataFrame(problems).groupby(["column", "rule"], dropna=False, sort=False):
        rows = [int(i) + 2 for i in grp["index"].dropna()][:5]
        where_rows = f" (lignes {', '.join(map(str, rows))})" if rows else ""
        lines.append(f"colonne '{column}', règle {rule} : {sample(grp['value'])}{where_rows}")
    raise DataFileError(
        "Le fichier ne respecte pas le schéma du registre :\n- " + "\n- ".join(lines[:12]), where=path, todo=todo
    )


def _validate(df: pd.DataFrame, schema: pa.DataFrameSchema, path: Path) -> pd.DataFrame:
    checked, problems = _schema_problems(df, schema)
    if problems:
        _raise(problems, path, "corriger ces valeurs, puis relancer « territoires data check ».")
    return checked


def check_actors(df: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Actors from a table of text, typed, and every cell that breaks a rule (none: the table is valid).

    One pass over the whole table, so an import of 10,000 rows costs one check, not 10,000.
    """
    problems: list[Problem] = []
    df = df.copy()
    for col in sch.BOOL_COLUMNS:
        parsed = _bools(df, col, problems)
        # An empty new_member means false; the other flags may be unknown.
        df[col] = parsed.fillna(False).astype(bool) if col == "new_member" else parsed.astype("boolean")
    for col in sch.NUMBER_COLUMNS:
        df[col] = _numbers(df, col, problems)
    for col in sch.TEXT_COLUMNS:
        if col in df:
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    checked, found = _schema_problems(df, sch.ACTORS)
    problems += found + _figure_problems(df)
    for col in sch.TEXT_COLUMNS:  # no personal e-mail address or phone number is published
        if col == "website":
            continue
        vals = df[col].dropna().astype(str)
        for i, v in vals[vals.str.contains(sch.EMAIL) | vals.str.contains(sch.PHONE)].items():
            problems.append(Problem(i, col, "sans adresse électronique ni numéro de téléphone", v[:80]))
    return checked, problems


def _figure_problems(df: pd.DataFrame) -> list[Problem]:
    """Each ``figures`` cell through the one parser (:func:`territoires.registry.figures.parse`):
    the record's id and the French reason of the first bad figure."""
    problems = []
    for i, cell in df["figures"].dropna().items():
        try:
            parse(cell)
        except FigureError as exc:
            problems.append(Problem(i, "figures", f"liste de chiffres JSON ({df.at[i, 'id']} : {exc})", cell))
    return problems


def parse_actors(df: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    """Actors from a table of text (a CSV, a database table): typed and checked against the schema."""
    legacy = [c for c in LEGACY_COLUMNS if c in df.columns]
    if legacy:  # a registry from before the labelled figures (issue 15): say what replaced them
        raise DataFileError(
            f"Colonnes anciennes {', '.join(legacy)} : le registre les remplace par la colonne « figures » "
            "(chiffres étiquetés : ce qui est compté, l'unité, exact ou approché).",
            where=path,
            todo=f"reprendre data/registry/{ACTORS_FILE} du dépôt, puis importer ce fichier "
            "(« territoires data import ») : l'import convertit ces colonnes en chiffres.",
        )
    missing = [c for c in sch.COLUMNS if c not in df.columns]
    if missing:
        raise DataFileError(
            f"Colonnes manquantes : {sample(missing)}",
            where=path,
            todo=f"reprendre l'en-tête de data/registry/{ACTORS_FILE}.",
        )
    checked, problems = check_actors(df)
    if problems:
        _raise(problems, path, "corriger ces valeurs (ou retirer ces coordonnées personnelles), puis réessayer.")
    return checked


def check_relations(df: pd.DataFrame, actors: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Relations from a table of text, typed, and every cell that breaks a rule: the schema, the
    amounts, and ends that name no record of ``actors`` (with the nearest candidates)."""
    if df.empty:  # a registry without relations (pandera would find the empty columns' dtype wrong)
        return rel.empty(), []
    df = df.reindex(columns=rel.COLUMNS).copy()
    for col in rel.TEXT_COLUMNS:
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    df["amount"], bad = rel.parse_amounts(df)
    problems = [Problem(i, "amount", "valeurs numériques (montant)", v) for i, v in bad]
    checked, found = _schema_problems(df, sch.RELATIONS)
    problems += found
    filled = df.assign(**{c: df[c].fillna("") for c in ("unit", "amount_kind")})
    problems += [Problem(i, col, why, df.at[i, col]) for i, col, why in rel.amount_problems(filled)]
    problems += [Problem(i, col, why, df.at[i, col]) for i, col, why in rel.end_problems(df, actors)]
    return checked, problems


def parse_relations(df: pd.DataFrame, actors: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    """Relations from a table of text, checked against their schema and the actors (both ends must exist)."""
    missing = [c for c in rel.COLUMNS if c not in df.columns]
    if missing:
        raise DataFileError(
            f"Colonnes manquantes : {sample(missing)}",
            where=path,
            todo=f"reprendre l'en-tête de data/registry/{RELATIONS_FILE}.",
        )
    checked, problems = check_relations(df, actors)
    if problems:
        _raise(problems, path, f"corriger ces valeurs (une extrémité : l'id d'un enregistrement de {ACTORS_FILE}).")
    return checked.reset_index(drop=True)


def parse_tables(tables: dict[str, pd.DataFrame], where: Path | str) -> Registry:
    """A :class:`Registry` from its tables of text, each checked against its schema."""
    at = (lambda name: Path(where) / name) if isinstance(where, Path) else (lambda name: f"{where} : {name}")
    actors = parse_actors(tables[ACTORS_FILE], at(ACTORS_FILE))
    per = _validate(tables[PERIMETERS_FILE], sch.PERIMETERS, at(PERIMETERS_FILE))
    aliases = tables[ALIASES_FILE]
    aliases = aliases.astype(object).where(aliases.notna(), None)
    aliases = _validate(aliases, sch.ALIASES, at(ALIASES_FILE))
    mergers = _validate(tables[MERGERS_FILE], sch.MERGERS, at(MERGERS_FILE))
    relations = parse_relations(tables[RELATIONS_FILE], actors, at(RELATIONS_FILE))
    return Registry(
        actors=actors,
        perimeters=per,
        aliases=aliases,
        mergers=mergers,
        directory=where if isinstance(where, Path) else Path("."),
        relations=relations,
    )


def read_tables(base: Path | None = None) -> dict[str, pd.DataFrame]:
    """The registry files as tables of text (the actors' and relations' cells as written: see ``safe.stored_cell``)."""
    d = registry_dir(base)
    tables = {name: read_csv_strict(d / name) for name in TABLES}
    for name, columns in ((ACTORS_FILE, sch.TEXT_COLUMNS), (RELATIONS_FILE, rel.TEXT_COLUMNS)):
        table = tables[name]
        for col in columns:
            if col in table:
                table[col] = table[col].map(lambda v: safe.stored_text(v) if isinstance(v, str) else v)
    return tables


def load_ept(base: Path | None = None) -> pd.DataFrame:
    """The établissements publics territoriaux (``siren``, ``nom``, ``communes``), as text, checked."""
    path = registry_dir(base) / EPT_FILE
    return _validate(read_csv_strict(path), sch.EPT, path)


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
