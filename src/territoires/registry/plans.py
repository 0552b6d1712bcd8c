"""What an import would do: its report (row by row) and its plan (the registry after it, the log's entries).

Shared by the imports of records (:mod:`territoires.registry.importer`) and of relations
(:mod:`territoires.registry.relimport`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from territoires.registry.intake import shown
from territoires.registry.schema import KINDS

# The levels as staff say them (the registry's own names are English or abbreviated).
LEVEL_NAMES = {
    "commune": "commune",
    "departement": "département",
    "region": "région",
    "region_2012": "région (2012)",
    "epci": "intercommunalité",
    "point": "point",
    "national": "national",
}


def place(rec: dict) -> str:
    """« — Foissiat (01) — commune 01166 »: where a record was matched (nothing for a relation)."""
    level, code = rec.get("level", ""), rec.get("code", "")
    if not level:
        return ""
    where = f"{LEVEL_NAMES.get(level, level)} {code}".strip()
    return f" — {shown(rec['place'])} — {where}" if rec.get("place") else f" — {where}"


@dataclass
class ImportReport:
    """What an import would do, row by row."""

    file: str
    added: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    cleaned: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was read differently from what the file says
    written: bool = False

    def lines(self, shown_each: int = 50) -> list[str]:
        """The report: counts, then up to ``shown_each`` lines of each kind (4 times as many refusals)."""
        out = [
            f"Fichier : {shown(self.file)}",
            f"{len(self.added)} ajout(s), {len(self.changed)} modification(s), {len(self.unchanged)} inchangé(s), "
            f"{len(self.rejected)} ligne(s) refusée(s).",
            *self.notes,
        ]
        added = [
            f"  + {shown(a['name'])} ({KINDS.get(a['kind'], a['kind'])}){place(a)} [{a['id']}]" for a in self.added
        ]
        changed = [
            f"  ~ {shown(c['name'])}{place(c)} [{c['id']}] : "
            + ", ".join(f"{k} « {shown(str(o))} » → « {shown(str(n))} »" for k, (o, n) in c["fields"].items())
            for c in self.changed
        ]
        rejected = [f"  ✗ ligne {r['row']} : {r['reason']}" for r in self.rejected]
        cleaned = [f"  ! {note}" for note in self.cleaned]
        for lines, limit in (
            (added, shown_each),
            (changed, shown_each),
            (rejected, 4 * shown_each),
            (cleaned, shown_each),
        ):
            out += lines[:limit]
            if len(lines) > limit:
                out.append(f"  … et {len(lines) - limit} autre(s)")
        return out


@dataclass
class Plan:
    report: ImportReport
    actors: pd.DataFrame  # the whole registry after the import (valid rows only), parsed
    entries: list[dict]
    version: str = ""  # the registry's version the plan was made from (a stale plan is refused)
    relations: pd.DataFrame | None = None  # the relations after the import, when the file holds relations


def entry(action: str, record: dict[str, str], changes: dict, stamp: str, who: tuple[str, str, str]) -> dict:
    """One line of the change log: when, what, from where (origin, file) and by whom."""
    origin, file, author = who
    return {
        "at": stamp,
        "action": action,
        "id": record["id"],
        "kind": record["kind"],
        "name": record["name"],
        "changes": json.dumps(changes, ensure_ascii=False),
        "origin": origin,
        "file": file,
        "author": author,
    }
