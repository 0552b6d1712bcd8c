"""No member drawn larger than it was: each member's drawn area against its communes of 2012.

The map draws a member from the ``communes_2012`` layer (:func:`~territoires.registry.join.record_shape`).
This check measures what is drawn, at full resolution and in an equal-area projection, and
compares it with the sum of the areas of the 2012 communes the member held
(:meth:`~territoires.registry.join.Units.of_record`): a territory drawn through today's
communes (a commune nouvelle, a merger) or from a wrong outline shows as a gap.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from territoires import fmt
from territoires.geo.reader import Boundaries
from territoires.geo.surface import equal_area_km2
from territoires.registry.files import PERIMETERS_FILE
from territoires.registry.join import Units, attribute_tables, drawn_from_units, record_shape
from territoires.registry.loader import Registry

TOLERANCE = 0.02  # 2 %: above the float noise of unions and of the equal-area projection
AREA_COLUMNS = ["id", "name", "level", "code", "drawn_km2", "communes_km2", "gap", "approx"]


def member_areas(reg: Registry, base: Path | None = None, units: Units | None = None) -> pd.DataFrame:
    """Every member with its drawn area and the area of its 2012 communes (km², equal-area)."""
    if units is None:
        table, _com, _dep = attribute_tables(base)
        units = Units.build(table, reg.perimeters)
    b = Boundaries(base, scale=None)
    rows = []
    for a in reg.actors[reg.actors["kind"] == "rtes_member"].itertuples(index=False):
        # codes missing from the layer are reported by perimeter_problems; measure the others
        codes = [c for c in units.of_record(a) if c in units.table.index]
        if not codes:
            continue  # unplaced members are listed by the check already
        g = record_shape(a, units, b)
        t = units.table.loc[codes]
        dep = t["dep"].mode().iat[0]
        drawn = float(equal_area_km2(np.array([g], dtype=object), np.array([dep]))[0]) if g is not None else 0.0
        expected = float(t["area_km2"].sum())
        gap = drawn / expected - 1.0 if expected > 0 else float("inf")
        approx = drawn_from_units(a) and units.approximate(codes)
        rows.append((a.id, a.name, a.level, a.code, drawn, expected, gap, approx))
    return pd.DataFrame(rows, columns=AREA_COLUMNS)


def area_problems(areas: pd.DataFrame, tolerance: float = TOLERANCE) -> list[str]:
    """One French line per member whose drawn area differs from its 2012 communes' by more than ``tolerance``."""
    out = []
    for r in areas[areas["gap"].abs() > tolerance].itertuples(index=False):
        out.append(
            f"{r.id} ({r.name}) : dessiné sur {fmt.number(r.drawn_km2, 1)} km², ses communes de 2012 "
            f"font {fmt.number(r.communes_km2, 1)} km² ({'+' if r.gap > 0 else ''}{fmt.percent(r.gap)})"
            " : le tracé ne suit pas les communes de 2012."
        )
    return out


def perimeter_problems(reg: Registry, units: Units) -> list[str]:
    """Perimeter rows whose 2012 commune is not in the 2012 layer, or whose commune of today disagrees with it."""
    t = units.table
    out = []
    for row in reg.perimeters.itertuples(index=False):
        where = (
            f"{PERIMETERS_FILE} : EPCI {row.siren_2012}, commune de 2012 {row.commune_2012} ({row.nom_commune_2012})"
        )
        if row.commune_2012 not in t.index:
            out.append(f"{where} absente de la couche des communes de 2012 (data/geo/communes_2012.parquet).")
        elif t.at[row.commune_2012, "commune"] != row.commune:
            out.append(
                f"{where} : commune d'aujourd'hui {row.commune} dans le fichier, "
                f"{t.at[row.commune_2012, 'commune']} dans la couche de 2012."
            )
    return out
