"""Staff imports of relations (who works with whom): the import path of :mod:`territoires.registry.importer`,
for a file whose columns say « de » and « vers » (``from_id``, ``to_id``).

Each end is an id of the registry, or a name (printed or official) that names exactly one record;
an unknown end is refused with the nearest records listed, an ambiguous name with those it names.
The whole file is then checked in one pass by the loader (:func:`~territoires.registry.loader.check_relations`:
vocabulary, amounts, both ends exist), and the plan says what would be added or changed before anything
is written — with the actors, in the same write and the same change log.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd

from territoires.errors import TerritoiresError
from territoires.registry import relations as rel
from territoires.registry.changes import now
from territoires.registry.intake import MAX_FIELD, StaffTable, shown
from territoires.registry.loader import Registry, check_relations
from territoires.registry.plans import ImportReport, Plan, entry
from territoires.registry.resolve import normalize

TYPE_KEYS = {normalize(t): t for t in rel.TYPES} | {"a cree": "crée", "cree": "crée", "partenaire de": "partenaire"}
STATUS_KEYS = {normalize(s): s for s in rel.STATUSES} | {"": "en place", "a l etude": "à l'étude"}
KIND_KEYS = {"exact": "exact", "approx": "approx", "approche": "approx", "environ": "approx", "": ""}


class _Ends:
    """Names and ids of the registry's records, to find the record a relation's end names."""

    def __init__(self, actors: pd.DataFrame):
        self.actors = actors
        self.ids = set(actors["id"])
        by_name: dict[str, set[str]] = defaultdict(set)
        for rid, name, official in zip(actors["id"], actors["name"], actors["official_name"], strict=True):
            for n in (name, official):
                if isinstance(n, str) and n:
                    by_name[normalize(n)].add(rid)
        self.by_name = by_name
        self.names = dict(zip(actors["id"], actors["name"], strict=True))

    def find(self, value: str) -> str:
        """The id a cell names; a French error with the candidates if it names none or several."""
        if value in self.ids:
            return value
        hits = sorted(self.by_name.get(normalize(value), set()))
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            listed = ", ".join(f"{h} ({self.names[h]})" for h in hits[:6])
            raise TerritoiresError(f"« {shown(value)} » désigne plusieurs enregistrements : {listed} ; donner l'id")
        raise TerritoiresError(rel.unknown_end(shown(value), self.actors))


def _word(value: str, keys: dict[str, str], what: str, allowed: list[str]) -> str:
    found = keys.get(normalize(value))
    if found is None:
        raise TerritoiresError(f"{what} inconnu « {shown(value)} » (attendu : {', '.join(allowed)})")
    return found


def _row(rec: dict[str, str], row: int, ends: _Ends, name: str) -> dict[str, str]:
    """One row of the file as a relation in text form (checked with the whole file afterwards)."""
    for col, value in rec.items():
        if len(value) > MAX_FIELD:
            raise TerritoiresError(f"colonne {col} : {len(value)} caractères (limite {MAX_FIELD})")
    new = dict.fromkeys(rel.COLUMNS, "")
    new.update({c: v for c, v in rec.items() if c in rel.COLUMNS})
    for col in ("from_id", "to_id"):
        if not rec.get(col):
            raise TerritoiresError(f"colonne {col} vide : l'id ou le nom d'un enregistrement du registre")
        new[col] = ends.find(rec[col])
    new["type"] = _word(rec.get("type", ""), TYPE_KEYS, "type de relation", list(rel.TYPES))
    new["status"] = _word(rec.get("status", ""), STATUS_KEYS, "statut", list(rel.STATUSES))
    new["amount_kind"] = _word(rec.get("amount_kind", ""), KIND_KEYS, "précision du montant", ["exact", "approx"])
    if new["amount"] and not new["amount_kind"]:
        new["amount_kind"] = "exact"
    if not new["source_section"]:
        new["source_section"] = f"Import du fichier {name}"[:200]
    if not new["source_quote"]:
        new["source_quote"] = f"ligne {row} de {name}"[:400]
    return new


def _key(r: dict[str, str]) -> tuple[str, str, str, str]:
    return (r["from_id"], r["to_id"], r["type"], r.get("year") or "")


def _next_id(taken: set[str]) -> str:
    numbers = [int(m.group(1)) for t in taken if (m := re.fullmatch(r"rel-(\d+)", t))]
    return f"rel-{max(numbers, default=0) + 1:03d}"


def plan_relations(reg: Registry, version: str, table: StaffTable, who: tuple[str, str, str]) -> Plan:
    """What importing a file of relations would change (a :class:`~territoires.registry.importer.Plan`)."""
    report = ImportReport(file=table.name, cleaned=table.cleaned)
    current = {r["id"]: r for r in rel.relations_text(reg.relations).to_dict("records")}
    by_key = {_key(r): rid for rid, r in current.items()}
    ends = _Ends(reg.actors)
    accepted: dict[str, tuple[int, dict[str, str]]] = {}
    taken = set(current)
    for i, rec in enumerate(table.rows, start=2):
        try:
            new = _row(rec, i, ends, table.name)
            rid = new["id"] or by_key.get(_key(new)) or _next_id(taken)
            if rid in accepted:
                raise TerritoiresError(f"relation {rid} déjà donnée ligne {accepted[rid][0]} : une ligne par relation")
            new = {**current.get(rid, {}), **{k: v for k, v in new.items() if v != ""}, "id": rid}
            taken.add(rid)
            accepted[rid] = (i, new)
        except TerritoiresError as exc:
            why = (exc.what or str(exc)).replace("\n", " ; ")
            report.rejected.append({"row": i, "id": shown(rec.get("id", "")), "name": "", "reason": why})
    after = {**current, **{rid: new for rid, (_, new) in accepted.items()}}
    frame = pd.DataFrame(list(after.values()), columns=rel.COLUMNS).replace("", None)
    typed, problems = check_relations(frame, reg.actors)
    order = list(after)
    bad: dict[str, list[str]] = defaultdict(list)
    for p in problems:
        if p.index is not None:
            bad[order[int(p.index)]].append(f"colonne {p.column} : {p.rule} (« {shown(str(p.value))} »)")
    for rid, reasons in bad.items():
        if rid in accepted:
            row, _ = accepted.pop(rid)
            report.rejected.append({"row": row, "id": rid, "name": "", "reason": " ; ".join(dict.fromkeys(reasons))})
    report.rejected.sort(key=lambda r: r["row"])
    keep = [rid for rid in order if rid in current or rid in accepted]
    typed = typed.set_index("id", drop=False).loc[keep].reset_index(drop=True)
    entries, stamp = [], now()
    for rid, (_, new) in sorted(accepted.items(), key=lambda kv: kv[1][0]):
        label = f"{ends.names.get(new['from_id'])} {new['type']} {ends.names.get(new['to_id'])}"
        record = {"id": rid, "kind": "relation", "name": label}
        if rid in current:
            diff = {c: (current[rid].get(c, ""), new[c]) for c in rel.COLUMNS if str(current[rid].get(c, "")) != new[c]}
            if not diff:
                report.unchanged.append(rid)
                continue
            report.changed.append({"id": rid, "name": label, "fields": diff})
            entries.append(entry("changed", record, diff, stamp, who))
        else:
            report.added.append({"id": rid, "name": label, "kind": "relation"})
            entries.append(entry("added", record, new, stamp, who))
    return Plan(report=report, actors=reg.actors, entries=entries, version=version, relations=typed)
