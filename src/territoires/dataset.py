"""Everything the statistics and the dashboard read, loaded once and checked.

The boundary store's attribute tables (no geometry) and the registry placed in
its territories.  Geometries are loaded separately, per display scale, by the
map (:class:`territoires.geo.reader.Boundaries`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from territoires.geo import store
from territoires.geo.reader import load_attributes
from territoires.registry.changes import as_of as registry_as_of
from territoires.registry.join import Units, place, units_2012
from territoires.registry.loader import Registry
from territoires.registry.relations import empty, ends
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
    units: Units | None = None  # the communes of 2012 every territory is made of
    # Who works with whom: each relation with its two ends' names and places (registry.relations.ends).
    relations: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if self.relations is None:  # a dataset built by hand (tests) may have no registry
            rels = self.registry.relations if self.registry is not None else empty()
            self.relations = ends(rels, self.placed)


def load_dataset(base: Path | None = None, as_of: str = "") -> Dataset:
    """Load and check the store's attributes and the registry; raise a French error on problems.

    With ``as_of`` (YYYY-MM-DD), the registry as it was that day: later changes of the change log undone.
    """
    store.ensure_complete(base)
    levels = {
        lvl: load_attributes(lvl, base=base)
        for lvl in ("communes", "communes_2012", "departements", "regions", "regions_2012", "epci")
    }
    manifest = store.read_manifest(base)
    registry_store = open_store(base)
    reg = registry_store.load()
    changelog = registry_store.changelog()
    if as_of:
        reg = registry_as_of(reg, changelog, as_of)
    com = levels["communes"].set_index("code")
    dep = levels["departements"].set_index("code")
    units = Units.build(units_2012(com, levels["communes_2012"]), reg.perimeters)
    placed = place(reg, units, dep)
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
        units=units,
    )


def effective_date(changelog: pd.DataFrame | None, as_of: str) -> str:
    """The date that gives the same registry as ``as_of`` with the fewest distinct values: "" (today)
    when no change came after it, else the day of the last change up to it (or "0000-00-00", before all)."""
    if changelog is None or changelog.empty or not as_of:
        return ""
    days = changelog["at"].astype(str).str[:10]
    if not (days > as_of).any():
        return ""
    earlier = days[days <= as_of]
    return str(earlier.max()) if len(earlier) else "0000-00-00"


def at_date(ds: Dataset, as_of: str) -> Dataset:
    """The dataset with its registry as it was at the end of ``as_of``: the territories are shared."""
    reg = registry_as_of(ds.registry, ds.changelog, as_of)
    dep = ds.levels["departements"].set_index("code")
    units = ds.units
    if units is None:  # a dataset built by hand (tests): the units from its levels
        units = Units.build(
            units_2012(ds.levels["communes"].set_index("code"), ds.levels["communes_2012"]), reg.perimeters
        )
    placed = place(reg, units, dep)
    return replace(ds, registry=reg, placed=placed, as_of=as_of, relations=ends(reg.relations, placed))
