"""Fiche territoire: one commune, EPCI, département or région — who covers it, its actors, its relations,
its key figures — and its A4 page (PDF, PNG) and JSON. ``?fiche=commune:38185`` reopens it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from territoires import fmt
from territoires.errors import TerritoiresError
from territoires.fiche import LEVELS as FICHE_LEVELS
from territoires.fiche import Fiche, find_territories
from territoires.registry.schema import LEVELS
from territoires.state import parse_fiche_key
from territoires.ui.common import current_as_of, dataset, fr_table, guarded

URL_PATH = "fiche"
PARAM = "fiche"
SCOPES = {"territoire": "Le territoire", "region_2012": "Sa région (2012)", "france": "France"}


def parse_key(value: str | None) -> tuple[str, str] | None:
    """``commune:38185`` → (level, code) if well formed, else None (:func:`territoires.state.parse_fiche_key`)."""
    return parse_fiche_key(value)


def page() -> st.Page:
    """The page for ``st.navigation`` (and for links and switches to it: same url_path, same page)."""
    return st.Page(guarded(render), title="Fiche territoire", icon=":material/description:", url_path=URL_PATH)


@st.cache_data(show_spinner="Préparation de la fiche…", max_entries=64)
def _fiche(_ds, as_of: str, level: str, code: str) -> Fiche:
    # Keyed by the date: the dataset (not hashed) is the one of that date.
    from territoires.fiche import fiche

    return fiche(_ds, level, code)


@st.cache_data(show_spinner=False, max_entries=32)
def _page_bytes(_ds, as_of: str, level: str, code: str, fmt_: str) -> bytes:
    from territoires.export.fiche import render_fiche

    return render_fiche(_ds, _fiche(_ds, as_of, level, code), fmt_)


@st.cache_data(show_spinner=False, max_entries=64)
def _map_png(_ds, as_of: str, level: str, code: str) -> bytes:
    from territoires.export.fiche import render_map

    return render_map(_ds, _fiche(_ds, as_of, level, code))


def _search(ds) -> str | None:
    """The territory search: a key such as ``departement:38`` once one is chosen."""
    q = st.text_input(
        "Rechercher un territoire : commune, intercommunalité, département ou région (nom ou code)",
        key="fiche_q",
        placeholder="ex. Grenoble, 38185, Isère, Rhône-Alpes",
    )
    found = find_territories(ds, q) if q else []
    if q and not found:
        st.info("Aucun territoire ne correspond.")
    if not found:
        return None
    labels = dict(found)
    return st.selectbox("Territoires trouvés", list(labels), format_func=labels.get, index=None, key="fiche_pick")


def render() -> None:
    """Draw the page."""
    ds = dataset()
    if ds is None:
        return
    st.title("Fiche territoire")
    st.caption(
        "Un territoire en une page : les adhérents du RTES qui le couvrent, les acteurs qui y sont situés, "
        "les relations citées par la lettre Transversales (automne 2012) et ses chiffres clés."
    )
    picked = _search(ds)
    raw = st.query_params.get(PARAM)
    if picked and picked != raw:  # the URL holds the fiche: a shared link reopens it
        _open(picked)
    if raw is None:
        st.info("Choisissez un territoire, ou ouvrez « Voir la fiche » depuis la carte.")
        return
    key = parse_key(raw)
    if key is None:
        st.warning("Lien de fiche invalide : attendu ?fiche=niveau:code (par exemple commune:38185).")
        return
    try:
        f = _fiche(ds, current_as_of(), *key)
    except TerritoiresError as exc:
        st.warning("Territoire introuvable.")
        st.text(exc.message)
        return
    _show(ds, f, key)


def _show(ds, f: Fiche, key: tuple[str, str]) -> None:
    """The fiche's content, as text and tables (data strings never as Markdown)."""
    st.text(f"{f.name}\n{f.level_label} {f.code}")
    where = [x["name"] for x in (f.departement, f.region_2012) if x and x["code"] != f.code]
    if where:
        st.text("Situé : " + " — ".join(where) + (" (région de 2012)" if f.region_2012 else ""))
    st.text(f.member_text)
    for note in f.notes:
        st.text(note)
    c1, c2, c3 = st.columns(3)
    c1.metric("Habitants", fmt.number(f.population, 0))
    c2.metric("Surface", f"{fmt.number(f.area_km2, 1)} km²")
    c3.metric("Communes de 2012", fmt.number(f.communes_2012, 0))
    left, right = st.columns([1, 1])
    with left:
        try:
            st.image(
                _map_png(ds, current_as_of(), *key),
                caption="Le territoire, ses acteurs et ses relations",
                alt="Carte du territoire, de ses acteurs et de ses relations (détail dans les tableaux de la fiche)",
            )
        except TerritoiresError as exc:  # a boundary file missing: the lists still show
            st.text(exc.message)
    with right:
        st.text("Chiffres clés")
        st.dataframe(_figures(f), hide_index=True)
    _downloads(ds, f, key)
    member_cols = {"name": "Adhérent", "level": "Niveau", "code": "Code", "couverture": "Couverture"}
    _table("Adhérents du RTES dont le territoire le couvre :", f.members_covering, member_cols)
    _see_also(f)
    _table("Adhérents situés dans ce territoire :", f.members_in, member_cols)
    actor_cols = {"name": "Acteur", "kind_label": "Type", "place_name": "Placé dans", "lieu": "Situé"}
    _table("Acteurs situés dans ce territoire :", f.actors_in, actor_cols)
    _table("Acteurs situés plus largement (région, département…) :", f.actors_wider, actor_cols)
    rel_cols = {
        "sentence": "Relation",
        "amount_text": "Montant",
        "year": "Année",
        "status": "Statut",
        "quote": "Citation",
        "section": "Rubrique",
    }
    if f.declared:
        st.text(f"Montants déclarés par ces relations : {f.declared}")
    _table("Relations :", f.relations, rel_cols)
    st.text(f"{f.sources} Fiche du {fmt.date(f.date)}.")
    # The link to share, as text (the address bar may lag one step behind a search: see _open).
    st.text(f"Lien de cette fiche (à ajouter à l'adresse du tableau de bord) : /{URL_PATH}?{PARAM}={key[0]}:{key[1]}")


def _open(key: str) -> None:
    """Show the fiche of ``key`` now, and put it in the address.

    On a page of ``st.navigation`` other than the first, the browser's address bar may show a query
    parameter set during a run only one run later (streamlit/streamlit#14184): the page also prints
    the link of the fiche it shows (« Lien de cette fiche »), which is always the right one.
    """
    st.query_params[PARAM] = key
    st.rerun()


def _see_also(f: Fiche) -> None:
    """The fiches of the members that cover it (its intercommunality's relations are on the EPCI's fiche).

    A select box, not links: its options are plain text, a link's label would be read as Markdown.
    """
    others = {
        f"{m['level']}:{m['code']}": f"{m['name']} ({LEVELS.get(m['level'], m['level'])})"
        for m in f.members_covering
        if m["level"] in FICHE_LEVELS and (m["level"], m["code"]) != (f.level, f.code)
    }
    if not others:
        return
    chosen = st.selectbox(
        "Voir la fiche d'un adhérent qui le couvre (ses relations y sont)",
        list(others),
        format_func=others.get,
        index=None,
        key="fiche_other",
        placeholder="Choisir un adhérent",
    )
    # Acted on when the choice changes (not when the browser's « back » shows the previous fiche with the
    # box still holding it); set during the run, as the search does, so that the address bar follows.
    if chosen and chosen != st.session_state.get("fiche_other_done"):
        st.session_state["fiche_other_done"] = chosen
        _open(chosen)


def _table(title: str, rows: list[dict], labels: dict[str, str]) -> None:
    st.text(title)
    if not rows:
        st.text("aucun")
        return
    df = pd.DataFrame(rows)
    df = df.astype(object).where(df.notna(), "")  # an unknown year or amount shows empty, not « None »
    if "level" in df.columns:
        df["level"] = df["level"].map(lambda v: LEVELS.get(v, v))
    st.dataframe(fr_table(df, labels), hide_index=True)


def _figures(f: Fiche) -> pd.DataFrame:
    """The key figures, one row per figure and group, one column per scope (French numbers as text)."""
    rows = []
    df = pd.DataFrame(f.figures)
    for (_, label), part in df.groupby(["group", "label"], sort=False):
        for col, name, dec in (
            ("count", "nombre", 0),
            ("per_million", "par million d'hab.", 1),
            ("per_10k_km2", "pour 10 000 km²", 1),
            ("location_quotient", "concentration (1 = France)", 2),
        ):
            row = {"Chiffre": f"{label} : {name}"}
            for s in part.itertuples(index=False):
                v = getattr(s, col)
                # The scope's name alone (« Lille », « Nord-Pas-de-Calais », « France »): the table fits its column.
                head = str(s.name) if str(s.name) not in row else f"{s.name} ({SCOPES.get(s.scope, s.scope)})"
                row[head] = fmt.number(None if pd.isna(v) else float(v), dec)
            rows.append(row)
    return pd.DataFrame(rows)


def _downloads(ds, f: Fiche, key: tuple[str, str]) -> None:
    """PDF, PNG and JSON of the fiche; the pages are drawn only when asked for (a click)."""
    as_of = current_as_of()
    name = f"fiche-{key[0]}-{key[1]}"
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Télécharger la fiche (PDF)",
        data=lambda: _page_bytes(ds, as_of, *key, "pdf"),
        file_name=f"{name}.pdf",
        mime="application/pdf",
        key="fiche_pdf",
        on_click="ignore",
    )
    c2.download_button(
        "Télécharger la fiche (PNG)",
        data=lambda: _page_bytes(ds, as_of, *key, "png"),
        file_name=f"{name}.png",
        mime="image/png",
        key="fiche_png",
        on_click="ignore",
    )
    c3.download_button(
        "Télécharger les données (JSON)",
        data=f.to_json(),
        file_name=f"{name}.json",
        mime="application/json",
        key="fiche_json",
        on_click="ignore",
    )
