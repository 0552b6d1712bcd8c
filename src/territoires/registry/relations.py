"""Who works with whom: the relations between records the newsletter states (``relations.csv``).

A relation goes from one record of the registry to another (``from_id`` → ``to_id``): a member,
an actor, a local authority that was not a member (a record of kind ``partner`` placed at its
territory's code) or an organisation with no place (a ``partner`` of national scope).  Its
``type`` is a word of a small French vocabulary (:data:`TYPES`); an amount is a labelled value
(``amount``, ``unit``, ``amount_kind`` exact or approximate); ``status`` says whether it is in
place, planned or under study; ``source_quote`` is the sentence of the newsletter it comes from.

This module is the one place that knows the vocabulary, checks a table of relations against the
actors (both ends must exist; an unknown end is refused with the nearest candidates) and gives
each relation its two ends' names and places (:func:`ends`), for the export, the map, the
statistics and the territory profile alike.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from territoires.errors import DataFileError
from territoires.registry.files import ACTORS_FILE
from territoires.registry.resolve import normalize

# type → how it reads between the two names (« Région Rhône-Alpes finance Transméa »).
TYPES: dict[str, str] = {
    "crée": "a créé",
    "porte": "porte",
    "finance": "finance",
    "cofinance": "cofinance",
    "soutient": "soutient",
    "partenaire": "est partenaire de",
    "associé": "est associé à",
    "siège au comité de": "siège au comité de",
}
# Relations that have a direction (an arrowhead on the map); « partenaire » and « associé » go both ways.
DIRECTED: frozenset[str] = frozenset(TYPES) - {"partenaire", "associé"}
STATUSES: tuple[str, ...] = ("en place", "en projet", "à l'étude")
AMOUNT_KINDS: dict[str, str] = {"exact": "exact", "approx": "environ"}

# The columns of relations.csv, in file order (all text: an amount is parsed by the loader).
COLUMNS: list[str] = [
    "id",
    "from_id",
    "to_id",
    "type",
    "amount",
    "unit",
    "amount_kind",
    "amount_label",
    "year",
    "status",
    "source_section",
    "source_quote",
    "notes",
]
TEXT_COLUMNS: list[str] = [c for c in COLUMNS if c != "amount"]
# The export's columns (``territoires data export --what relations``), in order.
EXPORT_COLUMNS: list[str] = [
    "from_id",
    "from_name",
    "from_level",
    "from_code",
    "to_id",
    "to_name",
    "to_level",
    "to_code",
    "type",
    "amount",
    "unit",
    "year",
    "status",
    "source_quote",
]


def candidates(value: str, actors: pd.DataFrame, n: int = 4) -> list[str]:
    """The records nearest to an unknown end: ``id (name)``, by id and by name."""
    ids = actors["id"].astype(str).tolist()
    names = dict(zip(actors["id"], actors["name"], strict=True))
    by_id = difflib.get_close_matches(value, ids, n=n, cutoff=0.5)
    keys = {normalize(str(nm)): rid for rid, nm in names.items()}
    by_name = [keys[k] for k in difflib.get_close_matches(normalize(value), list(keys), n=n, cutoff=0.5)]
    found = list(dict.fromkeys([*by_id, *by_name]))[:n]
    return [f"{rid} ({names[rid]})" for rid in found]


def unknown_end(value: str, actors: pd.DataFrame) -> str:
    """The reason a relation is refused when one end names no record, with the candidates."""
    near = candidates(value, actors)
    hint = f" ; candidats : {', '.join(near)}" if near else " ; aucun enregistrement proche"
    return f"extrémité inconnue « {value} » (aucun enregistrement de ce nom ni de cet id){hint}"


def end_problems(relations: pd.DataFrame, actors: pd.DataFrame) -> list[tuple[object, str, str]]:
    """(row label, column, reason) for each relation whose end names no record, or that links a record to itself."""
    ids = set(actors["id"])
    out: list[tuple[object, str, str]] = []
    for i, r in relations.iterrows():
        for col in ("from_id", "to_id"):
            v = r[col]
            if isinstance(v, str) and v and v not in ids:
                out.append((i, col, unknown_end(v, actors)))
        if r["from_id"] == r["to_id"]:
            out.append((i, "to_id", f"relation de {r['from_id']} à lui-même"))
    key = relations[["from_id", "to_id", "type", "year"]].fillna("")
    for i in key.index[key.duplicated()]:
        out.append((i, "id", "relation déjà donnée (mêmes extrémités, type et année)"))
    return out


def check_ends(relations: pd.DataFrame, actors: pd.DataFrame, path: Path | str) -> None:
    """Raise a French error naming the file, the lines and the candidates if an end is unknown."""
    problems = end_problems(relations, actors)
    if not problems:
        return
    lines = [f"ligne {int(i) + 2}, colonne {col} : {why}" for i, col, why in problems[:8]]
    raise DataFileError(
        "Relations dont une extrémité n'existe pas dans le registre :\n- " + "\n- ".join(lines),
        where=path,
        todo=f"donner l'id d'un enregistrement de {ACTORS_FILE} (voir les candidats), ou ajouter cet "
        "enregistrement d'abord, puis relancer « territoires data check ».",
    )


def parse_amounts(df: pd.DataFrame) -> tuple[pd.Series, list[tuple[object, str]]]:
    """The ``amount`` column as numbers (a decimal point or comma, spaces allowed), and the cells that are not."""
    raw = df["amount"].astype(object).where(df["amount"].notna(), None)
    cleaned = raw.map(
        lambda v: (
            v.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".") if isinstance(v, str) else v
        )
    )
    num = pd.to_numeric(cleaned, errors="coerce")
    bad = [(i, str(df.at[i, "amount"])) for i in df.index[cleaned.notna() & num.isna()]]
    return num.astype(float), bad


def amount_problems(df: pd.DataFrame) -> list[tuple[object, str, str]]:
    """An amount needs its unit and whether it is exact; a unit or a kind without an amount is an error."""
    out = []
    for i, r in df.iterrows():
        has = pd.notna(r["amount"])
        if has and not r["unit"]:
            out.append((i, "unit", "un montant sans unité (€, emplois…)"))
        if has and not r["amount_kind"]:
            out.append((i, "amount_kind", "un montant sans dire s'il est exact ou approché (exact, approx)"))
        if not has and (r["unit"] or r["amount_kind"]):
            out.append((i, "amount", "une unité ou une précision sans montant"))
    return out


def empty() -> pd.DataFrame:
    """No relation (a registry that has none)."""
    return pd.DataFrame({c: pd.Series(dtype=float if c == "amount" else object) for c in COLUMNS})


def relations_text(relations: pd.DataFrame) -> pd.DataFrame:
    """Parsed relations back to their text form (what the CSV and the database hold)."""
    out = pd.DataFrame(index=relations.index)
    for col in COLUMNS:
        if col == "amount":
            out[col] = relations[col].map(lambda v: "" if pd.isna(v) else (f"{v:g}" if v != int(v) else str(int(v))))
        else:
            out[col] = relations[col].map(
                lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
            )
    return out.reset_index(drop=True)


def amount_text(amount: float, unit: str | None, kind: str | None) -> str:
    """« 1 000 000 € », « environ 15 structures »: an amount as a person reads it ("" without one)."""
    if amount is None or pd.isna(amount):
        return ""
    number = f"{amount:,.0f}".replace(",", "\u202f") if float(amount).is_integer() else f"{amount:g}".replace(".", ",")
    prefix = "environ " if kind == "approx" else ""
    return f"{prefix}{number} {unit or ''}".strip()


def ends(relations: pd.DataFrame, placed: pd.DataFrame) -> pd.DataFrame:
    """Each relation with its two ends' names, kinds, levels, codes and régions (from the placed registry).

    Columns: the relation's own (``id``, ``type``, ``amount``…), ``directed``, ``amount_text``, and for
    each end ``{from,to}_{name,kind,level,code,precision,dep,reg,reg_2012}``.
    """
    cols = ["id", "name", "kind", "level", "code", "precision", "dep", "reg", "reg_2012"]
    rec = placed.reindex(columns=cols).set_index("id")
    out = relations.copy()
    for side in ("from", "to"):
        part = rec.reindex(out[f"{side}_id"]).reset_index(drop=True)
        part.columns = [f"{side}_{c}" for c in part.columns]
        part.index = out.index
        out = pd.concat([out, part], axis=1)
    out["directed"] = out["type"].isin(DIRECTED)
    out["amount_text"] = [
        amount_text(a, u, k) for a, u, k in zip(out["amount"], out["unit"], out["amount_kind"], strict=True)
    ]
    return out.reset_index(drop=True)


def export_table(ends_: pd.DataFrame) -> pd.DataFrame:
    """The export's columns (:data:`EXPORT_COLUMNS`), one row per relation."""
    return ends_.reindex(columns=EXPORT_COLUMNS)


def touching(ends_: pd.DataFrame, ids: set[str] | list[str]) -> pd.DataFrame:
    """The relations one of whose ends is among ``ids``."""
    ids = set(ids)
    return ends_[ends_["from_id"].isin(ids) | ends_["to_id"].isin(ids)]


def sentence(r: pd.Series | dict) -> str:
    """« Région Rhône-Alpes finance Transméa (1 000 000 €, 2007) »: a relation read aloud."""
    extra = ", ".join(x for x in (r.get("amount_text") or "", r.get("year") or "") if x)
    status = r.get("status") or "en place"
    tail = f" ({extra})" if extra else ""
    tail += "" if status == "en place" else f" — {status}"
    return f"{r['from_name']} {TYPES.get(r['type'], r['type'])} {r['to_name']}{tail}"
