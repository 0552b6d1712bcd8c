"""Staff imports: new or changed records from a CSV or XLSX file, validated before anything is written.

- the file is read at the door by :mod:`territoires.registry.intake` (encodings, separators, XLSX
  within bounds, headers, control characters removed, row and cell limits);
- every row is checked: schema (in one pass over the whole file), codes that exist, a commune given
  by name through the resolver (a name shared by several communes without its département is
  refused, with the candidates listed), references exactly as ``territoires data check`` checks
  them (:func:`territoires.registry.check.record_problems`), and one row per record;
- :func:`plan` reports what would change (added, changed, rejected with the reason per row)
  without writing, and notes the registry's version; :func:`apply` writes only if no row was
  rejected, unless the user explicitly keeps just the valid ones, and only if the registry is
  still at that version — the store serialises writers and writes the registry and its change
  log (when, what, from where, by whom) as one unit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from territoires.errors import TerritoiresError
from territoires.geo.reader import load_attributes
from territoires.registry.changes import now
from territoires.registry.check import code_exists, known_codes, record_problems
from territoires.registry.figures import FigureError, reading
from territoires.registry.intake import MAX_FIELD, read_staff_file, read_table, shown
from territoires.registry.legacy import merged, to_figures, used
from territoires.registry.loader import actors_text, check_actors, is_code_for_level
from territoires.registry.plans import ImportReport, Plan, entry
from territoires.registry.relimport import plan_relations
from territoires.registry.resolve import CommuneResolver, normalize
from territoires.registry.schema import COLUMNS, KINDS
from territoires.registry.storage import RegistryStore

__all__ = ["ImportReport", "Plan", "apply", "plan", "read_table"]

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
    "partner": "partner",
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
class _Context:
    """What every row of one import is checked against."""

    name: str
    current: dict[str, dict[str, str]]  # the registry before the import, as text, by id
    by_kind_code: dict[tuple[str, str], list[dict[str, str]]]  # the same, by (kind, code)
    resolver: CommuneResolver
    known: dict[str, set[str]]
    sirens_2012: set[str]
    taken: set[str] = field(default_factory=set)  # the ids given so far by this file
    legacy_columns: dict[str, None] = field(default_factory=dict)  # the former columns met, in order
    converted: list[str] = field(default_factory=list)  # « ligne N (id) : what its former values now read »
    commune_names: dict[str, str] = field(default_factory=dict)  # code → « Foissiat (01) », for the report


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
        raise TerritoiresError(f"code « {shown(code)} » invalide pour le niveau {shown(level)}")
    if level in ctx.known and not code_exists(ctx.known, ctx.sirens_2012, level, code):
        raise TerritoiresError(f"code {code} absent des contours ({level})")
    return level, code


def _record_id(rec: dict[str, str], kind: str, level: str, code: str, ctx: _Context) -> str:
    """The row's id: given, or the existing record it updates, or a new one made from its name."""
    if rec.get("id"):
        return rec["id"]
    # Without an id: a member is its territory (one membership per territory); another
    # record is the same if it has the same kind, name and code.
    same = ctx.by_kind_code.get((kind, code), [])
    if kind == "rtes_member":
        same = [r for r in same if r["level"] == level]
    else:
        same = [r for r in same if normalize(r["name"]) == normalize(rec["name"])]
    if same:
        return same[0]["id"]
    rid = f"{ID_PREFIX[kind]}-{_slug(rec['name'])}"
    while rid in ctx.current or rid in ctx.taken:
        rid += "-2"
    return rid


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", normalize(text).replace(" ", "-")).strip("-")[:40] or "x"


def _record(rec: dict[str, str], row: int, ctx: _Context) -> dict[str, str]:
    """The row as a registry record in text form (its schema is checked for the whole file at once)."""
    for col, value in rec.items():
        if len(value) > MAX_FIELD:
            raise TerritoiresError(f"colonne {col} : {len(value)} caractères (limite {MAX_FIELD})")
    kind = rec.get("kind", "")
    if kind not in KINDS:
        raise TerritoiresError(f"type inconnu « {shown(kind)} » (attendu : {', '.join(KINDS)})")
    level, code = _level_and_code(rec, ctx)
    rid = _record_id(rec, kind, level, code, ctx)
    new = dict(ctx.current[rid]) if rid in ctx.current else dict.fromkeys(COLUMNS, "")
    new.update({c: v for c, v in rec.items() if c in COLUMNS and v != ""})
    _legacy_figures(rec, new, row, ctx)
    new.update(id=rid, kind=kind, level=level, code=code)
    new["new_member"] = new.get("new_member") or "false"
    if not new.get("precision"):
        guess = "commune" if level == "commune" else level
        new["precision"] = "territoire" if kind == "rtes_member" else guess
    if not new.get("source_section"):
        new["source_section"] = f"Import du fichier {ctx.name}"[:200]
    if not new.get("source_quote"):
        new["source_quote"] = f"ligne {row} de {ctx.name}"[:400]
    return new


def _legacy_figures(rec: dict[str, str], new: dict[str, str], row: int, ctx: _Context) -> None:
    """Former number columns (jobs, members…) of the row, added to its ``figures`` as labelled figures."""
    cols = used(rec)
    if not cols:
        return
    try:
        figs = to_figures(rec)
    except FigureError as exc:
        raise TerritoiresError(f"colonnes anciennes ({', '.join(cols)}) : {exc}") from None
    new["figures"] = merged(new.get("figures", ""), figs)
    ctx.legacy_columns.update(dict.fromkeys(cols))
    ctx.converted.append(f"ligne {row} ({new['id']}) : " + " ; ".join(reading(f) for f in figs))


def _legacy_note(ctx: _Context) -> list[str]:
    """The report's lines on former columns: which ones, and what each row's values now read."""
    if not ctx.converted:
        return []
    head = (
        f"Colonnes anciennes {', '.join(ctx.legacy_columns)} lues comme chiffres (colonne figures) : "
        f"{len(ctx.converted)} ligne(s) ; préciser ensuite ce que chaque chiffre compte (libellé, unité, "
        "exact ou approché)."
    )
    more = [f"  … et {len(ctx.converted) - 50} autre(s)"] if len(ctx.converted) > 50 else []
    return [head, *(f"  ≈ {line}" for line in ctx.converted[:50]), *more]


def _context(store_reg, name: str, base: Path | None) -> _Context:
    current = actors_text(store_reg.actors)
    records = {r["id"]: r for r in current.to_dict("records")}
    by_kind_code: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in records.values():
        by_kind_code[(r["kind"], r["code"])].append(r)
    communes = load_attributes("communes", ["code", "nom", "dep"], base=base)
    resolver = CommuneResolver(
        communes, load_attributes("subdivisions", base=base), store_reg.aliases, store_reg.mergers
    )
    ctx = _Context(name, records, by_kind_code, resolver, known_codes(base), set(store_reg.perimeters["siren_2012"]))
    ctx.commune_names = {c: f"{n} ({d})" for c, n, d in communes[["code", "nom", "dep"]].itertuples(index=False)}
    return ctx


def _where(new: dict[str, str], ctx: _Context) -> dict[str, str]:
    """The place a record was matched to, for the report: staff check the commune, not the id."""
    place = ctx.commune_names.get(new["code"], "") if new["level"] == "commune" else ""
    return {"level": new["level"], "code": new["code"], "place": place}


def _rows(table, ctx: _Context, report: ImportReport) -> dict[str, tuple[int, dict[str, str]]]:
    """Each row as a record (id → its row and text), or rejected with the reason; one row per record."""
    accepted: dict[str, tuple[int, dict[str, str]]] = {}
    for i, rec in enumerate(table.rows, start=2):  # row 1 is the header
        try:
            new = _record(rec, i, ctx)
            if new["id"] in accepted or new["id"] in ctx.taken:
                first = accepted[new["id"]][0] if new["id"] in accepted else "précédente"
                raise TerritoiresError(
                    f"enregistrement {new['id']} déjà donné ligne {first} : une seule ligne par enregistrement"
                )
        except TerritoiresError as exc:  # a ResolutionError too: an ambiguous or unknown commune
            reason = (exc.what or str(exc)).replace("\n", " ; ")
            report.rejected.append(
                {"row": i, "id": shown(rec.get("id", "")), "name": shown(rec.get("name", "")), "reason": reason}
            )
            continue
        ctx.taken.add(new["id"])
        accepted[new["id"]] = (i, new)
        if new["id"] not in ctx.current:  # a later row without id naming the same thing is the same record
            ctx.by_kind_code[(new["kind"], new["code"])].append(new)
    return accepted


def _reject(report: ImportReport, row: int, new: dict[str, str], reason: str) -> None:
    report.rejected.append({"row": row, "id": new["id"], "name": shown(new["name"]), "reason": reason})


def _checked(accepted: dict, ctx: _Context, report: ImportReport) -> tuple[dict, pd.DataFrame | None]:
    """The rows that pass the schema (one pass) and the references (against the registry after the import),
    and those rows typed (indexed by id)."""
    if not accepted:
        return accepted, None
    order = list(accepted)
    frame = pd.DataFrame([accepted[r][1] for r in order], columns=COLUMNS).replace("", None)
    typed, problems = check_actors(frame)
    bad: dict[int, list[str]] = defaultdict(list)
    for p in problems:
        if p.index is not None:
            bad[int(p.index)].append(f"colonne {p.column} : {p.rule} (« {shown(str(p.value))} »)")
    for pos, reasons in bad.items():
        row, new = accepted.pop(order[pos])
        _reject(report, row, new, " ; ".join(dict.fromkeys(reasons)))
    typed = typed.drop(index=list(bad)).set_index("id", drop=False)
    while True:  # a row refused may be the one another row represents: check again until none is refused
        records = {**ctx.current, **{rid: new for rid, (_, new) in accepted.items()}}
        members = {rid for rid, r in records.items() if r["kind"] == "rtes_member"}
        ids = set(records)
        refused = {
            r.id: found
            for r in typed.loc[list(accepted)].itertuples(index=False)
            if (found := record_problems(r, ctx.known, members, ids, ctx.sirens_2012))
        }
        if not refused:
            return accepted, typed.loc[list(accepted)]
        for rid, found in refused.items():
            row, new = accepted.pop(rid)
            _reject(report, row, new, " ; ".join(found))


def plan(
    store: RegistryStore,
    path: Path | str,
    *,
    data: bytes | None = None,
    origin: str = "cli",
    base: Path | None = None,
    author: str = "",
) -> Plan:
    """What importing ``path`` would change; nothing is written."""
    table = read_staff_file(path, data)
    reg, version = store.load_versioned()
    if table.what == "relations":  # a file of who works with whom: same checks, same write, same log
        return plan_relations(reg, version, table, (origin, table.name, author))
    ctx = _context(reg, table.name, base)
    report = ImportReport(file=table.name, cleaned=table.cleaned)
    accepted, typed = _checked(_rows(table, ctx, report), ctx, report)
    report.notes = _legacy_note(ctx)
    report.rejected.sort(key=lambda r: r["row"])
    entries: list[dict] = []
    stamp, who = now(), (origin, table.name, author)
    for rid, (_, new) in sorted(accepted.items(), key=lambda kv: kv[1][0]):
        if rid in ctx.current:
            old = ctx.current[rid]
            diff = {c: (old.get(c, ""), new[c]) for c in COLUMNS if str(old.get(c, "")) != str(new[c])}
            if not diff:
                report.unchanged.append(rid)
                continue
            report.changed.append({"id": rid, "name": new["name"], "fields": diff, **_where(new, ctx)})
            entries.append(entry("changed", new, diff, stamp, who))
        else:
            report.added.append({"id": rid, "name": new["name"], "kind": new["kind"], **_where(new, ctx)})
            entries.append(entry("added", new, new, stamp, who))
    return Plan(report=report, actors=_after(reg.actors, typed), entries=entries, version=version)


def _after(current: pd.DataFrame, typed: pd.DataFrame | None) -> pd.DataFrame:
    """The registry after the import: changed records in place, new ones at the end (all already checked)."""
    if typed is None or typed.empty:
        return current
    now_ = current.set_index("id", drop=False)
    order = list(now_.index) + [rid for rid in typed.index if rid not in now_.index]
    both = pd.concat([now_.drop(index=[rid for rid in typed.index if rid in now_.index]), typed])
    return both.loc[order].reset_index(drop=True)


def apply(store: RegistryStore, p: Plan, *, only_valid: bool = False) -> ImportReport:
    """Write the plan if no row was rejected (or if ``only_valid``) and the registry is still as the plan
    saw it (:class:`~territoires.registry.storage.StaleRegistryError` otherwise); else write nothing."""
    if p.report.rejected and not only_valid:
        return p.report
    if p.entries:
        store.write(p.actors, p.entries, expected=p.version, relations=p.relations)
        p.report.written = True
    return p.report
