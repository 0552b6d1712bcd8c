"""Staff imports: new or changed records from a CSV or XLSX file, validated before anything is written.

- encodings (UTF-8, UTF-8 with BOM, Latin-1/cp1252) and separators (``,`` ``;`` tab) are detected;
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

import pandas as pd

from territoires.errors import DataFileError, TerritoiresError
from territoires.geo import store as geo_store
from territoires.registry import loader
from territoires.registry.loader import is_code_for_level
from territoires.registry.resolve import CommuneResolver, ResolutionError, normalize
from territoires.registry.schema import COLUMNS, KINDS
from territoires.registry.store import RegistryStore, actors_text, now

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


def read_table(path: Path, data: bytes | None = None) -> pd.DataFrame:
    """A staff file as a table of text: CSV (encoding and separator detected) or XLSX."""
    raw = data if data is not None else Path(path).read_bytes()
    name = Path(path).name
    if not raw:
        raise DataFileError("Fichier vide.", where=name, todo="choisir le bon fichier.")
    if raw[:2] == b"PK":  # a zip: XLSX
        try:
            df = pd.read_excel(io.BytesIO(raw), dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise DataFileError(
                f"Classeur XLSX illisible ({type(exc).__name__}).",
                where=name,
                todo="l'enregistrer de nouveau depuis le tableur, ou en CSV.",
            ) from exc
        return df.replace("", None)
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        sep = dialect.delimiter
    except csv.Error:
        sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise DataFileError(
            f"CSV mal formé ({exc}).",
            where=name,
            todo="vérifier le séparateur et les guillemets, ou exporter de nouveau.",
        ) from exc
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


def plan(
    store: RegistryStore, path: Path, *, data: bytes | None = None, origin: str = "cli", base: Path | None = None
) -> Plan:
    """What importing ``path`` would change; nothing is written."""
    name = Path(path).name
    table = _columns(read_table(path, data), name)
    reg = store.load()
    current = actors_text(reg.actors).set_index("id", drop=False)
    communes = geo_store.load_attributes("communes", base=base)
    subdivisions = geo_store.load_attributes("subdivisions", base=base)
    resolver = CommuneResolver(communes, subdivisions, reg.aliases, reg.mergers)
    known = {
        "commune": set(communes["code"]),
        "point": set(communes["code"]),
        "epci": set(geo_store.load_attributes("epci", base=base)["code"]) | set(reg.perimeters["siren_2012"]),
        "departement": set(geo_store.load_attributes("departements", base=base)["code"]),
        "region": set(geo_store.load_attributes("regions", base=base)["code"]),
        "region_2012": set(geo_store.load_attributes("regions_2012", base=base)["code"]),
        "national": {"FR"},
    }
    report = ImportReport(file=name)
    result = current.copy()
    entries: list[dict] = []
    stamp = now()
    for i, row in enumerate(table.to_dict("records"), start=2):  # row 1 is the header
        rec = {
            c: ("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip()) for c, v in row.items()
        }
        try:
            kind = rec.get("kind", "")
            if kind not in KINDS:
                raise TerritoiresError(f"type inconnu « {kind} » (attendu : {', '.join(KINDS)})")
            level = LEVEL_ALIASES.get(normalize(rec.get("level", "")), rec.get("level", ""))
            if not level:
                level = "commune" if rec.get("commune_name") else ""
            if not level:
                raise TerritoiresError("niveau absent (colonne niveau : commune, epci, departement, region_2012…)")
            code = rec.get("code", "")
            if level == "commune" and not code:
                if not rec.get("commune_name"):
                    raise TerritoiresError("ni code INSEE ni nom de commune")
                code = resolver.commune(rec["commune_name"], rec.get("dep") or None).code
            if level == "departement" and code.isdigit() and len(code) == 1:
                code = code.zfill(2)  # a spreadsheet dropped the leading zero
            if level == "commune" and code.isdigit() and len(code) == 4:
                code = code.zfill(5)
            if not is_code_for_level(level, code):
                raise TerritoiresError(f"code « {code} » invalide pour le niveau {level}")
            if level in known and code not in known[level]:
                raise TerritoiresError(f"code {code} absent des contours ({level})")
            rid = rec.get("id") or ""
            if not rid:
                # Without an id: a member is its territory (one membership per territory); another
                # record is the same if it has the same kind, name and code.
                same = current[(current["kind"] == kind) & (current["code"] == code)]
                if kind == "rtes_member":
                    same = same[same["level"] == level]
                else:
                    same = same[same["name"].map(normalize) == normalize(rec["name"])]
                rid = same["id"].iat[0] if len(same) else f"{ID_PREFIX[kind]}-{_slug(rec['name'])}"
                while rid in result.index and rid not in current.index:
                    rid += "-2"
            new = dict(current.loc[rid]) if rid in current.index else dict.fromkeys(COLUMNS, "")
            new.update({c: v for c, v in rec.items() if c in COLUMNS and v != ""})
            new.update(id=rid, kind=kind, level=level, code=code)
            new.setdefault("new_member", "false")
            new["new_member"] = new["new_member"] or "false"
            if not new.get("precision"):
                guess = "commune" if level == "commune" else level
                new["precision"] = "territoire" if kind == "rtes_member" else guess
            if not new.get("source_section"):
                new["source_section"] = f"Import du fichier {name}"
            if not new.get("source_quote"):
                new["source_quote"] = f"ligne {i} de {name}"
            checked = loader.parse_actors(pd.DataFrame([new]).replace("", None), f"{name}, ligne {i}")
            new = actors_text(checked).iloc[0].to_dict()
        except (TerritoiresError, ResolutionError) as exc:
            reason = exc.what if isinstance(exc, TerritoiresError) and exc.what else str(exc)
            reason = reason.replace("\n", " ; ")
            report.rejected.append({"row": i, "id": rec.get("id", ""), "name": rec.get("name", ""), "reason": reason})
            continue
        if rid in current.index:
            old = current.loc[rid].to_dict()
            diff = {c: (old.get(c, ""), new[c]) for c in COLUMNS if str(old.get(c, "")) != str(new[c])}
            if not diff:
                report.unchanged.append(rid)
                continue
            report.changed.append({"id": rid, "name": new["name"], "fields": diff})
            entries.append(
                {
                    "at": stamp,
                    "action": "changed",
                    "id": rid,
                    "kind": kind,
                    "name": new["name"],
                    "changes": json.dumps(diff, ensure_ascii=False),
                    "origin": origin,
                    "file": name,
                }
            )
        else:
            report.added.append({"id": rid, "name": new["name"], "kind": kind})
            entries.append(
                {
                    "at": stamp,
                    "action": "added",
                    "id": rid,
                    "kind": kind,
                    "name": new["name"],
                    "changes": json.dumps(new, ensure_ascii=False),
                    "origin": origin,
                    "file": name,
                }
            )
        result.loc[rid] = new
    actors = loader.parse_actors(result.reset_index(drop=True).replace("", None), f"registre après {name}")
    return Plan(report=report, actors=actors, entries=entries)


def apply(store: RegistryStore, p: Plan, *, only_valid: bool = False) -> ImportReport:
    """Write the plan if no row was rejected (or if ``only_valid``); otherwise write nothing."""
    if p.report.rejected and not only_valid:
        return p.report
    if p.entries:
        store.write(p.actors, p.entries)
        p.report.written = True
    return p.report
