"""Statistiques: densities, ranking chart, concentration, coverage, and the newsletter's own figures."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from territoires import charts, coopstats, fmt, selection, stats
from territoires.registry.schema import KINDS
from territoires.ui.common import dataset, fr_styled, fr_table, sidebar_filters

BY_LABELS = {"region_2012": "Régions de 2012", "region": "Régions d'aujourd'hui", "departement": "Départements"}
# The page opens on the concentration the newsletter stresses: 4 of the 5 PTCE test poles in Rhône-Alpes.
DEFAULT_KIND = "ptce_pole"
TOP = {"departement": 30}  # a longer chart would push the table off the screen; régions are all shown
COLUMNS = {
    "nom": "Territoire",
    "count": "Nombre",
    "population": "Population",
    "area_km2": "Surface (km²)",
    "per_million": "Par million d'hab.",
    "per_10k_km2": "Pour 10 000 km²",
    "share": "Part",
    "location_quotient": "Quotient de localisation",
}


def render() -> None:
    """Draw the page."""
    ds = dataset()
    if ds is None:
        return
    state = sidebar_filters(ds)
    st.title("Statistiques régionales")
    by = st.radio(
        "Par",
        list(BY_LABELS),
        format_func=BY_LABELS.get,
        horizontal=True,
        key="s_by",
        index=list(BY_LABELS).index(state.by),
    )
    kinds = [k for k in stats.MAPPABLE_KINDS if k in state.kinds or (k == "rtes_member" and state.members)]
    if not kinds:
        st.info("Choisissez au moins un type d'acteur dans les filtres.")
        return
    _seed_kind(state, kinds)
    kind = st.selectbox("Type d'acteur", kinds, format_func=KINDS.get, key="s_kind")
    # The filters (year, pôles témoins) apply; régions narrow the rows shown, not the national totals.
    shown = selection.select_actors(ds.placed, selection.national(state))
    placed = ds.placed[ds.placed["id"].isin(shown["id"]) | (ds.placed["kind"] == "regional_figure")]
    terr = stats.territories(ds.levels, by)
    table = stats.density_table(placed, terr, kind)
    conc = stats.concentration(table, kind, by)
    table = selection.narrow_table(ds, state, table, by)
    _concentration(conc)
    _ranking(table, kind, by)
    st.dataframe(
        fr_styled(
            fr_table(table, COLUMNS),
            decimals={"Par million d'hab.": 2, "Pour 10 000 km²": 2, "Quotient de localisation": 2},
            percent=("Part",),
        ),
        hide_index=True,
        width="stretch",
    )
    left = stats.unattributed(placed, by, [kind])
    if len(left):
        st.text("Non attribuables à ce niveau (la lettre ne les situe que plus largement) : " + ", ".join(left["name"]))
    _cooperation(ds, state, by)
    _newsletter_figures(ds)
    _coverage(ds, terr)


def _seed_kind(state, kinds: list[str]) -> None:
    """The kind the page opens on: the user's choice while it is offered, else the density kind of the
    state (a shared link's « densite_de »), else PTCE poles, else the first kind the filters allow."""
    if st.session_state.get("s_kind") in kinds:
        return
    preferred = [k for k in (state.stat_kind, DEFAULT_KIND) if k in kinds]
    st.session_state["s_kind"] = preferred[0] if preferred else kinds[0]


def _ranking(table: pd.DataFrame, kind: str, by: str) -> None:
    """The ranking chart of the territories that have some: all régions, the first départements."""
    ranked = table[table["count"] > 0]
    if ranked.empty:
        st.text(f"Aucun enregistrement de ce type ({KINDS[kind]}) dans ces territoires.")
        return
    st.altair_chart(
        charts.ranking_chart(ranked, "count", title=f"{KINDS[kind]} : nombre par territoire", top=TOP.get(by)),
        width="stretch",
    )


def _concentration(conc: stats.Concentration) -> None:
    """Total, leaders and concentration indices of one kind."""
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Total (France)", fmt.number(conc.total))
    c2.metric("En tête", f"{conc.leader_count} ({fmt.percent(conc.leader_share, 0)})" if conc.total else "–")
    c3.metric(
        "Indice de Herfindahl",
        fmt.number(conc.herfindahl, 2) if conc.total else "–",
        help="Somme des carrés des parts : 1 si tout est dans un seul territoire.",
    )
    c4.metric(
        "Indice de Gini",
        fmt.number(conc.gini, 2) if conc.total else "–",
        help="0 si la répartition est égale entre les territoires, proche de 1 si elle est concentrée.",
    )
    if conc.leaders:
        st.text("En tête : " + ", ".join(conc.leaders))


def cooperation_view(ds, state, by: str) -> tuple[coopstats.CoopReport, pd.DataFrame]:
    """The cooperation report by région and its rows as the page shows them (the selected régions, then
    the national total), under French headers."""
    system = by if by in coopstats.BY else state.by  # départements: the régions of the page's system
    # The relations the map draws for these filters (both ends shown), counted over the whole country.
    shown = selection.select_relations(ds.relations, selection.national(state), ds.placed)
    rep = coopstats.report(shown, ds.levels, system)
    regions = rep.table[rep.table["code"] != coopstats.NATIONAL[0]]
    rows = pd.concat([selection.narrow_table(ds, state, regions, system), rep.table.tail(1)])
    return rep, fr_table(rows, coopstats.LABELS_FR)


def _cooperation(ds, state, by: str) -> None:
    """Relations, local authorities engaged and declared amounts per région."""
    st.header("Coopérations par région")
    rep, view = cooperation_view(ds, state, by)
    regions = rep.table[(rep.table["code"] != coopstats.NATIONAL[0]) & (rep.table["relations"] > 0)]
    shown = regions[regions["code"].isin(view["Code"])]
    if len(shown):
        st.altair_chart(
            charts.ranking_chart(shown, "relations", title="Relations par région", value_title="Relations"),
            width="stretch",
        )
    st.dataframe(
        fr_styled(view, decimals={"Montants en €": 0, "dont montants approchés (€)": 0}),
        hide_index=True,
        width="stretch",
    )
    st.text("\n".join(rep.notes()))


FIGURE_HEADERS = {
    "territoire": "Territoire",
    "label": "Ce qui est compté",
    "reading": "Ce que dit la lettre",
    "quote": "Citation",
}


LEVEL_NOUNS = {
    "region_2012": "Région de 2012",
    "region": "Région",
    "departement": "Département",
    "epci": "Intercommunalité",
    "commune": "Commune",
}


def figure_place(level: object, code: object, names: dict[str, dict[str, str]]) -> str:
    """Where a figure applies, in words: « France entière », « Rhône-Alpes (82) » — never a bare code."""
    code = code.strip() if isinstance(code, str) else ""
    level = level if isinstance(level, str) else ""
    if level == "national" or code == "FR":
        return "France entière"
    name = names.get(level, {}).get(code)
    if name:
        return f"{name} ({code})"
    if not code:
        return "Territoire non précisé"
    return f"{LEVEL_NOUNS.get(level, 'Territoire')} de code {code} (nom inconnu)"


def figures_table(placed: pd.DataFrame, names: dict[str, dict[str, str]]) -> pd.DataFrame:
    """The newsletter's figures, one row per figure, under French headers (text only, no raw JSON)."""
    fig = stats.figures(placed)
    where = [figure_place(lv, c, names) for lv, c in zip(fig["level"], fig["code"], strict=True)]
    return fr_table(fig.assign(territoire=where), FIGURE_HEADERS)


def _newsletter_figures(ds) -> None:
    """The figures the newsletter gives for whole territories (not counted)."""
    st.header("Chiffres donnés par la lettre (non comptés)")
    st.dataframe(figures_table(ds.placed, selection.territory_names(ds)), hide_index=True, width="stretch")


def _coverage(ds, terr) -> None:
    """Members per territory, and the population and area they cover."""
    st.header("Couverture par les adhérents du RTES")
    cov = stats.coverage(ds.placed, ds.registry.perimeters, terr)
    cov = fr_table(
        cov,
        {
            "nom": "Territoire",
            "members": "Adhérents",
            "members_region_2012": "Régions",
            "members_departement": "Départements",
            "members_epci": "Intercommunalités",
            "members_commune": "Villes",
            "covered_population_share": "Part de la population",
            "covered_area_share": "Part de la surface",
        },
    )
    st.dataframe(
        fr_styled(cov, percent=("Part de la population", "Part de la surface")), hide_index=True, width="stretch"
    )
    st.caption("Population municipale et surfaces calculées des contours embarqués ; millésime :")
    st.text(str(ds.vintage.get("millesime")))
