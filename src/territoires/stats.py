"""Regional density statistics: counts, coverage, densities, location quotients, concentration.

Pure functions over the joined registry and the boundary store (no streamlit),
for the CLI, the dashboard and tests alike.  Territories are the régions of
2012 (``region_2012``), today's régions (``region``) or départements.

- An actor counts in the territory its record places it in: a commune, an
  intercommunality (the département or région holding most of its 2012
  population), a département, a région.  An actor placed only in a région of
  2012 cannot be counted by département; it is reported as not attributable at
  that level, never spread or guessed.
- Figures the newsletter gives for a whole territory (``regional_figure``)
  stay in their own table, labelled as such.
- Coverage by RTES members is the union of the communes their territories hold
  (a member région covers its communes), so overlapping memberships are counted
  once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from territoires.registry.join import Units, units_2012
from territoires.state import MAP_KINDS

BY = ("region_2012", "region", "departement")
# Column of the joined registry holding the territory's code, per grouping.
KEY = {"region_2012": "reg_2012", "region": "reg", "departement": "dep"}
# Levels an actor record may have, per grouping, for it to be attributable.
ATTRIBUTABLE = {
    "region_2012": {"region_2012", "departement", "epci", "commune", "point"},
    "region": {"region", "region_2012", "departement", "epci", "commune", "point"},
    "departement": {"departement", "epci", "commune", "point"},
}
# Every kind that is counted (the figures for whole territories are not: they stand apart).
MAPPABLE_KINDS = ("rtes_member", *MAP_KINDS)
COLUMNS_ONE_KIND = [
    "code",
    "nom",
    "count",
    "population",
    "area_km2",
    "per_million",
    "per_10k_km2",
    "share",
    "location_quotient",
]


@dataclass
class Territories:
    """Population and area per territory, from the boundary store, with their vintage."""

    by: str
    table: pd.DataFrame  # index code: nom, population, area_km2
    communes: pd.DataFrame  # index code: dep, reg, reg_2012, epci, population, area_km2
    vintage: dict[str, str] = field(default_factory=dict)
    units: pd.DataFrame | None = None  # the communes of 2012 (registry.join.units_2012), when the store has them


def territories(levels: dict[str, pd.DataFrame], by: str, vintage: dict[str, str] | None = None) -> Territories:
    """Build :class:`Territories` from loaded store levels (``communes`` and the ``by`` level)."""
    if by not in BY:
        raise ValueError(f"regroupement inconnu : {by!r} (attendu : {', '.join(BY)})")
    level = {"region_2012": "regions_2012", "region": "regions", "departement": "departements"}[by]
    t = pd.DataFrame(levels[level]).set_index("code")[["nom", "population", "area_km2"]]
    t["population"] = t["population"].astype("Float64")
    c = pd.DataFrame(levels["communes"]).set_index("code")[["dep", "reg", "reg_2012", "epci", "population", "area_km2"]]
    units = units_2012(c, levels["communes_2012"]) if "communes_2012" in levels else None
    return Territories(by=by, table=t, communes=c, vintage=vintage or {}, units=units)


def attribute(joined: pd.DataFrame, by: str) -> pd.DataFrame:
    """Each mappable actor with ``territory`` (its code at level ``by``) or NaN if not attributable."""
    a = joined[joined["kind"].isin(MAPPABLE_KINDS)].copy()
    ok = a["level"].isin(ATTRIBUTABLE[by])
    a["territory"] = a[KEY[by]].where(ok)
    return a


def counts(joined: pd.DataFrame, terr: Territories, kinds: list[str]) -> pd.DataFrame:
    """One column per kind: the number of actors of that kind per territory (every territory listed)."""
    a = attribute(joined, terr.by)
    a = a[a["kind"].isin(kinds)]
    table = pd.crosstab(a["territory"], a["kind"]).reindex(index=terr.table.index, columns=kinds, fill_value=0)
    return table.fillna(0).astype(int)


def unattributed(joined: pd.DataFrame, by: str, kinds: list[str]) -> pd.DataFrame:
    """Actors of ``kinds`` that cannot be counted at level ``by`` (too vague, or not located)."""
    a = attribute(joined, by)
    return a[a["kind"].isin(kinds) & a["territory"].isna()][["id", "kind", "name", "level", "code"]]


def density_table(joined: pd.DataFrame, terr: Territories, kind: str) -> pd.DataFrame:
    """The one-kind table: count, population, area, densities, share, location quotient."""
    n = counts(joined, terr, [kind])[kind]
    t = terr.table.copy()
    t["count"] = n
    pop = t["population"].astype(float)
    area = t["area_km2"].astype(float)
    total = float(n.sum())
    total_pop = float(np.nansum(pop))
    t["per_million"] = t["count"] / pop * 1e6
    t["per_10k_km2"] = t["count"] / area * 1e4
    t["share"] = t["count"] / total if total else np.nan
    # Location quotient: the territory's share of the actors over its share of the population.
    t["location_quotient"] = t["share"] / (pop / total_pop) if total else np.nan
    t = t.reset_index()[COLUMNS_ONE_KIND]
    return t.sort_values(["count", "per_million"], ascending=[False, False], kind="stable").reset_index(drop=True)


def multi_kind_table(joined: pd.DataFrame, terr: Territories, kinds: list[str]) -> pd.DataFrame:
    """One count column per kind, then population and area; sorted by the total."""
    c = counts(joined, terr, kinds)
    t = terr.table.join(c)
    t = t.reset_index()[["code", "nom", *kinds, "population", "area_km2"]]
    order = t[kinds].sum(axis=1).sort_values(ascending=False, kind="stable").index
    return t.loc[order].reset_index(drop=True)


# ------------------------------------------------------------------ concentration
def herfindahl(counts_: pd.Series) -> float:
    """Herfindahl–Hirschman index of the shares (1/n when even, 1 when all in one)."""
    total = counts_.sum()
    if not total:
        return float("nan")
    s = counts_ / total
    return float((s**2).sum())


def gini(values: pd.Series) -> float:
    """Gini coefficient of non-negative values (0 even, → 1 all in one)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return float("nan")
    cum = np.cumsum(x)
    return float((n + 1 - 2 * (cum / cum[-1]).sum()) / n)


@dataclass
class Concentration:
    """How concentrated a kind of actor is over the territories."""

    kind: str
    by: str
    total: int
    herfindahl: float
    gini: float
    leaders: list[str]
    leader_count: int
    leader_share: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def concentration(table: pd.DataFrame, kind: str, by: str) -> Concentration:
    """From a :func:`density_table`: HHI, Gini and the leading territory (ties listed)."""
    c = table.set_index("code")["count"]
    top = int(c.max()) if len(c) else 0
    leaders = sorted(table.loc[table["count"] == top, "nom"]) if top else []
    total = int(c.sum())
    return Concentration(
        kind=kind,
        by=by,
        total=total,
        herfindahl=herfindahl(c),
        gini=gini(c),
        leaders=leaders,
        leader_count=top,
        leader_share=(top / total) if total else float("nan"),
    )


# ---------------------------------------------------------------------- coverage
def member_communes(joined: pd.DataFrame, units: Units) -> pd.DataFrame:
    """Which communes of 2012 each RTES member's territory holds (:meth:`.join.Units.of_record`)."""
    rows = []
    for m in joined[joined["kind"] == "rtes_member"].itertuples(index=False):
        rows.extend((m.id, m.level, c) for c in units.of_record(m))
    return pd.DataFrame(rows, columns=["member", "member_level", "commune"])


def coverage(joined: pd.DataFrame, reg_perimeters: pd.DataFrame, terr: Territories) -> pd.DataFrame:
    """Members, and the population and area their territories cover, per territory, each commune of 2012 once.

    The population of a commune of today that gathers several communes of 2012 is shared out by
    area (:func:`~territoires.registry.join.units_2012`).
    """
    if terr.units is None:
        raise ValueError("la couche des communes de 2012 manque (levels['communes_2012'])")
    units = Units.build(terr.units, reg_perimeters)
    mc = member_communes(joined, units)
    covered = terr.units.loc[terr.units.index.isin(mc["commune"])]
    key = KEY[terr.by]
    t = terr.table.copy()
    t["covered_population"] = covered.groupby(key)["population"].sum(min_count=1).reindex(t.index).fillna(0).round()
    t["covered_area_km2"] = covered.groupby(key)["area_km2"].sum().reindex(t.index).fillna(0)
    # Shares of the same units' totals: a commune of 2012 may lie in another département than the
    # commune that holds it today (Freigné, 49, now in Vallons-de-l'Erdre, 44).
    total = terr.units.groupby(key)[["population", "area_km2"]].sum().reindex(t.index)
    t["covered_population_share"] = t["covered_population"].astype(float) / total["population"].astype(float)
    t["covered_area_share"] = (t["covered_area_km2"] / total["area_km2"]).clip(upper=1.0)  # float sums
    t["covered_area_km2"] = t["covered_area_km2"].round(1)
    a = attribute(joined[joined["kind"] == "rtes_member"], terr.by)
    by_level = pd.crosstab(a["territory"], a["level"]).reindex(t.index, fill_value=0)
    for lvl in ("region_2012", "region", "departement", "epci", "commune"):
        t[f"members_{lvl}"] = by_level.get(lvl, 0)
    t["members"] = t[[c for c in t.columns if c.startswith("members_")]].sum(axis=1)
    t = t.reset_index()
    return t.sort_values(["members", "covered_population"], ascending=False, kind="stable").reset_index(drop=True)


FIGURE_COLUMNS = ["nature", "id", "name", "level", "code", "reg_2012", "label", "reading", "value", "value_max"]
FIGURE_COLUMNS += ["unit", "kind", "year", "status", "quote", "source_section", "source_quote"]


def figures(joined: pd.DataFrame) -> pd.DataFrame:
    """The figures the newsletter gives for whole territories, labelled as such: one row per figure,
    with its French reading (:func:`territoires.registry.figures.reading`) and its own quote (else the
    record's)."""
    from territoires import readable

    rows = []
    for a in joined[joined["kind"] == "regional_figure"].to_dict("records"):
        for f in readable.figure_list(a):
            rows.append(
                {
                    "nature": "chiffre donné par la lettre (non compté)",
                    **{k: a.get(k) for k in ("id", "name", "level", "code", "reg_2012")},
                    "label": f.label,
                    "reading": readable.fig.reading(f),
                    "value": f.value,
                    "value_max": f.value_max,
                    "unit": f.unit,
                    "kind": f.kind,
                    "year": f.year,
                    "status": readable.STATUSES.get(f.status or "", ""),
                    "quote": f.quote or a.get("source_quote"),
                    "source_section": a.get("source_section"),
                    "source_quote": a.get("source_quote"),
                }
            )
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS)


# ------------------------------------------------------------------------ render
LABELS_FR = {
    "code": "code",
    "nom": "territoire",
    "count": "nombre",
    "population": "population",
    "area_km2": "surface (km²)",
    "per_million": "par million d'hab.",
    "per_10k_km2": "pour 10 000 km²",
    "share": "part",
    "location_quotient": "quotient de localisation",
    "covered_population": "population couverte",
    "covered_area_km2": "surface couverte (km²)",
    "covered_population_share": "part de la population",
    "covered_area_share": "part de la surface",
    "members": "adhérents",
    "members_region_2012": "régions",
    "members_region": "régions (2016)",
    "members_departement": "départements",
    "members_epci": "intercommunalités",
    "members_commune": "villes",
    "label": "chiffre",
    "reading": "lecture",
    "quote": "citation",
}


def to_markdown(table: pd.DataFrame) -> str:
    """A Markdown table with French headers and French number formats."""
    from territoires import fmt

    def cell(col: str, v: Any) -> str:
        if isinstance(v, str) or v is None:
            return (v or "").replace("|", "\\|")
        if pd.isna(v):
            return "–"
        if col in ("share", "covered_population_share", "covered_area_share"):
            return fmt.percent(float(v))
        if col in ("per_million", "per_10k_km2", "location_quotient"):
            return fmt.number(float(v), 2)
        if col in ("area_km2", "covered_area_km2", "value", "value_max"):
            return fmt.number(float(v), 0)
        return fmt.number(float(v), 0) if isinstance(v, int | float | np.integer | np.floating) else str(v)

    cols = list(table.columns)
    head = "| " + " | ".join(LABELS_FR.get(c, c) for c in cols) + " |"
    sep = "|" + "|".join("---:" if pd.api.types.is_numeric_dtype(table[c]) else "---" for c in cols) + "|"
    body = [
        "| " + " | ".join(cell(c, v) for c, v in zip(cols, row, strict=True)) + " |"
        for row in table.itertuples(index=False)
    ]
    return "\n".join([head, sep, *body])


# ------------------------------------------------------------------------ reports
@dataclass
class Report:
    """The statistics of the ``territoires stats`` command, ready to be written as CSV, JSON or Markdown."""

    by: str
    kinds: list[str]
    table: pd.DataFrame
    concentration: list[dict[str, Any]]
    unattributed: pd.DataFrame
    figures: pd.DataFrame
    vintage: str

    def to_csv(self) -> str:
        """The table alone, as CSV."""
        return self.table.to_csv(index=False, lineterminator="\n")

    def to_json(self) -> str:
        """Everything, as JSON (French keys for what the newsletter gives)."""
        import json

        doc = {
            "by": self.by,
            "kinds": self.kinds,
            "table": json.loads(self.table.to_json(orient="records")),
            "concentration": self.concentration,
            "non_attribues": self.unattributed.to_dict(orient="records"),
            "chiffres_de_la_lettre": json.loads(self.figures.to_json(orient="records", force_ascii=False)),
            "millesime": self.vintage,
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"

    def to_markdown(self) -> str:
        """The table, the concentration of each kind, the left-outs and the newsletter's figures, in French."""
        from territoires import fmt

        parts = [to_markdown(self.table), ""]
        for c in self.concentration:
            if c["total"]:
                parts.append(
                    f"*{c['kind']}* : {c['total']} au total ; en tête : {', '.join(c['leaders'])} "
                    f"({c['leader_count']}, {fmt.percent(c['leader_share'], 0)}) ; indice de Herfindahl "
                    f"{fmt.number(c['herfindahl'], 2)} ; indice de Gini {fmt.number(c['gini'], 2)}."
                )
        if len(self.unattributed):
            parts.append(f"Non attribuables à ce niveau : {', '.join(self.unattributed['name'])}.")
        parts += ["", "Chiffres donnés par la lettre (non comptés) :", ""]
        parts += [f"- {r.reading} ({r.code})" for r in self.figures.itertuples()]
        parts += ["", f"Millésime : {self.vintage}."]
        return "\n".join(parts) + "\n"


def report(
    placed: pd.DataFrame,
    perimeters: pd.DataFrame,
    levels: dict[str, pd.DataFrame],
    vintage: dict[str, Any],
    by: str,
    kinds: list[str],
    coverage_table: bool = False,
) -> Report:
    """The statistics ``by`` territory of ``kinds`` (or the members' coverage), with their context."""
    terr = territories(levels, by)
    if coverage_table:
        table = coverage(placed, perimeters, terr)
    elif len(kinds) == 1:
        table = density_table(placed, terr, kinds[0])
    else:
        table = multi_kind_table(placed, terr, kinds)
    return Report(
        by=by,
        kinds=kinds,
        table=table,
        concentration=[concentration(density_table(placed, terr, k), k, by).as_dict() for k in kinds],
        unattributed=unattributed(placed, by, kinds),
        figures=figures(placed),
        vintage=f"{vintage['population']} et {vintage['surface']} ; source : {vintage['source']} "
        f"({vintage['millesime']})",
    )
