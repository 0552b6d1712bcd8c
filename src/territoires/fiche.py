"""The territory profile (« Fiche territoire »): one commune, EPCI, département or région on one page.

Pure data (no streamlit, no drawing): who covers the territory among the RTES members, which actors
lie in it, the relations that touch it, its key figures beside its région's and France's. Every
territory is compared in communes of 2012 (:class:`~territoires.registry.join.Units`), the rule the
map, the search and the statistics share; the figures reuse :mod:`territoires.stats`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pandas as pd

from territoires import coopstats, stats
from territoires.dataset import Dataset
from territoires.errors import TerritoiresError
from territoires.registry import relations as rel
from territoires.registry.resolve import normalize
from territoires.registry.schema import KINDS
from territoires.selection import source_line
from territoires.state import DEFAULT_KINDS, FICHE_LEVELS

LEVELS = FICHE_LEVELS  # the levels a fiche exists at, and their names (territoires.state)
# The store's attribute table of the levels whose name, population and area are official.
_TABLES = {"departement": "departements", "region": "regions", "region_2012": "regions_2012"}
_ORDER = {"region_2012": 0, "region": 0, "departement": 1, "epci": 2, "commune": 3}
# Not actors: members (listed as covering), board members (people) and the newsletter's figures.
NOT_ACTORS = ("rtes_member", "rtes_board_member", "regional_figure")
# The key figures: the PTCE poles, and every pole or initiative the map shows by default.
FIGURE_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ptce_pole": ("Pôles PTCE", ("ptce_pole",)),
    "acteurs": ("Pôles, PLES, CitésLab et initiatives", DEFAULT_KINDS),
}
MEMBER_DATE = "31 août 2012"


@dataclass
class Territory:
    """A territory of the fiche: its name, its communes of 2012, its population and area, where it lies."""

    level: str
    code: str
    name: str
    communes: list[str]
    population: float | None
    area_km2: float | None
    departement: dict[str, str] | None = None
    region_2012: dict[str, str] | None = None
    region: dict[str, str] | None = None
    today_name: str | None = None  # a commune of 2012 now part of another commune


@dataclass
class Fiche(Territory):
    """Everything the territory profile shows (:func:`fiche`): the territory, then what lies around it."""

    level_label: str = ""
    communes_2012: int = 0
    member: dict[str, Any] | None = None  # its own member record, if it was a member
    own_records: list[dict[str, Any]] = field(default_factory=list)  # its member and partner records
    members_covering: list[dict[str, Any]] = field(default_factory=list)
    members_in: list[dict[str, Any]] = field(default_factory=list)
    actors_in: list[dict[str, Any]] = field(default_factory=list)
    actors_wider: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    declared: str = ""  # the amounts its relations declare (« 20 000 € ; autres : 3 ans (×3) »), or ""
    figures: list[dict[str, Any]] = field(default_factory=list)
    sources: str = ""
    date: str = ""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain values (missing numbers as None), JSON-ready; the communes of 2012 counted, not listed."""
        return _clean({k: v for k, v in asdict(self).items() if k != "communes"})

    def to_json(self) -> str:
        """The fiche as JSON (UTF-8 text, French values)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"

    @property
    def member_text(self) -> str:
        """« Adhérent du RTES au 31 août 2012 (nouvel adhérent en 2012) », or why not."""
        if self.member is None:
            return f"Non adhérent du RTES au {MEMBER_DATE} (à ce niveau)."
        new = " (nouvel adhérent en 2012)" if self.member["new_member"] else ""
        return f"Adhérent du RTES au {MEMBER_DATE}{new}."


def _clean(v: Any) -> Any:
    if isinstance(v, dict | list):
        return {k: _clean(x) for k, x in v.items()} if isinstance(v, dict) else [_clean(x) for x in v]
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return _clean(v.item())
    return v


# ------------------------------------------------------------------ territories
def _majority(u: pd.DataFrame, col: str) -> str | None:
    """The value of ``col`` holding most of the population of the units ``u``."""
    w = u.groupby(col)["population"].sum(min_count=0)
    w = w[w.index.map(lambda v: isinstance(v, str))]
    return str(w.idxmax()) if len(w) else None


def _named(ds: Dataset, table: str, code: str | None) -> dict[str, str] | None:
    names = ds.levels[table].set_index("code")["nom"]
    return {"code": code, "name": str(names[code])} if code in names.index else None


def _epci_name(ds: Dataset, code: str) -> str | None:
    per = ds.registry.perimeters
    hit = per.loc[per["siren_2012"] == code, "nom_2012"]
    if len(hit):
        return str(hit.iloc[0])
    epci = ds.levels["epci"].set_index("code")["nom"]
    return str(epci[code]) if code in epci.index else None


def territory(ds: Dataset, level: str, code: str) -> Territory:
    """The territory ``level``/``code`` (a commune of today or of 2012, an EPCI SIREN of 2012 or of today),
    or a French error naming the code and the level, with the nearest candidates."""
    if level not in LEVELS:
        raise TerritoiresError(f"Niveau inconnu : « {level} ».", todo=f"choisir parmi : {', '.join(LEVELS)}.")
    units = ds.units
    code = str(code).strip().upper() if level in ("commune", "departement") else str(code).strip()
    communes = units.of(level, code) if units is not None else []
    name = None
    if communes:
        u = units.table.loc[communes]
        if level == "commune":
            today = ds.levels["communes"].set_index("code")["nom"]
            name = str(u.at[code, "nom"]) if code in u.index else str(today.get(code, ""))
        elif level == "epci":
            name = _epci_name(ds, code)
        else:
            name = (_named(ds, _TABLES[level], code) or {}).get("name")
    if not name:
        raise unknown(ds, level, code)
    row = ds.levels[_TABLES[level]].set_index("code").loc[code] if level in _TABLES else None
    # A commune or an EPCI: today's population shared out over its communes of 2012 (join.units_2012).
    pop = float(row["population"]) if row is not None else round(float(u["population"].sum()))
    area = float(row["area_km2"]) if row is not None else float(u["area_km2"].sum())
    dep = code if level == "departement" else (_majority(u, "dep") if level != "region_2012" else None)
    r12 = code if level == "region_2012" else _majority(u, "reg_2012")
    reg = code if level == "region" else _majority(u, "reg")
    today_name = None
    if level == "commune" and code in u.index:
        now = ds.levels["communes"].set_index("code")["nom"]
        held_by = str(u.at[code, "commune"])
        if held_by in now.index and now[held_by] != name:
            today_name = f"aujourd'hui dans {now[held_by]} ({held_by})"
    return Territory(
        level=level,
        code=code,
        name=name,
        communes=communes,
        population=pop,
        area_km2=area,
        departement=_named(ds, "departements", dep) if level not in ("region", "region_2012") else None,
        region_2012=_named(ds, "regions_2012", r12),
        region=_named(ds, "regions", reg),
        today_name=today_name,
    )


def place_name(ds: Dataset, level: str, code: str | None) -> str:
    """« Rhône-Alpes (région de 2012) »: a record's territory as a reader names it."""
    label = {"region_2012": "région de 2012", "region": "région", "departement": "département"}.get(level, "commune")
    if level in _TABLES:
        name = (_named(ds, _TABLES[level], code) or {}).get("name")
    elif level == "epci":
        name, label = _epci_name(ds, str(code)), "intercommunalité"
    else:
        name = _choices(ds, "commune").get(str(code)) if level in ("commune", "point") else None  # point: commune
    return f"{name or code} ({label})"


def _choices(ds: Dataset, level: str) -> dict[str, str]:
    """Every code of a level with its name."""
    if level == "commune":
        t = pd.concat([ds.levels["communes"][["code", "nom"]], ds.levels["communes_2012"][["code", "nom"]]])
    elif level == "epci":
        per = ds.registry.perimeters.rename(columns={"siren_2012": "code", "nom_2012": "nom"})
        t = pd.concat([ds.levels["epci"][["code", "nom"]], per[["code", "nom"]]])
    else:
        t = ds.levels[_TABLES[level]][["code", "nom"]]
    t = t.drop_duplicates("code")
    return dict(zip(t["code"].astype(str), t["nom"].astype(str), strict=True))


def candidates(ds: Dataset, level: str, code: str, n: int = 5) -> list[str]:
    """The territories of ``level`` nearest to an unknown code (by code, or by name): ``code (nom)``."""
    names = _choices(ds, level)
    by_code = difflib.get_close_matches(code, list(names), n=n, cutoff=0.6)
    keys: dict[str, str] = {}
    for c, nom in names.items():
        keys.setdefault(normalize(nom), c)
    by_name = [keys[k] for k in difflib.get_close_matches(normalize(code), list(keys), n=n, cutoff=0.6)]
    return [f"{c} ({names[c]})" for c in list(dict.fromkeys([*by_code, *by_name]))[:n]]


def unknown(ds: Dataset, level: str, code: str) -> TerritoiresError:
    """The French error for a code that names no territory of ``level``."""
    near = candidates(ds, level, code)
    hint = f"codes proches : {', '.join(near)}" if near else "vérifier le code (INSEE, SIREN)"
    return TerritoiresError(
        f"Territoire inconnu : {LEVELS[level].lower()} de code « {code} » introuvable.",
        todo=f"{hint} ; une commune se donne par son code INSEE (d'aujourd'hui ou de 2012), une "
        "intercommunalité par son SIREN, un département ou une région par son code.",
    )


# ----------------------------------------------------------------------- content
def _record(a: Any) -> dict[str, Any]:
    return {"id": a.id, "name": a.name, "level": a.level, "code": a.code}


def members_around(ds: Dataset, t: Territory) -> tuple[list[dict], list[dict]]:
    """The members whose territory covers ``t`` (wholly or in part: « entière », « partielle »), and those
    whose territory lies within it — compared in communes of 2012 (:func:`stats.member_communes`)."""
    target = set(t.communes)
    mc = stats.member_communes(ds.placed, ds.units)
    sizes = mc.groupby("member")["commune"].nunique()
    hits = mc[mc["commune"].isin(target)].groupby("member")["commune"].nunique()
    rec = ds.placed.set_index("id")
    covering, inside = [], []
    for mid, k in hits.items():
        a = rec.loc[mid]
        entry = {"id": mid, "name": a["name"], "level": a["level"], "code": a["code"]}
        if k == len(target):
            covering.append({**entry, "couverture": "entière"})
        elif sizes[mid] == k:  # all of the member's communes lie in the territory
            inside.append({**entry, "couverture": "située dans ce territoire"})
        else:
            covering.append({**entry, "couverture": f"partielle ({k}/{len(target)} communes de 2012)"})
    order = lambda m: (_ORDER.get(m["level"], 9), normalize(str(m["name"])))  # noqa: E731
    return sorted(covering, key=order), sorted(inside, key=order)


def actors_around(ds: Dataset, t: Territory, own: set[str]) -> tuple[list[dict], list[dict]]:
    """Actors placed in ``t``, and those whose place is only known at a wider territory that holds part of it."""
    target = set(t.communes)
    inside, wider = [], []
    p = ds.placed
    others = p[~p["kind"].isin(NOT_ACTORS) & ~p["level"].isin(["national", "none"]) & ~p["id"].isin(own)]
    for a in others.itertuples(index=False):
        codes = set(ds.units.of_record(a))
        if not codes & target:
            continue
        entry = {**_record(a), "kind": a.kind, "kind_label": KINDS.get(a.kind, a.kind), "precision": a.precision}
        if codes <= target:
            inside.append(entry)
        else:
            where = (
                "dans un territoire plus large qui le contient" if target <= codes else "en partie dans ce territoire"
            )
            wider.append({**entry, "lieu": where, "place_name": place_name(ds, a.level, a.code)})
    order = lambda a: (a["kind"], normalize(str(a["name"])))  # noqa: E731
    return sorted(inside, key=order), sorted(wider, key=order)


def relations_of(ds: Dataset, ids: set[str]) -> list[dict[str, Any]]:
    """The relations that touch one of ``ids``, each with its French sentence and its source."""
    ends = ds.relations if ds.relations is not None else rel.empty()
    keep = ("id", "type", "from_id", "from_name", "to_id", "to_name", "amount", "unit", "amount_kind", "year")
    return [
        {
            "sentence": rel.sentence(r),
            **{k: r.get(k) for k in keep},
            "amount_text": r.get("amount_text") or "",
            "status": r.get("status") or "en place",
            "quote": r.get("source_quote"),
            "section": r.get("source_section"),
        }
        for r in rel.touching(ends, ids).to_dict("records")
    ]


# ------------------------------------------------------------------------ figures
def _ratios(name: str, count: float, pop: float, area: float, total: float, total_pop: float) -> dict[str, Any]:
    """The figures of :func:`stats.density_table`, for one territory (the same formulas)."""
    share = count / total if total else math.nan
    return {
        "name": name,
        "count": int(count),
        "population": pop,
        "area_km2": area,
        "per_million": count / pop * 1e6 if pop else math.nan,
        "per_10k_km2": count / area * 1e4 if area else math.nan,
        "location_quotient": share / (pop / total_pop) if total and pop and total_pop else math.nan,
    }


def _table(ds: Dataset, by: str, kinds: tuple[str, ...]) -> tuple[pd.Series, stats.Territories]:
    terr = stats.territories(ds.levels, by)
    return stats.counts(ds.placed, terr, list(kinds)).sum(axis=1), terr


def key_figures(ds: Dataset, t: Territory, actors_in: list[dict]) -> list[dict[str, Any]]:
    """Per group of kinds: the territory's count, per million inhabitants, per 10,000 km² and location
    quotient, beside its région's (of 2012) and France's.

    A département or a région is counted by :func:`stats.counts` (an actor counts in the territory its
    record places it in); a commune or an EPCI by the actors placed in it, over the actors France
    counts by département (the finest level the statistics attribute).
    """
    rows = []
    for group, (label, kinds) in FIGURE_GROUPS.items():
        n12, t12 = _table(ds, "region_2012", kinds)
        pop12 = t12.table["population"].astype(float)
        france_pop = float(pop12.sum())
        scopes: list[tuple[str, dict]] = []
        if t.level in _TABLES:
            n, terr = _table(ds, t.level, kinds)
            pop = terr.table["population"].astype(float)
            row = _ratios(t.name, n[t.code], pop[t.code], terr.table.at[t.code, "area_km2"], n.sum(), pop.sum())
        else:
            nd, td = _table(ds, "departement", kinds)
            count = sum(1 for a in actors_in if a["kind"] in kinds)
            row = _ratios(t.name, count, t.population, t.area_km2, nd.sum(), float(td.table["population"].sum()))
        scopes.append(("territoire", row))
        r12 = (t.region_2012 or {}).get("code")
        if t.level not in ("region", "region_2012") and r12 in t12.table.index:
            a12 = t12.table.at[r12, "area_km2"]
            scopes.append(
                ("region_2012", _ratios(t12.table.at[r12, "nom"], n12[r12], pop12[r12], a12, n12.sum(), france_pop))
            )
        area = float(t12.table["area_km2"].sum())
        scopes.append(("france", _ratios("France", n12.sum(), france_pop, area, n12.sum(), france_pop)))
        rows += [{"group": group, "label": label, "scope": s, **r} for s, r in scopes]
    return rows


def fiche(ds: Dataset, level: str, code: str, today: dt.date | None = None) -> Fiche:
    """The territory profile of ``level``/``code`` (a French error if no such territory)."""
    t = territory(ds, level, code)
    p = ds.placed
    same = p[(p["level"] == t.level) & (p["code"] == t.code)]
    member = same[same["kind"] == "rtes_member"]
    own = same[(same["kind"] == "rtes_member") | ((same["kind"] == "partner") & (same["precision"] == "territoire"))]
    own_ids = set(own["id"])
    covering, members_in = members_around(ds, t)
    inside, wider = actors_around(ds, t, own_ids)
    m = member.iloc[0] if len(member) else None
    links = relations_of(ds, own_ids | {a["id"] for a in inside})
    notes = []
    if t.today_name:
        notes.append(f"Commune de 2012, {t.today_name}.")
    return Fiche(
        **{f.name: getattr(t, f.name) for f in fields(Territory)},
        level_label=LEVELS[t.level],
        communes_2012=len(t.communes),
        member=None if m is None else {"id": m["id"], "name": m["name"], "new_member": bool(m["new_member"])},
        own_records=[{**_record(a), "kind": a.kind} for a in own.itertuples(index=False)],
        members_covering=covering,
        members_in=members_in,
        actors_in=inside,
        actors_wider=wider,
        relations=links,
        declared=coopstats.declared(links),
        figures=key_figures(ds, t, inside),
        sources=source_line(ds) + " Population : " + str(ds.vintage.get("population") or "") + ".",
        date=(today or dt.date.today()).isoformat(),
        notes=notes,
    )


def find_territories(ds: Dataset, query: str, limit: int = 12) -> list[tuple[str, str]]:
    """Territories matching ``query``: régions and départements (name or code), then the place search's
    communes and EPCIs (:func:`territoires.search.find_places`). ``[("departement:38", "Isère — …"), …]``"""
    from territoires.search import find_places

    q = query.strip()
    if len(q) < 2:
        return []
    out: list[tuple[str, str]] = []
    key = normalize(q)
    for level in ("region_2012", "region", "departement"):
        t = ds.levels[_TABLES[level]]
        names = t["nom"].map(normalize)
        hit = t[(t["code"] == q.upper()) | names.str.startswith(key) | names.str.contains(f" {key}", regex=False)]
        out += [(f"{level}:{r.code}", f"{r.nom} — {LEVELS[level].lower()} {r.code}") for r in hit.itertuples()]
    for place, label in find_places(ds, q, limit):
        kind, _, code = place.partition(":")
        out.append((f"{'commune' if kind == 'commune2012' else kind}:{code}", label))
    return list(dict(out).items())[:limit]
