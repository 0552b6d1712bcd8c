"""``territoires stats``, ``export``, ``prepare``, ``assets``: the views of the data (``serve``: :mod:`.serving`)."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from territoires.cli.common import DataDir, app, err, fail, out, plain
from territoires.cli.deck import (
    DEFAULT_BASE_URL,
    DeckDate,
    DeckFormat,
    StoryboardName,
    export_deck,
    presented_on,
)
from territoires.errors import TerritoiresError
from territoires.registry.schema import KINDS, LEVELS
from territoires.settings import public_url


class StatsFormat(StrEnum):
    csv = "csv"
    json = "json"
    markdown = "markdown"


class StatsBy(StrEnum):
    region_2012 = "region_2012"
    region = "region"
    departement = "departement"


@app.command("stats")
def stats_cmd(
    by: Annotated[
        StatsBy,
        typer.Option(
            "--by",
            help="Territoires : region_2012 (régions de 2012), region (régions d'aujourd'hui) ou departement "
            "(départements).",
        ),
    ] = StatsBy.region_2012,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help="Type d'acteur (répétable) : ptce_pole (pôles PTCE), rtes_member (collectivités adhérentes), "
            "ples… Défaut : tous.",
        ),
    ] = None,
    fmt_: Annotated[StatsFormat, typer.Option("--format", help="csv, json ou markdown.")] = StatsFormat.csv,
    coverage: Annotated[
        bool, typer.Option("--coverage", help="Adhérents par niveau, population et surface couvertes.")
    ] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Fichier (défaut : sortie standard).")] = None,
    what: Annotated[
        str,
        typer.Option("--what", help="actors (densités des acteurs, défaut) ou relations (coopérations par région)."),
    ] = "actors",
    data_dir: DataDir = None,
) -> None:
    """Statistiques par territoire : densités des acteurs, ou coopérations (relations) par région."""
    from territoires import stats
    from territoires.dataset import load_dataset
    from territoires.export import check_target, write_file

    if what == "relations":
        _relations_stats(by, fmt_, output, data_dir)
        return
    if what not in ("actors", "acteurs"):
        fail(
            TerritoiresError(
                f"Statistiques inconnues : --what {what!r}.", todo="choisir --what actors (défaut) ou --what relations."
            )
        )
    kinds = kind or list(stats.MAPPABLE_KINDS)
    unknown = [k for k in kinds if k not in stats.MAPPABLE_KINDS]
    if unknown:
        fail(
            TerritoiresError(
                f"Type d'acteur inconnu : {', '.join(unknown)}.",
                todo=f"choisir parmi {kind_choices(stats.MAPPABLE_KINDS)} (les chiffres donnés pour un territoire "
                "entier, regional_figure, sont donnés à part).",
            )
        )
    try:
        if output is not None:
            check_target(output)  # before the computing
        ds = load_dataset(data_dir)
        rep = stats.report(ds.placed, ds.registry.perimeters, ds.levels, ds.vintage, by.value, kinds, coverage)
        # CSV and JSON keep the codes (scripts read them); Markdown is read by people: names.
        read = in_words(rep, ds).to_markdown
        fmts = {StatsFormat.csv: rep.to_csv, StatsFormat.json: rep.to_json, StatsFormat.markdown: read}
        text = fmts[fmt_]()
        if output is not None:
            write_file(output, text.encode("utf-8"))
    except TerritoiresError as exc:
        fail(exc)
    if output is None:
        sys.stdout.write(text)  # the table itself, as data: written as it is, for a pipe or a file
    else:
        err.print(f"✓ écrit : {plain(output)}", highlight=False)
    if fmt_ is StatsFormat.csv:
        err.print(f"Millésime : {plain(rep.vintage)}.", highlight=False)


def kind_choices(kinds) -> str:
    """« ptce_pole : Pôle territorial de coopération économique (PTCE) ; … »: each code with its French name."""
    return " ; ".join(f"{k} : {KINDS.get(k, k)}" for k in kinds)


def in_words(rep, ds):
    """A statistics report (:class:`territoires.stats.Report`) for people: each kind by its French name,
    each figure's territory by its name with its code (« Rhône-Alpes, région de 2012, 82 », « France entière »)."""
    from territoires import readable, selection

    names = selection.territory_names(ds)

    def place(level: str, code: str) -> str:
        name = names.get(level, {}).get(code)
        if level == "national":
            return LEVELS["national"]
        return f"{name}, {readable.NOUNS[level].format(code=code)}" if name else f"{LEVELS.get(level, level)} {code}"

    where = [place(lv, c) for lv, c in zip(rep.figures["level"], rep.figures["code"], strict=True)]
    return replace(
        rep,
        table=rep.table.rename(columns=KINDS),
        concentration=[{**c, "kind": KINDS.get(c["kind"], c["kind"])} for c in rep.concentration],
        figures=rep.figures.assign(code=where),
    )


def _relations_stats(by: StatsBy, fmt_: StatsFormat, output: Path | None, data_dir: Path | None) -> None:
    """``territoires stats --what relations``: the cooperation table by région, with its notes."""
    from territoires import coopstats
    from territoires.dataset import load_dataset
    from territoires.export import check_target, write_file

    if by.value not in coopstats.BY:
        fail(
            TerritoiresError(
                f"Regroupement impossible pour les relations : --by {by.value}.",
                todo="choisir --by region_2012 (défaut) ou --by region.",
            )
        )
    try:
        if output is not None:
            check_target(output)  # before the computing
        ds = load_dataset(data_dir)
        rep = coopstats.report(ds.relations, ds.levels, by.value)
        fmts = {StatsFormat.csv: rep.to_csv, StatsFormat.json: rep.to_json, StatsFormat.markdown: rep.to_markdown}
        text = fmts[fmt_]()
        if output is not None:
            write_file(output, text.encode("utf-8"))
    except TerritoiresError as exc:
        fail(exc)
    if output is None:
        sys.stdout.write(text)  # the table itself, as data
    else:
        err.print(f"✓ écrit : {plain(output)}", highlight=False)
    if fmt_ is StatsFormat.csv:  # the notes the CSV cannot hold, on the error stream: the table stays clean
        for note in rep.notes():
            err.print(plain(note), highlight=False)


class ExportFormat(StrEnum):
    png = "png"
    svg = "svg"
    pdf = "pdf"
    html = "html"
    deck = "deck"  # not a map: the storyboard as a deck (``export deck --format pptx|pdf``)
    site = "site"  # not a map: a static website of every région, slide and member's fiche (a directory)


@app.command("export")
def export_cmd(
    fmt_: Annotated[
        ExportFormat,
        typer.Argument(
            metavar="FORMAT", help="png, svg, pdf, html ; deck : diaporama (voir --format) ; site : site web statique."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Fichier à écrire (site : dossier).")],
    link: Annotated[
        str | None,
        typer.Option(
            "--lien",
            help="Lien partagé du tableau de bord (ou ses seuls paramètres ?region=82&…) ; deck : adresse du "
            f"tableau de bord que les QR codes ouvrent (défaut : $TERRITOIRES_PUBLIC_URL, sinon {DEFAULT_BASE_URL}).",
        ),
    ] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="Code de région (répétable).")] = None,
    system: Annotated[str, typer.Option("--regions-de", help="2012 ou 2016.")] = "2012",
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Type d'acteur (répétable) : ptce_pole, ples, initiative…")
    ] = None,
    no_members: Annotated[bool, typer.Option("--sans-adherents", help="Sans les collectivités adhérentes.")] = False,
    statistic: Annotated[
        str,
        typer.Option(
            "--densite",
            help="Aplat : count (nombre), per_million (par million d'habitants), per_10k_km2 (pour 10 000 km²), "
            "share (part du total) ou location_quotient (quotient de localisation).",
        ),
    ] = "",
    stat_kind: Annotated[
        str, typer.Option("--densite-de", help="Type d'acteur de l'aplat (ptce_pole : pôles PTCE, ples…).")
    ] = "ptce_pole",
    width: Annotated[int, typer.Option(help="Largeur de l'image en pixels (16:9).")] = 1920,
    storyboard: StoryboardName = None,
    deck_fmt: Annotated[
        DeckFormat | None, typer.Option("--format", help="deck : pptx (PowerPoint modifiable) ou pdf.")
    ] = None,
    day: DeckDate = None,
    data_dir: DataDir = None,
) -> None:
    """Exporter la carte : image 16:9 (PNG, SVG, PDF) ou HTML autonome, hors ligne ; ou le diaporama
    (``export deck --format pptx|pdf``) ; ou un site web statique (``export site -o DOSSIER``)."""
    from urllib.parse import parse_qsl, urlsplit

    if _deck_asked(fmt_, storyboard, deck_fmt, output, link, data_dir, day):
        return
    from territoires import export
    from territoires.dataset import load_dataset
    from territoires.state import MAP_KINDS, MapState, from_query
    from territoires.webmap.geometry import GeometryCache

    if link:
        query = urlsplit(link).query or link.lstrip("?")
        state = from_query(dict(parse_qsl(query)))
    else:
        state = MapState(
            system=system,
            regions=tuple(region or ()),
            members=not no_members,
            kinds=tuple(kind) if kind else MapState().kinds,
            statistic=statistic,
            stat_kind=stat_kind,
        )
    bad = [k for k in (kind or []) if k not in state.validated().kinds]
    if bad:
        fail(
            TerritoiresError(
                f"Type d'acteur inconnu : {', '.join(bad)}.",
                todo=f"choisir parmi {kind_choices(MAP_KINDS)}.",
            )
        )
    state = replace(state.validated(), presentation=True)
    try:
        data = GeometryCache(load_dataset(data_dir))
        n = export.export_map(data, state, fmt_.value, output, size=(width, round(width * 9 / 16)))
    except TerritoiresError as exc:
        fail(exc)
    out.print(f"[green]✓[/] Carte écrite dans {plain(output)} ({n / 1e3:.0f} ko).", highlight=False)


def _deck_asked(
    fmt_: ExportFormat,
    name: str | None,
    deck_fmt: DeckFormat | None,
    output: Path,
    link: str | None,
    data_dir: Path | None,
    day: str | None = None,
) -> bool:
    """``export deck``: write the deck and say so; the deck's options with a map's format: refused.
    ``export site`` too (a directory of pages, not a map: :mod:`territoires.cli.site`)."""
    if fmt_ is ExportFormat.site:
        from territoires.cli.site import export_site

        export_site(output, name, data_dir, refused=deck_fmt is not None or link is not None)
        return True
    if fmt_ is ExportFormat.deck:
        base_url = link or public_url() or DEFAULT_BASE_URL
        export_deck(name, deck_fmt, output, base_url, data_dir, presented_on(day))
        return True
    if name is not None or deck_fmt is not None or day is not None:
        fail(
            TerritoiresError(
                "--storyboard, --format et --date ne servent qu'au diaporama.",
                todo=f"écrire « territoires export deck --format pptx -o FICHIER », ou « export {fmt_.value} » seul.",
            )
        )
    return False


def _geometry(data_dir: Path | None):  # -> GeometryCache, imported only here: geopandas is slow to load
    """The data and its geometries, as the exports draw them."""
    from territoires.dataset import load_dataset
    from territoires.webmap.geometry import GeometryCache

    return GeometryCache(load_dataset(data_dir))


@app.command("prepare")
def prepare_cmd(data_dir: DataDir = None) -> None:
    """Préparer le démarrage rapide du tableau de bord (instantané des données et de la carte par défaut)."""
    from territoires import fmt, snapshot

    try:
        t = time.perf_counter()
        target, written = snapshot.prepare(data_dir)
        took = time.perf_counter() - t
    except TerritoiresError as exc:
        fail(exc)
    if target is None:
        out.print("Registre en base de données : pas d'instantané (la base peut changer sans lui).", highlight=False)
    elif written:
        out.print(
            f"[green]✓[/] Instantané de démarrage écrit : {plain(target)} ({fmt.number(took, 1)} s).",
            highlight=False,
        )
    else:
        out.print(f"[green]✓[/] Instantané de démarrage à jour : {plain(target)}.", highlight=False)


@app.command("assets")
def assets_cmd() -> None:
    """Copier Leaflet, Leaflet.markercluster et Font Awesome (paquets XStatic) dans static/vendor/, sans réseau."""
    from territoires import assets

    written = assets.install()
    out.print(
        f"[green]✓[/] Ressources de la carte en place dans {plain(assets.STATIC_DIR)} ({len(written)} copiées).",
        highlight=False,
    )
