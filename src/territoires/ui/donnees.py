"""Données: the filtered records, with downloads for a spreadsheet (CSV, XLSX) and a map (GeoJSON)."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from territoires import fmt, readable, selection
from territoires.errors import TerritoiresError
from territoires.registry import downloads, relation_downloads
from territoires.registry.files import DOWNLOADS, RELATION_DOWNLOADS
from territoires.registry.relations import touching
from territoires.registry.schema import KINDS
from territoires.state import valid_as_of
from territoires.ui import staff
from territoires.ui.common import blank_missing, current_as_of, dataset, fr_table, geometry, sidebar_filters

# What each button gives, in words (not a bare file extension).
DOWNLOAD_LABELS = {
    "csv": "Télécharger pour un tableur (CSV, Excel)",
    "xlsx": "Télécharger en Excel (XLSX)",
    "geojson": "Télécharger la carte des données (GeoJSON)",
}
EVERY_LABEL = "Toutes les colonnes"
EVERY_HELP = "Sans cette case, le fichier reprend les colonnes du tableau ci-dessus."
SHEET_CAPTION = (
    "Fichiers pour un tableur : séparateur point-virgule, accents conservés (UTF-8), en-têtes en français ; "
    "ils s'ouvrent tels quels dans Excel ou LibreOffice. Le GeoJSON est pour un logiciel de cartographie."
)


def table(records: pd.DataFrame, names: dict[str, dict[str, str]]) -> pd.DataFrame:
    """The records as the page shows them: French labels and readable text, never a raw JSON cell."""
    return blank_missing(downloads.french_table(readable.columns(records, names)))


@st.cache_data(show_spinner=False, max_entries=16)  # one per filter set and column choice: bounded
def _downloads(ids: tuple[str, ...], as_of: str, every: bool) -> dict[str, bytes]:
    cache = geometry()
    geo = cache.shapes_at("region")
    df = cache.ds.placed.set_index("id").loc[list(ids)].reset_index()
    # The same place names as the table on screen.
    names = readable.place_names(cache.ds.levels, df, selection.territory_names(cache.ds))
    view = readable.columns(df, names)
    return {
        "csv": downloads.sheet_csv_bytes(view, every=every),
        "geojson": downloads.geojson_bytes(geo.loc[list(ids)].reset_index()),
        "xlsx": downloads.xlsx_bytes(view, every=every),
    }


def _buttons(files: dict[str, bytes], names: dict[str, tuple[str, str]], prefix: str) -> None:
    """One download button per file, side by side, each saying what it gives."""
    for column, (kind, (file_name, mime)) in zip(st.columns(len(names)), names.items(), strict=True):
        column.download_button(DOWNLOAD_LABELS[kind], files[kind], file_name, mime, key=f"{prefix}{kind}")


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
    every = st.checkbox(EVERY_LABEL, key="d_every", help=EVERY_HELP)
    _buttons(_downloads(tuple(records["id"]), ds.as_of, every), DOWNLOADS, "d_")
    st.caption(SHEET_CAPTION)
    if current_as_of():
        st.text(f"Registre tel qu'il était le {fmt.date(current_as_of())}.")
    _relations_panel(ds, records)
    _changes_panel(ds)
    author = staff.panel()
    if author:
        _import_panel(author)


def relations_table(relations: pd.DataFrame) -> pd.DataFrame:
    """The relations as the page shows them: French headers, the type as it reads, levels in words."""
    return blank_missing(relation_downloads.french_table(relations))


@st.cache_data(show_spinner=False, max_entries=16)  # one per filter set and column choice: bounded
def _relation_downloads(ids: tuple[str, ...], as_of: str, every: bool) -> dict[str, bytes]:
    cache = geometry()
    rel = cache.ds.relations
    rel = rel[rel["id"].isin(ids)]
    # The map's markers' points (registry.join.anchors): a line starts and ends where the markers are.
    points = cache.shapes_at("region")["anchor"]
    return {
        "csv": relation_downloads.sheet_csv_bytes(rel, every=every),
        "geojson": relation_downloads.geojson_bytes(rel, points),
    }


def _relations_panel(ds, records: pd.DataFrame) -> None:
    """Who works with whom, among the records listed: the table and its downloads."""
    st.header("Relations")
    rel = touching(ds.relations, set(records["id"]))
    st.text(f"{len(rel)} relation(s) sur {len(ds.relations)} touchent les enregistrements listés ci-dessus.")
    if rel.empty:
        return
    st.dataframe(relations_table(rel), hide_index=True, width="stretch")
    every = st.checkbox(EVERY_LABEL, key="d_rel_every", help=EVERY_HELP)
    _buttons(_relation_downloads(tuple(rel["id"]), ds.as_of, every), RELATION_DOWNLOADS, "d_rel_")


IMPORT_HELP = """
Une ligne par adhérent ou pôle, la première ligne donnant les noms des colonnes.

- **type** (obligatoire) : rtes_member (collectivité adhérente), ptce_pole (pôle PTCE), ptce_project (projet
  de PTCE), ples, citeslab, initiative, event (rencontre), partner (partenaire cité)… ;
- **nom** (obligatoire) : le nom tel qu'il doit s'afficher ;
- **niveau** : commune, département, région, intercommunalité, national ;
- **code** : le code INSEE de la commune, du département ou de la région, ou le SIREN de
  l'intercommunalité — ou, pour une commune, **commune** (son nom) et **département** (son numéro) ;
- facultatives : identifiant (pour modifier un enregistrement existant), adhésion, création, statut,
  site web, rubrique, citation, remarques.

Les noms français ci-dessus ou ceux du registre (kind, name, level, code…) sont acceptés, avec ou sans
accents ni majuscules ; un fichier qui a une autre colonne est refusé, avec la liste des colonnes acceptées.
Exemple (CSV, séparateur point-virgule) :

```
type;nom;niveau;code;commune;département
rtes_member;Mairie de Foissiat;commune;;Foissiat;01
ptce_pole;Pôle Sud Archer;département;26;;
```

Enregistrez depuis le tableur en « CSV UTF-8 » ou en classeur Excel (XLSX). L'aperçu montre, ligne par
ligne, la commune reconnue et ce qui serait ajouté ou modifié ; rien n'est écrit avant « Importer ».
"""
_MARKDOWN = re.compile(r"([\\`*_\[\](){}<>#+\-.!|~$:])")


def _refused(headline: str, exc: TerritoiresError) -> None:
    """« Fichier refusé : <what> » in the import section (not the page's « données » error), then
    where and what to do as plain text; the message may quote the file, so Markdown is escaped."""
    what = _MARKDOWN.sub(r"\\\1", exc.what)
    st.error(f"{headline} : {what} Rien n'a été écrit.")
    st.text(
        "\n".join(p for p in (exc.where and f"Emplacement : {exc.where}", exc.todo and f"À faire : {exc.todo}") if p)
    )


def _import_panel(author: str) -> None:
    """Staff upload: a report of what would change first, then an explicit import of that very preview."""
    from territoires.registry import importer
    from territoires.registry.intake import MAX_ROWS
    from territoires.registry.storage import StaleRegistryError
    from territoires.ui.common import registry_store, reload_data

    st.header("Importer des adhérents ou des pôles")
    done = st.session_state.pop("imp_done", None)
    if done:
        st.success(done)
    st.caption(
        "Fichier CSV (séparateur , ; ou tabulation ; UTF-8, UTF-16, Windows-1252 ou Latin-1) ou XLSX, "
        f"{fmt.number(MAX_ROWS, 0)} lignes au plus. Colonnes : type, nom, niveau, code ou commune et département, "
        "citation… "
        "Rien n'est écrit avant votre confirmation."
    )
    with st.expander("Aide : préparer le fichier"):
        st.markdown(IMPORT_HELP)  # our own text, no data: Markdown is safe here
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
            _refused("Fichier refusé", exc)
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
        except TerritoiresError as exc:  # the write failed, not the site: say so in the import section
            _refused("Import impossible", exc)
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


# Where a change came from, in words (the change log keeps the code).
ORIGINS = {"formulaire": "formulaire du tableau de bord", "cli": "ligne de commande"}


def _changes_panel(ds) -> None:
    st.header("Nouveautés")
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
        quand=recent["at"].astype(str).map(fmt.date_time),
        action=recent["action"].map({"added": "ajout", "changed": "modification"}).fillna(recent["action"]),
        type=recent["kind"].map(KINDS).fillna(recent["kind"]),
        origin=recent["origin"].map(ORIGINS).fillna(recent["origin"]),
    )
    st.text(f"{len(view)} modification(s) depuis le {fmt.date(since)}.")
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
