"""Place search: which members' territories cover a commune or an EPCI, and which actors lie in it."""

from __future__ import annotations

import pandas as pd

from territoires.dataset import Dataset
from territoires.registry.resolve import normalize
from territoires.stats import member_communes

MEMBER = " — adhérente du RTES"
INSIDE = "dans ce lieu"
WIDER = "dans un territoire plus large qui le contient"
# People, figures, events and partners are not "pôles et initiatives": the Carte lists events apart.
NOT_ACTORS = ("rtes_member", "rtes_board_member", "regional_figure", "network_office", "partner", "event")


def _is_code(q: str) -> bool:
    return q.isalnum() and any(ch.isdigit() for ch in q)


def _members(ds: Dataset, level: str) -> set[str]:
    """Codes of the RTES members of ``level`` (communes: 2012 codes; EPCIs: SIREN, often of 2012)."""
    p = ds.placed
    m = p[(p["kind"] == "rtes_member") & (p["level"] == level)]
    return set(m["code"].dropna().astype(str))


def _name_hits(names: pd.Series, key: str, anywhere: bool = False) -> pd.Series:
    """Names starting with ``key`` or holding it as a word (or anywhere, for EPCIs' long names)."""
    n = names.map(normalize)
    if anywhere:
        return n.str.contains(key, regex=False)
    return n.str.startswith(key) | n.str.contains(f" {key}", regex=False)


def find_places(ds: Dataset, query: str, limit: int = 12) -> list[tuple[str, str]]:
    """Communes, communes of 2012 and EPCIs (of today and of 2012) matching ``query`` (name or code).

    Members of the RTES are marked, and come first among homonyms (« Saint-Denis »: 93066 before 974).
    ``[("commune:93066", "Saint-Denis (93) — commune 93066 — adhérente du RTES"), ("epci:…", …), …]``
    """
    q = query.strip()
    if len(q) < 2:
        return []
    com = ds.levels["communes"]
    epci = ds.levels["epci"]
    if _is_code(q):
        c = com[com["code"].str.startswith(q.upper())]
        e = epci[epci["code"].str.startswith(q)]
    else:
        c = com[_name_hits(com["nom"], normalize(q))]
        e = epci[_name_hits(epci["nom"], normalize(q), anywhere=True)]
    communes, epcis = _members(ds, "commune"), _members(ds, "epci")
    exact = c["nom"].map(normalize) == normalize(q)
    c = c.assign(_exact=exact, is_member=c["code"].isin(communes))
    c = c.sort_values(["_exact", "is_member", "population"], ascending=False, kind="stable")
    e = e.assign(is_member=e["code"].isin(epcis)).sort_values("is_member", ascending=False, kind="stable")
    out = [
        (f"commune:{r.code}", f"{r.nom} ({r.dep}) — commune {r.code}{MEMBER if r.is_member else ''}")
        for r in c.head(limit).itertuples()
    ]
    out += _former_communes(ds, q, max(2, limit - len(out)), communes)
    room = max(3, limit - len(out))
    out += [
        (f"epci:{r.code}", f"{r.nom} — EPCI {r.code}{MEMBER if r.is_member else ''}") for r in e.head(room).itertuples()
    ]
    out += _epcis_2012(ds, q, {k for k, _ in out}, epcis)
    return out[:limit]


def _epcis_2012(ds: Dataset, q: str, known: set[str], members: set[str]) -> list[tuple[str, str]]:
    """EPCIs of 2012 found by their 2012 name or SIREN (« Plaine Commune »), members first."""
    per = ds.registry.perimeters
    if per is None or per.empty or "nom_2012" not in per:
        return []
    e = per[["siren_2012", "nom_2012"]].dropna().drop_duplicates("siren_2012")
    e = e[e["siren_2012"].str.startswith(q)] if _is_code(q) else e[_name_hits(e["nom_2012"], normalize(q), True)]
    e = e[~("epci:" + e["siren_2012"]).isin(known)]
    e = e.assign(is_member=e["siren_2012"].isin(members)).sort_values("is_member", ascending=False, kind="stable")
    return [
        (f"epci:{r.siren_2012}", f"{r.nom_2012} — EPCI de 2012 {r.siren_2012}{MEMBER if r.is_member else ''}")
        for r in e.itertuples()
    ]


def _former_communes(ds: Dataset, q: str, limit: int, members: set[str] | None = None) -> list[tuple[str, str]]:
    """Communes of 2012 that are no longer communes under that name (Tourlaville, Cherbourg-Octeville)."""
    if ds.units is None:
        return []
    members = members or set()
    u = ds.units.table
    today = ds.levels["communes"].set_index("code")["nom"]
    gone = u[today.reindex(u.index).fillna("").to_numpy() != u["nom"].to_numpy()]
    hits = gone[gone.index.str.startswith(q.upper())] if _is_code(q) else gone[_name_hits(gone["nom"], normalize(q))]
    hits = hits.assign(is_member=hits.index.isin(list(members))).sort_values(
        "is_member", ascending=False, kind="stable"
    )
    return [
        (
            f"commune2012:{code}",
            f"{r.nom} ({r.dep}) — commune de 2012, aujourd'hui dans {today.get(r.commune, r.commune)}"
            + (MEMBER if r.is_member else ""),
        )
        for code, r in hits.head(limit).iterrows()
    ]


def place_communes(ds: Dataset, place: str) -> list[str]:
    """The communes of 2012 that make a searched place (a commune, a commune of 2012, an EPCI of
    today or of 2012).

    The registry's territories are made of the communes of 2012
    (:class:`~territoires.registry.join.Units`): both are compared in communes of 2012.
    """
    kind, _, code = place.partition(":")
    units = ds.units
    if units is None:
        return []
    if kind == "commune2012":
        return [code] if code in units.table.index else []
    if kind == "epci" and code not in units.groups["epci"]:
        return units.of("epci", code)  # an EPCI of 2012: its 2012 perimeter
    groups = units.groups["commune"] if kind == "commune" else units.groups["epci"]
    return sorted(groups.get(code, []))


def covering_members(ds: Dataset, place: str) -> pd.DataFrame:
    """Members whose territory holds the place, wholly or in part."""
    target = set(place_communes(ds, place))
    if not target:
        return pd.DataFrame(columns=["id", "name", "level", "code", "couverture"])
    mc = member_communes(ds.placed, ds.units)
    hits = mc[mc["commune"].isin(target)].groupby("member")["commune"].nunique()
    members = ds.placed.set_index("id").loc[hits.index, ["name", "level", "code"]].reset_index()
    members["couverture"] = [
        "entière" if hits[i] == len(target) else f"partielle ({hits[i]}/{len(target)} communes de 2012)"
        for i in members["id"]
    ]
    order = {"region_2012": 0, "region": 0, "departement": 1, "epci": 2, "commune": 3}
    return members.sort_values("level", key=lambda s: s.map(order)).reset_index(drop=True)


def actors_in(ds: Dataset, place: str) -> pd.DataFrame:
    """Poles and initiatives placed in the place, or in a larger territory that holds it (``lieu``).

    Not the members (listed as covering), nor people, figures, partners or events (:func:`events_in`).
    """
    return _placed_in(ds, place, ~ds.placed["kind"].isin(NOT_ACTORS))


def events_in(ds: Dataset, place: str) -> pd.DataFrame:
    """Events (rencontres, journées) placed in the place or in a larger territory that holds it."""
    return _placed_in(ds, place, ds.placed["kind"] == "event")


def _placed_in(ds: Dataset, place: str, keep: pd.Series) -> pd.DataFrame:
    """The records of ``keep`` whose territory meets the place; ``lieu`` says whether wholly inside."""
    target = set(place_communes(ds, place))
    rows = []
    for a in ds.placed[keep].itertuples(index=False):
        if a.level in ("national", "none") or ds.units is None:
            continue
        codes = set(ds.units.of_record(a))
        if codes & target:
            inside = codes <= target
            rows.append(
                {
                    "id": a.id,
                    "kind": a.kind,
                    "name": a.name,
                    "precision": a.precision,
                    "lieu": INSIDE if inside else WIDER,
                }
            )
    return pd.DataFrame(rows, columns=["id", "kind", "name", "precision", "lieu"])
