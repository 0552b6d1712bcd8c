"""Place search: which members' territories cover a commune or an EPCI, and which actors lie in it."""

from __future__ import annotations

import pandas as pd

from territoires.dataset import Dataset
from territoires.registry.join import territory_communes
from territoires.registry.resolve import normalize
from territoires.stats import member_communes


def find_places(ds: Dataset, query: str, limit: int = 12) -> list[tuple[str, str]]:
    """Communes and EPCIs matching ``query`` (name or code): ``[("commune:59350", "Lille (59) — commune"), …]``."""
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
    out += [(f"epci:{r.code}", f"{r.nom} — EPCI {r.code}") for r in e.head(max(3, limit - len(out))).itertuples()]
    return out[:limit]


def place_communes(ds: Dataset, place: str) -> list[str]:
    """Today's communes of a place key."""
    kind, _, code = place.partition(":")
    com = ds.levels["communes"]
    if kind == "commune":
        return [code] if code in set(com["code"]) else []
    return sorted(com.loc[com["epci"] == code, "code"])


def covering_members(ds: Dataset, place: str) -> pd.DataFrame:
    """Members whose territory holds the place, wholly or in part."""
    target = set(place_communes(ds, place))
    if not target:
        return pd.DataFrame(columns=["id", "name", "level", "code", "couverture"])
    mc = member_communes(ds.placed, ds.registry.perimeters, ds.levels["communes"].set_index("code"))
    hits = mc[mc["commune"].isin(target)].groupby("member")["commune"].nunique()
    members = ds.placed.set_index("id").loc[hits.index, ["name", "level", "code"]].reset_index()
    members["couverture"] = [
        "entière" if hits[i] == len(target) else f"partielle ({hits[i]}/{len(target)} communes)" for i in members["id"]
    ]
    order = {"region_2012": 0, "region": 0, "departement": 1, "epci": 2, "commune": 3}
    return members.sort_values("level", key=lambda s: s.map(order)).reset_index(drop=True)


def actors_in(ds: Dataset, place: str) -> pd.DataFrame:
    """Actors (not members) placed in the place, or in a larger territory that holds it."""
    target = set(place_communes(ds, place))
    com = ds.levels["communes"].set_index("code")
    rows = []
    for a in ds.placed[~ds.placed["kind"].isin(["rtes_member", "regional_figure"])].itertuples(index=False):
        if a.level in ("national", "none"):
            continue
        codes = set(
            territory_communes(ds.registry.perimeters, com, a.level, a.commune if a.level == "point" else a.code)
        )
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
