"""Staff imports: new or changed records from a CSV or XLSX file, validated before anything is written.

- encodings (UTF-8 with or without BOM, UTF-16 with BOM, cp1252/Latin-1) are detected by charset-normalizer,
  separators (``,`` ``;`` tab) by :class:`csv.Sniffer`;
- headers may be the registry's own (``kind``, ``name``…) or French (« type », « nom »…);
- every row is checked: schema, codes that exist, and a commune given by name goes through the
  resolver — a name shared by several communes without its département is refused, with the
  candidates listed;
- :func:`plan` reports what would change (added, changed, rejected with the reason per row)
  without writing; :func:`apply` writes only if no row was rejected, unless the user explicitly
  keeps just the valid ones; the store keeps the previous version and the change log says when,
  what and from where.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
import pandas as pd

from territoires.errors import DataFileError, TerritoiresError
from territoires.geo.reader import load_attributes
from territoires.io.reading import reading
from territoires.registry.changes import now
from territoires.registry.check import code_exists, known_codes
from territoires.registry.loader import actors_text, is_code_for_level, parse_actors
from territoires.registry.resolve import CommuneResolver, normalize
from territoires.registry.schema import COLUMNS, KINDS
from territoires.registry.storage import RegistryStore

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
ID_PREFIX = {
    "rtes_member": "m",
    "rtes_board_member": "ca",
    "ptce_pole": "ptce",
    "ptce_project": "ptce",
    "ples": "ples",
    "citeslab": "citeslab",
    "initiative": "init",
    "regional_figure": "rf",
    "event": "ev",
    "network_office": "siege",
}
LEVEL_ALIASES = {
    "region": "region",
    "region 2012": "region_2012",
    "departement": "departement",
    "epci": "epci",
    "intercommunalite": "epci",
    "commune": "commune",
    "ville": "commune",
    "point": "point",
    "national": "national",
    "france": "national",
}


@dataclass
class ImportReport:
    """What an import would do, row by row."""

    file: str
    added: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    written: bool = False

    def lines(self) -> list[str]:
        out = [
            f"Fichier : {self.file}",
            f"{len(self.added)} ajout(s), {len(self.changed)} modification(s), {len(self.unchanged)} inchangé(s), "
            f"{len(self.rejected)} ligne(s) refusée(s).",
        ]
        out += [f"  + {a['id']} : {a['name']} ({KINDS.get(a['kind'], a['kind'])})" for a in self.added]
        out += [
            f"  ~ {c['id']} : {', '.join(f'{k} « {o} » → « {n} »' for k, (o, n) in c['fields'].items())}"
            for c in self.changed
        ]
        out += [f"  ✗ ligne {r['row']} : {r['reason']}" for r in self.rejected]
        return out


# What a spreadsheet or a text editor saves a CSV in, in France (charset-normalizer's names).
ENCODINGS = ["utf_8", "utf_16", "cp1252", "latin_1"]
SEPARATORS = ",;\t"
SNIFF_CHARS = 8192


def _decode(raw: bytes, name: str) -> str:
    """The text of a CSV: UTF-8 (with or without BOM), UTF-16 (with BOM), cp1252 or Latin-1.

    charset-normalizer picks among these only: left free, it reads a short Latin-1 file as
    Baltic or Central European code pages.  A byte order mark is removed.
    """
    best = charset_normalizer.from_bytes(raw, cp_isolation=ENCODINGS).best()
    if best is None:
        raise DataFileError(
            "Encodage du fichier non reconnu (ni UTF-8, ni UTF-16, ni Windows-1252/Latin-1).",
            where=name,
            todo="l'enregistrer en « CSV UTF-8 » depuis le tableur, ou en XLSX.",
        )
    return str(best)


def _separator(text: str) -> str:
    """The separator of a CSV, among ``,`` ``;`` and tab, from its first lines (:class:`csv.Sniffer`)."""
    head = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in head:
        head = head.rsplit("\n", 1)[0]  # whole lines only
    try:
        return csv.Sniffer().sniff(head, delimiters=SEPARATORS).delimiter
    except csv.Error:
        return ","  # a single column: no separator to find, and the header check says what is missing


def read_table(path: Path, data: bytes | None = None) -> pd.DataFrame:
    """A staff file as a table of text: CSV (encoding and separator detected) or XLSX."""
    raw = data if data is not None else Path(path).read_bytes()
    name = Path(path).name
    if not raw:
        raise DataFileError("Fichier vide.", where=name, todo="choisir le bon fichier.")
    if raw[:2] == b"PK":  # a zip: XLSX
        # openpyxl raises many types for a damaged file
        with reading("Classeur XLSX illisible", name, "l'enregistrer de nouveau depuis le tableur, ou en CSV."):
            df = pd.read_excel(io.BytesIO(raw), dtype=str, keep_default_na=False)
        return df.replace("", None)
    text = _decode(raw, name)
    todo = "vérifier le séparateur et les guillemets, ou exporter de nouveau."
    with reading("CSV mal formé", name, todo, (pd.errors.ParserError, csv.Error)):
        df = pd.read_csv(io.StringIO(text), sep=_separator(text), dtype=str, keep_default_na=False)
    return df.replace("", None)


def _columns(df: pd.DataFrame, name: str) -> pd.DataFrame:
    mapped = {}
    for col in df.columns:
        key = normalize(str(col)).replace(" _", "_")
        target = HEADER_ALIASES.get(key) or (col if col in COLUMNS else None)
        if target is None:
            raise DataFileError(
                f"Colonne inconnue : « {col} ».",
                where=name,
                todo="utiliser les colonnes du registre (voir data/registry/README.md) ou leurs noms français : "
                "type, nom, niveau, code, commune, département, citation…",
            )
        mapped[col] = target
    out = df.rename(columns=mapped)
    for required in ("kind", "name"):
        if required not in out.columns:
            raise DataFileError(
                f"Colonne obligatoire absente : « {required} ».",
                where=name,
                todo="ajouter les colonnes type (kind) et nom (name).",
            )
    return out


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", normalize(text).replace(" ", "-")).strip("-")[:40] or "x"


@dataclass
class Plan:
    report: ImportReport
    actors: pd.DataFrame  # the whole registry after the import (valid rows only), parsed
    entries: list[dict]


@dataclass
class _Context:
    """What every row of one import is checked against."""

    name: str
    current: pd.DataFrame  # the registry before the import, as text, indexed by id
    result: pd.DataFrame  # the same with the rows accepted so far
    resolver: CommuneResolver
    known: dict[str, set[str]]
    sirens_2012: set[str]


def _cells(row: dict) -> dict[str, str]:
    """A row of the staff file as stripped text, an empty cell as ''."""
    return {c: ("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip()) for c, v in row.items()}


def _level_and_code(rec: dict[str, str], ctx: _Context) -> tuple[str, str]:
    """The row's level and official code (a commune may be given by name); refused if the code does not exist."""
    level = LEVEL_ALIASES.get(normalize(rec.get("level", "")), rec.get("level", ""))
    if not level:
        level = "commune" if rec.get("commune_name") else ""
    if not level:
        raise TerritoiresError("niveau absent (colonne niveau : commune, epci, departement, region_2012…)")
    code = rec.get("code", "")
    if level == "commune" and not code:
        if not rec.get("commune_name"):
            raise TerritoiresError("ni code INSEE ni nom de commune")
        code = ctx.resolver.commune(rec["commune_name"], rec.get("dep") or None).code
    if level == "departement" and code.isdigit() and len(code) == 1:
        code = code.zfill(2)  # a spreadsheet dropped the leading zero
    if level == "commune" and code.isdigit() and len(code) == 4:
        code = code.zfill(5)
    if not is_code_for_level(level, code):
        raise TerritoiresError(f"code « {code} » invalide pour le niveau {level}")
    if level in ctx.known and not code_exists(ctx.known, ctx.sirens_2012, level, code):
        raise TerritoiresError(f"code {code} absent des contours ({level})")
    return level, code


def _record_id(rec: dict[str, str], kind: str, level: str, code: str, ctx: _Context) -> str:
    """The row's id: given, or the existing record it updates, or a new one made from its name."""
    if rec.get("id"):
        return rec["id"]
    # Without an id: a member is its territory (one membership per territory); another
    # record is the same if it has the same kind, name and code.
    current = ctx.current
    same = current[(current["kind"] == kind) & (current["code"] == code)]
    if kind == "rtes_member":
        same = same[same["level"] == level]
    else:
        same = same[same["name"].map(normalize) == normalize(rec["name"])]
    rid = same["id"].iat[0] if len(same) else f"{ID_PREFIX[kind]}-{_slug(rec['name'])}"
    while rid in ctx.result.index and rid not in current.index:
        rid += "-2"
    return rid


def _record(rec: dict[str, str], row: int, ctx: _Context) -> dict[str, str]:
    """The row as a registry record in text form, checked; a :class:`TerritoiresError` says why it is refused."""
    kind = rec.get("kind", "")
    if kind not in KINDS:
        raise TerritoiresError(f"type inconnu « {kind} » (attendu : {', '.join(KINDS)})")
    level, code = _level_and_code(rec, ctx)
    rid = _record_id(rec, kind, level, code, ctx)
    new = dict(ctx.current.loc[rid]) if rid in ctx.current.index else dict.fromkeys(COLUMNS, "")
    new.update({c: v for c, v in rec.items() if c in COLUMNS and v != ""})
    new.update(id=rid, kind=kind, level=level, code=code)
    new["new_member"] = new.get("new_member") or "false"
    if not new.get("precision"):
        guess = "commune" if level == "commune" else level
        new["precision"] = "territoire" if kind == "rtes_member" else guess
    if not new.get("source_section"):
        new["source_section"] = f"Import du fichier {ctx.name}"
    if not new.get("source_quote"):
        new["source_quote"] = f"ligne {row} de {ctx.name}"
    checked = parse_actors(pd.DataFrame([new]).replace("", None), f"{ctx.name}, ligne {row}")
    return actors_text(checked).iloc[0].to_dict()


def _entry(action: str, record: dict[str, str], changes: dict, stamp: str, origin: str, file: str) -> dict[str, str]:
    """One line of the change log: when, what, from where."""
    return {
        "at": stamp,
        "action": action,
        "id": record["id"],
        "kind": record["kind"],
        "name": record["name"],
        "changes": json.dumps(changes, ensure_ascii=False),
        "origin": origin,
        "file": file,
    }


def plan(
    store: RegistryStore, path: Path, *, data: bytes | None = None, origin: str = "cli", base: Path | None = None
) -> Plan:
    """What importing ``path`` would change; nothing is written."""
    name = Path(path).name
    table = _columns(read_table(path, data), name)
    reg = store.load()
    current = actors_text(reg.actors).set_index("id", drop=False)
    communes = load_attributes("communes", ["code", "nom", "dep"], base=base)
    resolver = CommuneResolver(communes, load_attributes("subdivisions", base=base), reg.aliases, reg.mergers)
    ctx = _Context(name, current, current.copy(), resolver, known_codes(base), set(reg.perimeters["siren_2012"]))
    report = ImportReport(file=name)
    entries: list[dict] = []
    stamp = now()
    for i, row in enumerate(table.to_dict("records"), start=2):  # row 1 is the header
        rec = _cells(row)
        try:
            new = _record(rec, i, ctx)
        except TerritoiresError as exc:  # a ResolutionError too: an ambiguous or unknown commune
            reason = (exc.what or str(exc)).replace("\n", " ; ")
            report.rejected.append({"row": i, "id": rec.get("id", ""), "name": rec.get("name", ""), "reason": reason})
            continue
        rid = new["id"]
        if rid in current.index:
            old = current.loc[rid].to_dict()
            diff = {c: (old.get(c, ""), new[c]) for c in COLUMNS if str(old.get(c, "")) != str(new[c])}
            if not diff:
                report.unchanged.append(rid)
                continue
            report.changed.append({"id": rid, "name": new["name"], "fields": diff})
            entries.append(_entry("changed", new, diff, stamp, origin, name))
        else:
            report.added.append({"id": rid, "name": new["name"], "kind": new["kind"]})
            entries.append(_entry("added", new, new, stamp, origin, name))
        ctx.result.loc[rid] = new
    actors = parse_actors(ctx.result.reset_index(drop=True).replace("", None), f"registre après {name}")
    return Plan(report=report, actors=actors, entries=entries)


def apply(store: RegistryStore, p: Plan, *, only_valid: bool = False) -> ImportReport:
    """Write the plan if no row was rejected (or if ``only_valid``); otherwise write nothing."""
    if p.report.rejected and not only_valid:
        return p.report
    if p.entries:
        store.write(p.actors, p.entries)
        p.report.written = True
    return p.report
