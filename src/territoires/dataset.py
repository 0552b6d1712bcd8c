"""Everything the statistics and the dashboard read, loaded once and checked.

The boundary store's attribute tables (no geometry) and the registry placed in
its territories.  Geometries are loaded separately, per display scale, by the
map (:class:`territoires.geo.reader.Boundaries`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from territoires.geo import store
from territoires.geo.reader import load_attributes
from territoires.registry.changes import as_of as registry_as_of
from territoires.registry.join import place
from territoires.registry.loader import Registry
from territoires.registry.storage import open_store


@dataclass
class Dataset:
    """The registry placed in its territories, and the territories' attributes."""

    registry: Registry
    placed: pd.DataFrame
    levels: dict[str, pd.DataFrame]
    vintage: dict[str, Any]
    base: Path | None = None
    changelog: pd.DataFrame | None = None
    as_of: str = ""
    where: str = ""


def load_dataset(base: Path | None = None, as_of: str = "") -> Dataset:
    """Load and check the store's attributes and the registry; raise a French error on problems.

    With ``as_of`` (YYYY-MM-DD), the registry as it was that day: later changes of the change log undone.
    """
    store.ensure_complete(base)
    levels = {
        lvl: load_attributes(lvl, base=base) for lvl in ("communes", "departements", "regions", "regions_2012", "epci")
    }
    manifest = store.read_manifest(base)
    registry_store = open_store(base)
    reg = registry_store.load()
    changelog = registry_store.changelog()
    if as_of:
        reg = registry_as_of(reg, changelog, as_of)
    com = levels["communes"].set_index("code")
    dep = levels["departements"].set_index("code")
    placed = place(reg, com, dep)
    src = manifest.get("source", {})
    vintage = {
        "source": src.get("source"),
        "millesime": src.get("vintage"),
        "licence": src.get("licence"),
        "population": "population municipale de la source des contours",
        "surface": "surface calculée en projection équivalente (LAEA) sur les contours",
        "built_at": manifest.get("built_at"),
    }
    return Dataset(
        registry=reg,
        placed=placed,
        levels=levels,
        vintage=vintage,
        base=base,
        changelog=changelog,
        as_of=as_of,
        where=registry_store.description,
    )
