"""The change log's side of the registry: when a change is stamped, and the registry as it was on a date."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from territoires.registry.loader import Registry, actors_text, parse_actors, parse_relations
from territoires.registry.relations import relations_text

RELATION = "relation"  # the change log's ``kind`` of a relation's entries (registry.relimport)


def now() -> str:
    """The time stamp of a change: UTC, to the second, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def as_of(reg: Registry, changelog: pd.DataFrame, date: str) -> Registry:
    """The registry as it was at the end of ``date`` (YYYY-MM-DD): later changes undone, newest first."""
    if changelog is None or changelog.empty or not date:
        return reg
    later = changelog[changelog["at"].astype(str).str[:10] > date].iloc[::-1]
    if later.empty:
        return reg
    is_relation = later["kind"].astype(str) == RELATION
    actors = parse_actors(_undo(actors_text(reg.actors), later[~is_relation]), f"registre au {date}")
    rel_text = _undo(relations_text(reg.relations), later[is_relation])
    # A relation whose end did not exist yet on that day did not exist either.
    ids = set(actors["id"])
    rel_text = rel_text[rel_text["from_id"].isin(ids) & rel_text["to_id"].isin(ids)].reset_index(drop=True)
    relations = parse_relations(rel_text, actors, f"relations au {date}")
    return Registry(
        actors=actors,
        perimeters=reg.perimeters,
        aliases=reg.aliases,
        mergers=reg.mergers,
        directory=reg.directory,
        relations=relations,
    )


def _undo(text: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    """A table of text with the changes of ``later`` (newest first) undone."""
    text = text.set_index("id", drop=False)
    for e in later.itertuples(index=False):
        if e.action == "added":
            text = text.drop(index=e.id, errors="ignore")
        elif e.action == "changed" and e.id in text.index:
            for field, (old, _new) in json.loads(e.changes).items():
                text.at[e.id, field] = old
    return text.reset_index(drop=True).replace("", None)
