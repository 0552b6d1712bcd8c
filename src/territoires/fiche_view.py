"""A territory's fiche as a view of the map: one rule for the Diaporama's slides and the static site."""

from __future__ import annotations

from dataclasses import replace

from territoires.dataset import Dataset
from territoires.fiche import territory
from territoires.state import MapState


def map_state(ds: Dataset, level: str, code: str) -> MapState:
    """The map of the fiche ``level``/``code``: its région of 2012 with the territory outlined (a commune,
    of today or of 2012, or an EPCI), a département's communes, or the région itself.

    A French error (from :func:`~territoires.fiche.territory`) if there is no such territory.
    """
    t = territory(ds, level, code)
    reg = (t.region_2012 or {}).get("code")
    base = MapState(layers=("departements", "epci"), regions=(reg,) if reg else ())
    if t.level == "commune":
        kind = "commune" if t.code in set(ds.levels["communes"]["code"].astype(str)) else "commune2012"
        return replace(base, place=f"{kind}:{t.code}").validated()
    if t.level == "epci":
        return replace(base, place=f"epci:{t.code}").validated()
    if t.level in ("region", "region_2012"):
        return replace(base, system="2016" if t.level == "region" else "2012", regions=(t.code,)).validated()
    return replace(base, communes_of=t.code, layers=("departements",)).validated()
