"""``territoires data check``: the registry against its schema and the boundary store."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from territoires import safe
from territoires.errors import TerritoiresError
from territoires.geo import reader
from territoires.registry import cells, extent
from territoires.registry.files import (
    ACTORS_FILE,
    ALIASES_FILE,
    EPT_FILE,
    MERGERS_FILE,
    PERIMETERS_FILE,
    RELATIONS_FILE,
)
from territoires.registry.loader import Registry, is_code_for_level, load_ept
from territoires.registry.manifest import changed_files
from territoires.registry.resolve import CommuneResolver, normalize
from territoires.registry.schema import KINDS, LEVELS, PLACE_LEVELS, STORE_LEVELS
from territoires.registry.storage import load_registry


@dataclass
class RegistryReport:
    """Problems (fatal), the join report, and counts."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    matched: int = 0
    unmatched: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    homonyms: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)
    members_by_level: dict[str, int] = field(default_factory=dict)
    total: int = 0
    areas: pd.DataFrame | None = None  # each member's drawn area and its 2012 communes' (registry.extent)
    relations_by_type: dict[str, int] = field(default_factory=dict)  # relations.csv, by type

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unmatched


def known_codes(base: Path | None = None) -> dict[str, set[str]]:
    """Today's codes a record may name, by registry level, from the boundary store (codes only are read).

    A point names its commune; ``national`` is France (``FR``); ``ept`` holds the établissements
    publics territoriaux of the registry's reference table (successors the EPCI layer has not).
    An intercommunality may also be a 2012 one of the perimeters table: see :func:`code_exists`.
    """
    known = {level: reader.load_codes(store_level, base=base) for level, store_level in STORE_LEVELS.items()}
    known["point"] = known["commune"]
    known["national"] = {"FR"}
    known["ept"] = set(load_ept(base)["siren"])
    return known


def code_exists(known: dict[str, set[str]], sirens_2012: set[str], level: str, code: str) -> bool:
    """Whether ``code`` names a territory of ``level``: today's, or a 2012 intercommunality's SIREN."""
    return code in known.get(level, set()) or (level == "epci" and code in sirens_2012)


def place_problems(cell: object, known: dict[str, set[str]], sirens_2012: set[str]) -> list[str]:
    """The ``places`` cell: each ``level:code`` of a known level, its code well formed and existing."""
    problems = []
    for level, code in cells.places(cell):
        if level not in PLACE_LEVELS:
            problems.append(f"places : « {level}:{code} » : niveau inconnu (attendu : {', '.join(PLACE_LEVELS)})")
        elif not is_code_for_level(level, code):
            problems.append(f"places : code {code!r} invalide pour le niveau {level}")
        elif not code_exists(known, sirens_2012, level, code):
            problems.append(f"places : {LEVELS[level].lower()} {code} absent(e) de data/geo")
    return problems


def represents_problems(r: Any, member_ids: set[str], ids: set[str]) -> list[str]:
    """Each id of ``represents`` names a member (a board member may represent several bodies)."""
    problems = []
    for rid in cells.split(r.represents):
        if rid == r.id:
            problems.append(f"represents={rid} (l'enregistrement lui-même)")
        elif rid not in member_ids:
            where = "inconnu" if rid not in ids else "pas une collectivité adhérente"
            problems.append(f"represents={rid} ({where})")
    return problems


def record_problems(
    r: Any, known: dict[str, set[str]], member_ids: set[str], ids: set[str], sirens_2012: set[str] = frozenset()
) -> list[str]:
    """What is wrong with one record beyond the schema: its code's form, a point's place, its extra
    places, its successor, its references.

    The one rule for ``territoires data check`` and the importer (an import accepts nothing that the
    check would then reject).  ``r`` has the record's fields as attributes (a named tuple).
    """
    if not is_code_for_level(r.level, r.code):
        return [f"code {r.code!r} invalide pour le niveau {r.level}"]
    problems = []
    if r.level == "point" and (pd.isna(r.lon) or pd.isna(r.lat) or not r.commune):
        problems.append("un point a besoin de lon, lat et du code de sa commune")
    problems += place_problems(r.places, known, sirens_2012)
    # Today's successor: an EPCI of the boundary store, or an EPT of the Grand Paris (not in that layer).
    if r.successor_code and r.successor_code not in known["epci"] and r.successor_code not in known.get("ept", ()):
        problems.append(f"successeur {r.successor_code} absent des EPCI de data/geo et des EPT du registre")
    return problems + represents_problems(r, member_ids, ids)


def check(reg: Registry, base: Path | None = None) -> RegistryReport:
    """Validate codes, references and perimeters; build the join report."""
    rep = RegistryReport()
    a = reg.actors
    rep.total = len(a)
    rep.by_kind = {k: int(v) for k, v in a["kind"].value_counts().reindex(list(KINDS), fill_value=0).items()}
    members = a[a["kind"] == "rtes_member"]
    rep.members_by_level = {k: int(v) for k, v in members["level"].value_counts().items()}
    rep.relations_by_type = {k: int(v) for k, v in reg.relations["type"].value_counts().items()}

    known = known_codes(base)
    siren_2012 = set(reg.perimeters["siren_2012"])
    ids = set(a["id"])
    member_ids = set(members["id"])

    for r in a.itertuples(index=False):
        label = f"{r.id} ({r.name})"
        found = record_problems(r, known, member_ids, ids, siren_2012)
        rep.problems += [f"{label} : {p}." for p in found]
        if not is_code_for_level(r.level, r.code):
            continue
        if r.level == "none":
            rep.unplaced.append(f"{label} : {r.notes or 'non localisé'}")
            continue
        if r.level == "point" and (pd.isna(r.lon) or pd.isna(r.lat) or not r.commune):
            continue  # reported by record_problems
        code = r.commune if r.level == "point" else r.code
        if code_exists(known, siren_2012, r.level, code):
            rep.matched += 1
        else:
            rep.unmatched.append(f"{label} : {LEVELS[r.level].lower()} {code} absent(e) de data/geo.")

    bad = reg.perimeters[~reg.perimeters["commune"].isin(known["commune"])]
    for row in bad.itertuples(index=False):
        rep.problems.append(
            f"{PERIMETERS_FILE} : commune {row.commune} ({row.nom_commune_2012}, EPCI {row.siren_2012}) "
            "absente de data/geo."
        )
    for row in reg.aliases.itertuples(index=False):
        if row.code not in known["commune"]:
            rep.problems.append(f"{ALIASES_FILE} : {row.name} → {row.code} absent de data/geo.")
    for row in reg.mergers.itertuples(index=False):
        if row.code not in known["commune"]:
            rep.problems.append(f"{MERGERS_FILE} : {row.code_2012} → {row.code} absent de data/geo.")
    for row in load_ept(base).itertuples(index=False):
        missing = [c for c in row.communes.split() if c not in known["commune"]]
        if missing:
            rep.problems.append(
                f"{EPT_FILE} : {row.nom} ({row.siren}) : communes {', '.join(missing)} absentes de data/geo."
            )

    # Join report: names shared by several communes, and printed names that are not official.
    communes = reader.load_attributes("communes", ["code", "nom", "dep"], base=base)
    res = CommuneResolver(communes, reader.load_attributes("subdivisions", base=base), reg.aliases, reg.mergers)
    noms = communes.set_index("code")["nom"]
    noms_2012 = reader.load_attributes("communes_2012", ["code", "nom"], base=base).set_index("code")["nom"]
    for r in a[a["level"] == "commune"].itertuples(index=False):
        homs = res.homonyms(r.name)
        if len(homs) > 1:
            rep.homonyms.append(
                f"{r.name} : {len(homs)} communes de ce nom ; retenue {r.code} ({noms.get(r.code)}, "
                f"dép. {communes.set_index('code').at[r.code, 'dep'] if r.code in noms.index else '?'})"
            )
        if r.kind != "rtes_member" or r.code not in noms.index:
            continue
        # The member is the commune of 2012 (join.Units): its name then, and what it is part of today.
        then = noms_2012.get(r.code, noms[r.code])
        if normalize(then) != normalize(r.name):
            rep.renamed.append(f"{r.name} → {then} ({r.code}), nom officiel en 2012")
        if normalize(then) != normalize(noms[r.code]):
            rep.renamed.append(f"{then} ({r.code}) → aujourd'hui dans {noms[r.code]}")
    return rep


# UTF-8 read as Latin-1 or Windows-1252 (« Ã© » for « é », « â€™ » for « ’ »), and C1 bytes left in.
MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€|Â[\u00a0-\u00bf]")


def text_problems(reg: Registry) -> list[str]:
    """Control characters and garbled encodings in any text cell of the registry's tables."""
    tables = {
        ACTORS_FILE: reg.actors,
        PERIMETERS_FILE: reg.perimeters,
        ALIASES_FILE: reg.aliases,
        MERGERS_FILE: reg.mergers,
        RELATIONS_FILE: reg.relations,
    }
    problems = []
    for file, table in tables.items():
        for col in table.columns:
            if not (pd.api.types.is_object_dtype(table[col]) or pd.api.types.is_string_dtype(table[col])):
                continue
            for i, value in table[col].dropna().astype(str).items():
                what = "caractère de contrôle" if safe.CONTROL.search(value) else None
                what = what or ("encodage abîmé" if MOJIBAKE.search(value) else None)
                if what:
                    shown = safe.CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", value)[:80]
                    problems.append(f"{file}, ligne {int(i) + 2}, colonne {col} : {what} dans « {shown} ».")
    return problems


def _extent_problems(reg: Registry, rep: RegistryReport, base: Path | None) -> list[str]:
    """The 2012 perimeters against the 2012 layer, and each member's drawn area (``rep.areas``)."""
    try:
        units = extent.Units.build(extent.attribute_tables(base)[0], reg.perimeters)
        rep.areas = extent.member_areas(reg, base, units)
    except TerritoiresError as exc:
        return [exc.message]
    return extent.perimeter_problems(reg, units) + extent.area_problems(rep.areas)


def check_registry(base: Path | None = None) -> RegistryReport:
    """Load then check; a loading error becomes the only problem."""
    try:
        reg = load_registry(base)
    except TerritoiresError as exc:
        return RegistryReport(problems=[exc.message])
    try:
        rep = check(reg, base)
    except TerritoiresError as exc:
        return RegistryReport(problems=[exc.message])
    rep.problems += text_problems(reg)
    rep.problems += _extent_problems(reg, rep, base)
    for name in changed_files(base):
        rep.notes.append(
            f"{name} modifié depuis le manifeste : relancer « territoires data manifest » une fois vérifié."
        )
    return rep
