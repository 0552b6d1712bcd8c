"""What the pages share: loading once (cached), French errors without traceback, the filters."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import logging
from typing import Any

import pandas as pd
import streamlit as st

from territoires import assets, snapshot
from territoires.dataset import Dataset, at_date, effective_date, load_dataset
from territoires.errors import TerritoiresError
from territoires.registry.schema import KINDS
from territoires.registry.storage import RegistryStore, open_store
from territoires.state import (
    MAP_KINDS,
    MEMBER_LEVELS,
    RELATION_TYPES,
    SYSTEMS,
    MapState,
    as_of_problem,
    from_query,
    parse_date_fr,
    to_query,
)
from territoires.styles import RELATION_STYLE
from territoires.webmap.geometry import GeometryCache


def guarded(render):
    """Wrap a page: a data problem shows its French message, anything else a French notice — never a traceback."""

    @functools.wraps(render)
    def page() -> None:
        try:
            follow_registry()
            render()
        except TerritoiresError as exc:
            show_error(exc)
        except Exception:  # logged for the operator, summarised in French for the user
            logging.getLogger("territoires").exception("page %s", render.__module__)
            show_error(
                TerritoiresError(
                    "Une erreur inattendue empêche d'afficher cette page.",
                    todo="vérifier les données (« territoires geo check », « territoires data check ») ; "
                    "le détail est dans le journal du serveur.",
                )
            )

    return page


def show_error(exc: TerritoiresError, headline: str = "Les données ne peuvent pas être chargées.") -> None:
    """A French message as plain text (data strings are never rendered as Markdown) under ``headline``."""
    st.error(headline)
    st.text(exc.message)


@st.cache_resource(show_spinner=False)
def registry_store() -> RegistryStore:
    """Where the registry lives (its files, or PostgreSQL: one connection pool per process)."""
    return open_store()


_seen_version: dict[str, str] = {}  # the registry version this process's caches were made from


def follow_registry() -> None:
    """At the start of every run: if the registry changed (an import from the CLI, another server,
    another session), forget the cached data so this visitor sees it — one cheap version read."""
    try:
        version = registry_store().version()
    except Exception:  # the store is unreachable: the page itself will say so in French
        return
    seen = _seen_version.get("v")
    if seen is not None and seen != version:
        _seen_version.pop("v", None)  # set again by the next load
        reload_data()


@st.cache_resource(show_spinner="Chargement des données…", max_entries=4)
def _geometry(as_of: str = "") -> GeometryCache:
    """The dataset (as of a date, or current) and its map caches, once per process.

    Pure data, shared by every session: the folium map itself is built anew on every run
    (:func:`map_for`). The current one comes from the start-up snapshot when it matches the
    data and the code. A past one shares the current one's boundaries (the heavy part).
    """
    if not assets.installed():
        assets.install()  # from the installed XStatic packages: no network
    if not as_of:
        # Read before the data: a change made while it loads is seen (and reloaded) at the next run.
        _seen_version["v"] = registry_store().version()
        cache = snapshot.load()
        if cache is not None:
            return cache
        return GeometryCache(load_dataset())
    today = _geometry("")
    return GeometryCache(at_date(today.ds, as_of), boundaries=today.boundaries)


def geometry_for(as_of: str = "") -> GeometryCache:
    """The map caches of the registry as of a date: every date between two changes shares one entry
    (so a visitor trying dates costs nothing new, and the cache stays bounded)."""
    if not as_of:
        return _geometry("")
    return _geometry(effective_date(_geometry("").ds.changelog, as_of))


def _dataset(as_of: str = "") -> Dataset:
    return geometry_for(as_of).ds


def current_as_of() -> str:
    """The date the visitor asked for, as this run's widgets hold it (the page loads its data before the
    sidebar is drawn: the state of the previous run would show the registry one step late)."""
    if "f_as_of" in st.session_state:
        return parse_date_fr(str(st.session_state["f_as_of"] or "")) or ""
    s = st.session_state.get("_state")
    if s is None:  # the first run of a session: the shared link's date
        s = from_query(st.query_params.to_dict())
    return s.as_of


def dataset() -> Dataset | None:
    """The dataset (as of the chosen date), or ``None`` after a French error (no failure is cached)."""
    try:
        return _dataset(current_as_of())
    except TerritoiresError as exc:
        show_error(exc)
    except Exception as exc:  # any other failure still gets a French message, not a traceback
        logging.getLogger("territoires").exception("chargement des données")
        show_error(
            TerritoiresError(
                f"Erreur inattendue au chargement ({type(exc).__name__}).",
                todo="vérifier les données avec « territoires geo check » et « territoires data check ».",
            )
        )
    return None


def geometry() -> GeometryCache:
    """The map caches of the dataset the session looks at."""
    return geometry_for(current_as_of())


def map_for(state: MapState):
    """A new folium map for a state, from the shared caches (never a cached map object: streamlit-folium
    renames a map's elements when it draws it, so a shared one draws only once)."""
    from territoires.webmap.compose import build_map

    return build_map(geometry_for(state.as_of), state, published=True)


def reload_data() -> None:
    """After the registry changed (an import): forget every cached dataset, map and table."""
    st.cache_resource.clear()
    st.cache_data.clear()
    # The old caches are cyclic (dataclasses, GeoDataFrames): collect them now, and hand the freed
    # memory back to the system, rather than letting each import add ~50 MB until the next sweep.
    gc.collect()
    _trim_heap()


def _trim_heap() -> None:
    """glibc's ``malloc_trim(0)``: return free heap pages to the system (no-op elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def store_summary() -> dict[str, Any]:
    """The manifest's counts, source and vintage."""
    from territoires.geo import store

    manifest = store.read_manifest()
    return {
        "counts": manifest["counts"],
        "source": manifest["source"],
        "built_at": manifest["built_at"],
        "repairs": manifest["repairs"],
    }


# --------------------------------------------------------------------- filters
KIND_LABELS = {k: KINDS[k] for k in MAP_KINDS}
LEVEL_LABELS = {
    "region_2012": "Régions",
    "departement": "Départements",
    "epci": "Intercommunalités",
    "commune": "Villes",
}


FIELDS = (
    "system",
    "regions",
    "kinds",
    "members",
    "levels",
    "test_only",
    "year",
    "layers",
    "communes_of",
    "statistic",
    "stat_kind",
    "method",
    "classes",
    "framing",
    "presentation",
    "place",
    "as_of",
    "links",
)


def _seed_widgets() -> None:
    """Give each filter widget its value from the canonical state (the URL on the first run).

    Streamlit forgets a widget's value on a run where the widget is not drawn (another
    page); the canonical state, under a key no widget owns, keeps it.
    """
    if "_state" not in st.session_state:
        st.session_state["_state"] = from_query(st.query_params.to_dict())
    s: MapState = st.session_state["_state"]
    for f in FIELDS:
        key = f"f_{f}"
        if key in st.session_state:
            # Re-assigning makes the value ours, not the widget's: Streamlit would otherwise drop it
            # when the page changes, even though the next page draws a widget with the same key.
            st.session_state[key] = st.session_state[key]
        else:
            v = getattr(s, f)
            st.session_state[key] = list(v) if isinstance(v, tuple) else v


def current_state() -> MapState:
    """The state as the widgets hold it; fields whose widget is not on this page keep their value."""
    base: MapState = st.session_state.get("_state", MapState())
    values = {}
    for f in FIELDS:
        v = st.session_state.get(f"f_{f}", getattr(base, f))
        values[f] = tuple(v) if isinstance(v, list) else v
    values["as_of"] = parse_date_fr(str(values["as_of"] or "")) or ""  # « 31/08/2012 » → 2012-08-31
    state = MapState(**values).validated()
    st.session_state["_state"] = state
    return state


def sync_url(state: MapState) -> None:
    """Write the state to the URL so that the link reproduces the view."""
    wanted = to_query(state)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def region_options(ds: Dataset, system: str) -> dict[str, str]:
    """The régions of a system ("2012"/"2016"), code → name, by name; sorted once, kept on the dataset."""
    per_ds = vars(ds).setdefault("_region_options", {})
    if system not in per_ds:
        t = ds.levels[SYSTEMS[system].level].sort_values("nom")
        per_ds[system] = dict(zip(t["code"], t["nom"], strict=True))
    return dict(per_ds[system])


def _switch_regions(departements: pd.DataFrame) -> None:
    """On « Régions » de 2012 ↔ d'aujourd'hui: the chosen régions become their counterparts
    (Rhône-Alpes → Auvergne-Rhône-Alpes), rather than vanishing from the selection."""
    from territoires.selection import counterpart_regions

    chosen = st.session_state.get("f_regions") or []
    st.session_state["f_regions"] = counterpart_regions(departements, chosen, st.session_state["f_system"])


FILTER_FIELDS = ("system", "regions", "kinds", "members", "levels", "links", "test_only", "year", "as_of")


def _filters_panel():
    """The filters' panel in the sidebar: a folding section, and under it how many filters are set.

    Folded by default, so that the keyboard reaches the page (the place search) in a few presses of
    Tab rather than after the twenty-odd filter controls (RGAA 12.8); open on the session's first run
    when the link sets a filter, so that the setting shows. Its widgets are drawn either way (a closed
    section only hides them): their values and the tests that set them do not depend on it.
    """
    default, state = MapState(), current_state()  # the widgets' values of this run (a switch included)
    changed = sum(getattr(state, f) != getattr(default, f) for f in FILTER_FIELDS)
    if "x_filters_panel" not in st.session_state:
        st.session_state["x_filters_panel"] = changed > 0
    # A constant title: Streamlit folds a section whose title changes (the count is said beside it).
    panel = st.sidebar.expander("Filtres", icon=":material/filter_alt:", key="x_filters_panel", on_change="rerun")
    if changed:
        st.sidebar.caption(f"{changed} filtre{'s' if changed > 1 else ''} modifié{'s' if changed > 1 else ''}")
    return panel


def sidebar_filters(ds: Dataset) -> MapState:
    """The filters every page shares, in the sidebar; returns the state and keeps the URL in step."""
    _seed_widgets()
    sb = _filters_panel()
    sb.radio(
        "Régions",
        ["2012", "2016"],
        key="f_system",
        horizontal=True,
        format_func=lambda s: "de 2012 (22 + 5)" if s == "2012" else "d'aujourd'hui",
        on_change=_switch_regions,
        args=(ds.levels["departements"],),
    )
    opts = region_options(ds, st.session_state["f_system"])
    st.session_state["f_regions"] = [r for r in st.session_state.get("f_regions", []) if r in opts]
    sb.multiselect(
        "Région(s)", list(opts), key="f_regions", format_func=lambda c: opts.get(c, c), placeholder="Toute la France"
    )
    sb.checkbox("Collectivités adhérentes", key="f_members")
    sb.multiselect(
        "Niveaux d'adhérents",
        list(MEMBER_LEVELS),
        key="f_levels",
        format_func=lambda lv: LEVEL_LABELS[lv],
        placeholder="Aucun",
        disabled=not st.session_state["f_members"],
    )
    sb.multiselect("Acteurs", list(MAP_KINDS), key="f_kinds", format_func=lambda k: KIND_LABELS[k], placeholder="Aucun")
    sb.multiselect(
        "Coopérations",
        list(RELATION_TYPES),
        key="f_links",
        format_func=lambda t: RELATION_STYLE[t][1],
        placeholder="Aucune",
        help="Les liens entre acteurs que cite la lettre (création, portage, financement, partenariat…).",
    )
    sb.checkbox(
        "Pôles témoins PTCE seulement",
        key="f_test_only",
        help="Seuls les pôles PTCE témoins sont montrés (les autres acteurs sont masqués) ; "
        "les collectivités adhérentes restent si elles sont cochées.",
    )
    if st.session_state["f_test_only"] and "ptce_pole" not in st.session_state.get("f_kinds", []):
        sb.caption(f"Ajouter « {KIND_LABELS['ptce_pole']} » aux acteurs pour voir les pôles témoins.")
    sb.slider(
        "Connus en (année)",
        1996,
        2012,
        key="f_year",
        help="Acteurs dont la lettre date la création, le lancement ou l'adhésion au plus tard cette année.",
    )
    sb.text_input(
        "Registre au (AAAA-MM-JJ)",
        key="f_as_of",
        placeholder="aujourd'hui",
        help="Le registre tel qu'il était ce jour-là (par exemple 31/08/2012 ou 2012-08-31) : "
        "les imports postérieurs sont ignorés.",
    )
    if problem := as_of_problem(str(st.session_state.get("f_as_of") or "")):
        sb.error(problem)  # under the box, in French: the date is not silently dropped
    if sb.button("Réinitialiser les filtres"):
        for k in [k for k in st.session_state if k.startswith("f_")]:
            del st.session_state[k]
        st.session_state["_state"] = MapState()
        st.rerun()
    state = current_state()
    sync_url(state)
    return state


def fr_table(df: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Columns renamed to French labels, in the given order; no « None » in a text cell."""
    return blank_missing(df[[c for c in labels if c in df.columns]].rename(columns=labels))


def blank_missing(df: pd.DataFrame) -> pd.DataFrame:
    """Missing values of text columns as empty cells: Streamlit's table would print a grey « None »
    (numbers keep NaN, which it shows empty and sorts as numbers)."""
    text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    if not text:
        return df
    return df.assign(**{c: df[c].astype(object).where(df[c].notna(), "") for c in text})


def fr_styled(df: pd.DataFrame, decimals: dict[str, int] | None = None, percent: tuple[str, ...] = ()):
    """A Styler showing numbers in French (« 1 234,5 », « 12,3 % ») while columns stay sortable numbers."""
    from territoires import fmt

    decimals = decimals or {}

    def number_with(d: int):
        return lambda v: fmt.number(v, d)

    formats = {}
    for col in df.columns:
        if col in percent:
            formats[col] = fmt.percent
        elif pd.api.types.is_numeric_dtype(df[col]):
            formats[col] = number_with(decimals.get(col, 0))
    return df.style.format(formats, na_rep="–")
