"""Place search: which members' territories cover a commune or an EPCI, and which actors lie in it."""

from __future__ import annotations

import pandas as pd

from territoires.dataset import Dataset
from territoires.registry.resolve import normalize
from territoires.stats import member_communes


def find_places(ds: Dataset, query: str, limit: int = 12) -> list[tuple[str, str]]:
    """Communes, communes of 2012 and EPCIs matching ``query`` (name or code).

    ``[("commune:59350", "Lille (59) — commune 59350"), ("commune2012:50602", "Tourlaville (50) — …"), …]``
    """
    q = query.strip()
    if len(q) < 2:
        return []
    com = ds.levels["communes"]
    epci = ds.levels["epci"]
    if q.isalnum() and any(ch.isdigit() for ch in q):
        c = com[com["code"].str.startswith(q.upper())]
        e = epci[epci["code"].str.startswith(q)]
    else:
        key = normalize(q)
        ck = com["nom"].map(normalize)
        ek = epci["nom"].map(normalize)
        c = com[ck.str.startswith(key) | ck.str.contains(f" {key}", regex=False)]
        e = epci[ek.str.contains(key, regex=False)]
        c = c.assign(_exact=(ck[c.index] == key)).sort_values(["_exact", "population"], ascending=[False, False])
    out = [(f"commune:{r.code}", f"{r.nom} ({r.dep}) — commune {r.code}") for r in c.head(limit).itertuples()]
    out += _former_communes(ds, q, max(2, limit - len(out)))
    out += [(f"epci:{r.code}", f"{r.nom} — EPCI {r.code}") for r in e.head(max(3, limit - len(out))).itertuples()]
    return out[:limit]


def _former_communes(ds: Dataset, q: str, limit: int) -> list[tuple[str, str]]:
    """Communes of 2012 that are no longer communes under that name (Tourlaville, Cherbourg-Octeville)."""
    if ds.units is None:
        return []
    u = ds.units.table
    today = ds.levels["communes"].set_index("code")["nom"]
    gone = u[today.reindex(u.index).fillna("").to_numpy() != u["nom"].to_numpy()]
    if q.isalnum() and any(ch.isdigit() for ch in q):
        hits = gone[gone.index.str.startswith(q.upper())]
    else:
        key = normalize(q)
        names = gone["nom"].map(normalize)
        hits = gone[names.str.startswith(key) | names.str.contains(f" {key}", regex=False)]
    return [
        (
            f"commune2012:{code}",
            f"{r.nom} ({r.dep}) — commune de 2012, aujourd'hui dans {today.get(r.commune, r.commune)}",
        )
        for code, r in hits.head(limit).iterrows()
    ]


def place_communes(ds: Dataset, place: str) -> list[str]:
    """The communes of 2012 that make a searched place (a commune or an EPCI of today).

    The places searched are today's; the registry's territories are made of the communes of 2012
    (:class:`~territoires.registry.join.Units`): both are compared in communes of 2012.
    """
    kind, _, code = place.partition(":")
    units = ds.units
    if units is None:
        return []
    if kind == "commune2012":
        return [code] if code in units.table.index else []
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
    """Actors (not members) placed in the place, or in a larger territory that holds it."""
    target = set(place_communes(ds, place))
    rows = []
    # Not the members (listed as covering) nor the board (people, placed at the body they represent).
    others = ~ds.placed["kind"].isin(["rtes_member", "rtes_board_member", "regional_figure"])
    for a in ds.placed[others].itertuples(index=False):
        if a.level in ("national", "none"):
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
                    "lieu": "dans ce lieu" if inside else "dans un territoire plus large qui le contient",
                }
            )
    return pd.DataFrame(rows, columns=["id", "kind", "name", "precision", "lieu"])
