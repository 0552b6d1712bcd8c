"""Données: the filtered records, with downloads as CSV, GeoJSON and XLSX."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from territoires import fmt, readable, selection
from territoires.registry import downloads, relation_downloads
from territoires.registry.files import DOWNLOADS, RELATION_DOWNLOADS
from territoires.registry.relations import TYPES, touching
from territoires.registry.schema import KINDS, LEVELS
from territoires.state import valid_as_of
from territoires.ui import staff
from territoires.ui.common import current_as_of, dataset, fr_table, geometry, sidebar_filters

LABELS = {
    "name": "Nom",
    "kind": "Type",
    "level": "Niveau",
    "code": "Code",
    "dep": "Dép.",
    "reg_2012": "Région 2012",
    "reg": "Région",
    "precision": "Précision",
    "statut": "Statut",
    "chiffres": "Chiffres",
    "autres_lieux": "Autres lieux",
    "perimetre": "Périmètre",
    "source_section": "Source",
    "source_quote": "Citation",
}
DOWNLOAD_LABELS = {"csv": "CSV", "geojson": "GeoJSON", "xlsx": "XLSX"}


def table(records: pd.DataFrame, names: dict[str, dict[str, str]]) -> pd.DataFrame:
    """The records as the page shows them: French labels and readable text, never a raw JSON cell."""
    view = readable.columns(records, names)
    view = view.assign(kind=view["kind"].map(KINDS), level=view["level"].map(LEVELS))
    return fr_table(view, LABELS)


@st.cache_data(show_spinner=False, max_entries=16)  # one per filter set: bounded
def _downloads(ids: tuple[str, ...], as_of: str) -> dict[str, bytes]:
    cache = geometry()
    geo = cache.shapes_at("region")
    df = cache.ds.placed.set_index("id").loc[list(ids)].reset_index()
    return {
        "csv": downloads.csv_bytes(df),
        "geojson": downloads.geojson_bytes(geo.loc[list(ids)].reset_index()),
        "xlsx": downloads.xlsx_bytes(df),
    }


def render() -> None:
    """Draw the page."""
    ds = dataset()
    if ds is None:
        return
    state = sidebar_filters(ds)
    st.title("Données")
    shown = selection.select_actors(ds.placed, state)
    unplaced = ds.placed[ds.placed["level"].isin(["national", "none"])] if not state.regions else shown.iloc[0:0]
    records = shown if unplaced.empty else pd.concat([shown, unplaced])
    st.text(f"{len(records)} enregistrements selon les filtres.")
    names = readable.place_names(ds.levels, records, selection.territory_names(ds))
    st.dataframe(table(records, names), hide_index=True, width="stretch")
    files = _downloads(tuple(records["id"]), ds.as_of)
    for column, (kind, (file_name, mime)) in zip(st.columns(len(DOWNLOADS)), DOWNLOADS.items(), strict=True):
        column.download_button(DOWNLOAD_LABELS[kind], files[kind], file_name, mime, key=f"d_{kind}")
    if current_as_of():
        st.text(f"Registre tel qu'il était le {current_as_of()}.")
    _relations_panel(ds, records)
    _changes_panel(ds)
    author = staff.panel()
    if author:
        _import_panel(author)


RELATION_LABELS = {
    "from_name": "De",
    "from_level": "Niveau (de)",
    "from_code": "Code (de)",
    "type": "Relation",
    "to_name": "À",
    "to_level": "Niveau (à)",
    "to_code": "Code (à)",
    "amount_text": "Montant",
    "year": "Année",
    "status": "Statut",
    "source_quote": "Citation",
}


def relations_table(relations: pd.DataFrame) -> pd.DataFrame:
    """The relations as the page shows them: French headers, the type as it reads, levels in words."""
    view = relations.assign(
        type=relations["type"].map(lambda t: TYPES.get(t, t)),
        from_level=relations["from_level"].map(lambda v: LEVELS.get(v, v)),
        to_level=relations["to_level"].map(lambda v: LEVELS.get(v, v)),
    )
    return fr_table(view, RELATION_LABELS)


@st.cache_data(show_spinner=False, max_entries=16)  # one per filter set: bounded
def _relation_downloads(ids: tuple[str, ...], as_of: str) -> dict[str, bytes]:
    cache = geometry()
    rel = cache.ds.relations
    rel = rel[rel["id"].isin(ids)]
    # The map's markers' points (registry.join.anchors): a line starts and ends where the markers are.
    points = cache.shapes_at("region")["anchor"]
    return {"csv": relation_downloads.csv_bytes(rel), "geojson": relation_downloads.geojson_bytes(rel, points)}


def _relations_panel(ds, records: pd.DataFrame) -> None:
    """Who works with whom, among the records listed: the table and its downloads."""
    st.subheader("Relations")
    rel = touching(ds.relations, set(records["id"]))
    st.text(f"{len(rel)} relation(s) sur {len(ds.relations)} touchent les enregistrements listés ci-dessus.")
    if rel.empty:
        return
    st.dataframe(relations_table(rel), hide_index=True, width="stretch")
    files = _relation_downloads(tuple(rel["id"]), ds.as_of)
    cols = st.columns(len(RELATION_DOWNLOADS))
    for column, (kind, (file_name, mime)) in zip(cols, RELATION_DOWNLOADS.items(), strict=True):
        column.download_button(DOWNLOAD_LABELS[kind], files[kind], file_name, mime, key=f"d_rel_{kind}")


def _import_panel(author: str) -> None:
    """Staff upload: a report of what would change first, then an explicit import of that very preview."""
    from territoires.errors import TerritoiresError
    from territoires.registry import importer
    from territoires.registry.intake import MAX_ROWS
    from territoires.registry.storage import StaleRegistryError
    from territoires.ui.common import registry_store, reload_data, show_error

    st.subheader("Importer des adhérents ou des pôles")
    done = st.session_state.pop("imp_done", None)
    if done:
        st.success(done)
    st.caption(
        "Fichier CSV (séparateur , ; ou tabulation ; UTF-8, UTF-16, Windows-1252 ou Latin-1) ou XLSX, "
        f"{fmt.number(MAX_ROWS, 0)} lignes au plus. Colonnes : type, nom, niveau, code ou commune et département, "
        "citation… "
        "Rien n'est écrit avant votre confirmation."
    )
    up = st.file_uploader("Fichier", type=["csv", "xlsx", "txt"], key=f"imp_file_{st.session_state.get('imp_n', 0)}")
    if up is None:
        st.session_state.pop("imp_plan", None)
        return
    # The preview is kept: the import writes what was shown, if the registry has not changed since.
    seen = st.session_state.get("imp_plan")
    if seen is None or seen[0] != up.file_id:
        try:
            plan = importer.plan(registry_store(), up.name, data=up.getvalue(), origin="formulaire", author=author)
        except TerritoiresError as exc:  # the file is refused; the dashboard's data is fine
            st.error("Fichier refusé : rien n'a été écrit.")
            st.text(exc.message)
            return
        st.session_state["imp_plan"] = (up.file_id, plan)
    plan = st.session_state["imp_plan"][1]
    rep = plan.report
    st.text("\n".join(rep.lines()))
    only_valid = False
    if rep.rejected:
        st.warning("Des lignes sont refusées : corrigez le fichier, ou importez seulement les lignes valides.")
        only_valid = st.checkbox("Importer seulement les lignes valides", key="imp_only_valid")
    can = bool(plan.entries) and (not rep.rejected or only_valid)
    if st.button("Importer", key="imp_go", disabled=not can, type="primary"):
        from territoires.ui.staff import current

        if current() != author:  # signed out meanwhile (another tab): nothing is written
            st.error("Session du personnel terminée : reconnectez-vous pour importer.")
            return
        try:
            importer.apply(registry_store(), plan, only_valid=only_valid)
        except StaleRegistryError:
            st.session_state.pop("imp_plan", None)  # the next run makes a new preview
            st.error(
                "Quelqu'un a modifié le registre depuis cet aperçu : rien n'a été écrit. Cliquez « Nouvel "
                "aperçu », relisez-le, puis importez de nouveau."
            )
            st.button("Nouvel aperçu", key="imp_again")
            return
        except TerritoiresError as exc:
            show_error(exc)
            return
        reload_data()
        # Rerun so that every table shows the new registry; the message survives the rerun.
        skipped = f", {len(rep.rejected)} ligne(s) refusée(s) non importée(s)" if rep.rejected else ""
        st.session_state["imp_done"] = (
            f"Registre mis à jour : {len(rep.added)} ajout(s), {len(rep.changed)} modification(s){skipped}. "
            "La version précédente est conservée, le journal complété."
        )
        st.session_state["imp_n"] = st.session_state.get("imp_n", 0) + 1  # a fresh, empty uploader
        st.session_state.pop("imp_plan", None)
        st.rerun()


def _changes_panel(ds) -> None:
    st.subheader("Nouveautés")
    since = st.text_input("Depuis le (AAAA-MM-JJ)", value="2000-01-01", key="chg_since").strip()
    log = ds.changelog if ds.changelog is not None else pd.DataFrame()
    if log.empty:
        st.text("Aucune modification depuis la lettre de 2012.")
        return
    if not valid_as_of(since):
        st.warning("Date non reconnue : écrire une date passée au format AAAA-MM-JJ (par exemple 2012-08-31).")
        return
    recent = log[log["at"].astype(str).str[:10] >= since].iloc[::-1]
    view = recent.assign(
        quand=recent["at"].astype(str).str[:16].str.replace("T", " "),
        action=recent["action"].map({"added": "ajout", "changed": "modification"}).fillna(recent["action"]),
        type=recent["kind"].map(KINDS).fillna(recent["kind"]),
    )
    st.text(f"{len(view)} modification(s) depuis le {since}.")
    st.dataframe(
        fr_table(
            view,
            {
                "quand": "Quand",
                "action": "Action",
                "name": "Nom",
                "type": "Type",
                "origin": "Origine",
                "file": "Fichier",
                "author": "Par",
            },
        ),
        hide_index=True,
        width="stretch",
    )
