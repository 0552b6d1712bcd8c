"""One selection: what every view shows for a state. No folium, no streamlit.

The web map, the image export, the Statistiques and Données pages, the search and the CLI
all ask this module which records a :class:`~territoires.state.MapState` shows, in which
régions (of 2012 or of today, one property of the state), and which choropleth values and
classes it draws — so that two views of one state never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from territoires import charts, fmt, stats
from territoires.dataset import Dataset
from territoires.registry.join import OTHER_PLACE_COLUMNS
from territoires.state import MEMBER_LEVELS, SYSTEMS, MapState, RegionSystem, valid_as_of
from territoires.styles import SHORT_KIND, STAT_LABELS

# Records without a territory of their own (national scope, no place) are never on a map.
UNPLACED_LEVELS = ("national", "none")


def actor_year(df: pd.DataFrame) -> pd.Series:
    """The first year the text gives for an actor (founded, launched, joined), or NaN."""
    # Plain Python over a few hundred rows: ten times faster than pandas' string methods, on every rerun.
    years = []
    for values in zip(df["founded"], df["launched"], df["joined"], strict=True):
        found = [int(v[:4]) for v in values if isinstance(v, str) and v[:4].isdigit()]
        years.append(min(found) if found else float("nan"))
    return pd.Series(years, index=df.index, dtype=float)


def select_actors(placed: pd.DataFrame, state: MapState) -> pd.DataFrame:
    """The records the state shows: members (by level) and actors (by kind), in the selected régions."""
    return placed[actor_mask(placed, state)]


def actor_mask(placed: pd.DataFrame, state: MapState) -> np.ndarray:
    """Which rows of ``placed`` the state shows (:func:`select_actors`): counting them costs no copy of
    the table (a copy takes each of its text columns, the most of a rerun's time on a busy server)."""
    kind = placed["kind"]
    keep = kind.isin(state.kinds)
    if state.test_only:  # « Pôles témoins PTCE seulement »: every other actor is hidden, members stay
        keep &= (kind == "ptce_pole") & placed["test_pole"].fillna(False).astype(bool)
    if state.members:
        keep |= (kind == "rtes_member") & placed["level"].isin(state.levels)
    keep &= ~placed["level"].isin(UNPLACED_LEVELS)
    y = actor_year(placed)
    keep &= y.isna() | (y <= state.year)
    if state.regions:
        col = state.region_system.column
        inside = placed[col].isin(state.regions)
        other = OTHER_PLACE_COLUMNS.get(col)
        if other in placed.columns:  # a record placed in several régions shows in each
            wanted = set(state.regions)
            inside |= placed[other].map(lambda v: isinstance(v, str) and bool(wanted & set(v.split(";"))))
        keep &= inside
    return keep.to_numpy(dtype=bool)


def relation_ends(placed: pd.DataFrame, state: MapState) -> set[str]:
    """The records a relation the state shows may join: those the view shows anywhere in France (members
    by the members filter, actors by kind, « pôles témoins », year), and every partner.

    The régions are left to :func:`select_relations` (a relation leaving the selected régions is drawn).
    A record without a place is on no map; as an end it follows the same filters (a member by the
    members filter alone: its level is unknown).
    """
    anywhere = national(state)
    unplaced = placed["level"].isin(UNPLACED_LEVELS)
    # Given a level the view shows, select_actors judges it like any other record of its kind.
    as_if_placed = placed.assign(level=placed["level"].mask(unplaced, (state.levels or ("",))[0]))
    shown = set(select_actors(as_if_placed, anywhere)["id"])
    return shown | set(placed.loc[placed["kind"] == "partner", "id"])


def select_relations(relations: pd.DataFrame | None, state: MapState, placed: pd.DataFrame) -> pd.DataFrame:
    """The relations the state shows: of its types, known by its year, both ends shown by the view
    (:func:`relation_ends`), and an end in its régions. The one rule of the map and the statistics.

    A relation whose end has no place (national scope) is kept: the map counts it as not drawn.
    """
    if relations is None:
        return pd.DataFrame(columns=["id", "type", "from_id", "to_id"])
    if relations.empty:
        return relations  # its columns kept: the statistics read the ends' régions
    ends = relation_ends(placed, state)
    keep = relations["type"].isin(state.links) & relations["from_id"].isin(ends) & relations["to_id"].isin(ends)
    year = pd.to_numeric(relations["year"].map(lambda v: v[:4] if isinstance(v, str) else None), errors="coerce")
    keep &= year.isna() | (year <= state.year)
    if state.regions:
        col = state.region_system.column
        keep &= relations[f"from_{col}"].isin(state.regions) | relations[f"to_{col}"].isin(state.regions)
    return relations[keep.to_numpy(dtype=bool)]


def counterpart_regions(departements: pd.DataFrame, regions: Iterable[str], to_system: str) -> list[str]:
    """The régions of ``to_system`` ("2012" or "2016") that hold the given régions of the other system.

    Read from the départements (each carries its région of 2012 and of today): Rhône-Alpes (82)
    → Auvergne-Rhône-Alpes (84), and 84 → 82 and 83. In the given order, each once; unknown codes vanish.
    """
    to_col = SYSTEMS[to_system].column
    from_col = "reg" if to_col == "reg_2012" else "reg_2012"
    out: list[str] = []
    for r in regions:
        held = departements.loc[departements[from_col] == r, to_col].dropna().astype(str)
        out += [c for c in sorted(set(held)) if c not in out]
    return out


def national(state: MapState) -> MapState:
    """The same filters over the whole of France (statistics keep national totals)."""
    return replace(state, regions=())


def region_table(ds: Dataset, system: RegionSystem) -> pd.DataFrame:
    """The régions of a system (attributes, indexed by code)."""
    return ds.levels[system.level].set_index("code")


def selected_departements(ds: Dataset, state: MapState) -> pd.DataFrame:
    """The départements of the selected régions (all when none is selected), indexed by code."""
    deps = ds.levels["departements"].set_index("code")
    return deps[deps[state.region_system.column].isin(state.regions)] if state.regions else deps


def narrow_table(ds: Dataset, state: MapState, table: pd.DataFrame, by: str) -> pd.DataFrame:
    """The rows of a statistics ``table`` grouped ``by`` that lie in the selected régions."""
    if not state.regions:
        return table
    if by == "departement":
        keep = set(selected_departements(ds, state).index)
    elif by == state.region_system.by:
        keep = set(state.regions)
    else:  # régions of the other system: those that share a département with the selection
        col = {"region_2012": "reg_2012", "region": "reg"}[by]
        keep = set(selected_departements(ds, state)[col])
    return table[table["code"].isin(keep)]


@dataclass
class Choropleth:
    """A density statistic drawn as flat colours over units (régions, or départements of the selection)."""

    statistic: str
    label: str
    unit_level: str  # boundary level of the units: "departements", "regions_2012" or "regions"
    names: pd.Series  # index: unit code → name
    values: pd.Series  # index: unit code → value (NaN: no data)
    classification: charts.Classification

    def text(self, code: str) -> str:
        """« Isère — Par million d'habitants : 1,23 », for a tooltip."""
        v = self.values[code]
        txt = fmt.percent(v) if self.statistic == "share" else fmt.number(v, 0 if self.statistic == "count" else 2)
        return f"{self.names[code]} — {self.label} : {txt}"

    def colors(self) -> dict[str, str]:
        """Each unit's fill colour."""
        return {
            code: self.classification.color_of(int(c))
            for code, c in zip(self.values.index, self.classification.classes, strict=True)
        }


def choropleth(ds: Dataset, state: MapState) -> Choropleth | None:
    """The density statistic of the state: by région, or by département within the selected régions."""
    if not state.statistic:
        return None
    system = state.region_system
    by = "departement" if state.regions else system.by
    table = stats.density_table(ds.placed, stats.territories(ds.levels, by), state.stat_kind).set_index("code")
    if by == "departement":
        units, unit_level = selected_departements(ds, state), "departements"
    else:
        regions = region_table(ds, system)
        units = regions.loc[[r for r in state.regions if r in regions.index]] if state.regions else regions
        unit_level = system.level
    values = table[state.statistic].reindex(units.index).astype(float)
    return Choropleth(
        statistic=state.statistic,
        label=STAT_LABELS[state.statistic],
        unit_level=unit_level,
        names=units["nom"],
        values=values,
        classification=charts.classify(values.to_numpy(), state.method, state.classes),
    )


def classes_note(ds: Dataset, state: MapState) -> str:
    """Why the density shows fewer classes than asked (« 5 classes demandées, 2 possibles : … »), or ""."""
    ch = choropleth(ds, state.validated()) if state.statistic else None
    return ch.classification.message if ch is not None else ""


@dataclass
class Selection:
    """What a state shows: its records, its régions and its choropleth."""

    state: MapState
    system: RegionSystem
    actors: pd.DataFrame  # every record shown (members and actors)
    regions: pd.DataFrame  # the régions drawn (the selected ones, or all), indexed by code
    choropleth: Choropleth | None
    relations: pd.DataFrame | None = None  # the relations shown (« Coopérations »), see select_relations

    @property
    def members(self) -> pd.DataFrame:
        """The RTES members shown (empty when members are off)."""
        if not self.state.members:
            return self.actors.iloc[0:0]
        return self.actors[self.actors["kind"] == "rtes_member"]

    @property
    def levels_shown(self) -> list[str]:
        """Member levels with at least one member shown, large to small."""
        levels = set(self.members["level"])
        return [lv for lv in MEMBER_LEVELS if lv in levels]

    def markers(self, kind: str) -> pd.DataFrame:
        """The actors of one kind shown as markers."""
        return self.actors[self.actors["kind"] == kind]

    @property
    def kinds_shown(self) -> list[str]:
        """Actor kinds with at least one actor shown, in the state's order."""
        present = set(self.actors["kind"])
        return [k for k in self.state.kinds if k in present]


def select(ds: Dataset, state: MapState) -> Selection:
    """The selection of ``state`` over ``ds`` (the state is validated first)."""
    state = state.validated()
    system = state.region_system
    regions = region_table(ds, system)
    if state.regions:
        regions = regions.loc[[r for r in state.regions if r in regions.index]]
    return Selection(
        state=state,
        system=system,
        actors=select_actors(ds.placed, state),
        regions=regions,
        choropleth=choropleth(ds, state),
        relations=select_relations(ds.relations, state, ds.placed),
    )


def territory_names(ds: Dataset) -> dict[str, dict[str, str]]:
    """Names of régions (2012 and today's) and départements by code, per registry level."""
    return {
        "region_2012": ds.levels["regions_2012"].set_index("code")["nom"].to_dict(),
        "region": ds.levels["regions"].set_index("code")["nom"].to_dict(),
        "departement": ds.levels["departements"].set_index("code")["nom"].to_dict(),
    }


def title_for(state: MapState, ds: Dataset) -> str:
    """A title made from the filters, for presentation mode and exports."""
    if state.test_only:  # the other actors are hidden (select_actors)
        kinds = ["pôles PTCE témoins"] if "ptce_pole" in state.kinds else []
    else:
        kinds = [SHORT_KIND[k] for k in state.kinds]
    parts = (["adhérents du RTES"] if state.members else []) + kinds
    what = ", ".join(parts[:-1]) + (" et " if len(parts) > 1 else "") + parts[-1] if parts else "Territoires"
    names = region_table(ds, state.region_system)["nom"]
    where = ", ".join(names.get(r, r) for r in state.regions) if state.regions else "France"
    default = MapState()
    # The defaults read « France, 2012 »; a chosen year or registry date is said in words.
    when = [str(state.year) if state.year == default.year else f"connus en {state.year}"]
    if state.as_of and valid_as_of(state.as_of):
        when.append(f"registre au {fmt.date(state.as_of)}")
    return f"{what[0].upper()}{what[1:]} — {where}, {', '.join(when)}"


def source_line(ds: Dataset) -> str:
    """The source and date line of every map."""
    built = (ds.vintage.get("built_at") or "")[:10]
    return (
        f"Sources : lettre Transversales du RTES (automne 2012) ; contours IGN/INSEE "
        f"({ds.vintage.get('millesime')}), Licence Ouverte 2.0 ; carte Territoires du {fmt.date(built)}."
    )


def place_outside(ds: Dataset, state: MapState) -> bool:
    """Whether the searched place lies wholly outside the selected régions (then the map shows little)."""
    if not (state.place and state.regions):
        return False
    kind, _, code = state.place.partition(":")
    com = ds.levels["communes"]
    if kind == "commune2012" and ds.units is not None:
        held = ds.units.table.loc[ds.units.table.index == code]
    elif kind == "epci" and ds.units is not None and not (com["epci"] == code).any():
        # An intercommunality of 2012 (its SIREN is no EPCI today): its communes of 2012.
        held = ds.units.table.loc[ds.units.table.index.isin(ds.units.of("epci", code))]
    else:
        held = com[com["code"] == code] if kind == "commune" else com[com["epci"] == code]
    return not held[state.region_system.column].isin(state.regions).any()
