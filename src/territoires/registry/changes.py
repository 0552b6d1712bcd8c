"""The change log's side of the registry: when a change is stamped, and the registry as it was on a date."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from territoires.registry.loader import Registry, actors_text, parse_actors


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
    text = actors_text(reg.actors).set_index("id", drop=False)
    for e in later.itertuples(index=False):
        if e.action == "added":
            text = text.drop(index=e.id, errors="ignore")
        elif e.action == "changed" and e.id in text.index:
            for field, (old, _new) in json.loads(e.changes).items():
                text.at[e.id, field] = old
    text = text.reset_index(drop=True).replace("", None)
    return Registry(
        actors=parse_actors(text, f"registre au {date}"),
        perimeters=reg.perimeters,
        aliases=reg.aliases,
        mergers=reg.mergers,
        directory=reg.directory,
    )
