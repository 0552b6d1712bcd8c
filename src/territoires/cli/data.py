"""``territoires data …``: check, import, export the registry, and follow its changes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import typer

from territoires import fmt
from territoires.cli.common import DataDir, data_app, err, fail, field, os_failure, out, plain
from territoires.errors import TerritoiresError
from territoires.registry.schema import KINDS, LEVELS

README = "data/registry/README.md"  # the registry's columns, described (for the command line only)


@data_app.command("check")
def data_check(data_dir: DataDir = None) -> None:
    """Valider le registre (schéma, identifiants, codes dans data/geo, sources) ; compte rendu de jointure."""
    from territoires.registry.check import check_registry

    rep = check_registry(data_dir)
    for p in rep.problems:
        err.print(f"[bold red]✗[/] {plain(p)}", highlight=False)
    if rep.total:
        out.print(f"Enregistrements : {rep.total}", highlight=False)
        # Each kind and level by its French name, its code beside (what --kind and the files use).
        out.print("Par type :\n" + _counts(rep.by_kind, KINDS), highlight=False)
        out.print("Adhérents par niveau :\n" + _counts(rep.members_by_level, LEVELS), highlight=False)
        n_rel = sum(rep.relations_by_type.values())
        by_type = ", ".join(f"{field(k)} {v}" for k, v in rep.relations_by_type.items())
        out.print(f"Relations : {n_rel}" + (f" ({by_type})" if by_type else ""), highlight=False)
        out.print(
            f"Jointure : {rep.matched} rattachés, {len(rep.homonyms)} homonymes résolus par le contexte, "
            f"{len(rep.unmatched)} non rattachés, {len(rep.unplaced)} non localisés (déclarés).",
            highlight=False,
        )
        for line in rep.homonyms:
            out.print(f"  [dim]homonyme[/] {plain(line)}", highlight=False)
        for line in rep.renamed:
            out.print(f"  [dim]nom[/] {plain(line)}", highlight=False)
        for line in rep.unplaced:
            out.print(f"  [dim]non localisé[/] {plain(line)}", highlight=False)
        for line in rep.unmatched:
            err.print(f"  [bold red]non rattaché[/] {plain(line)}", highlight=False)
        if rep.areas is not None and len(rep.areas):
            worst = rep.areas["gap"].abs().max()
            out.print(
                f"Surfaces : {len(rep.areas)} adhérents dessinés à partir des communes de 2012 ; "
                f"plus grand écart {fmt.percent(worst, 2)} (tolérance 2 %) ; "
                f"{int(rep.areas['approx'].sum())} au périmètre approché.",
                highlight=False,
            )
    for note in rep.notes:
        out.print(f"[yellow]•[/] {plain(note)}", highlight=False)
    if not _storyboards_ok(data_dir):
        raise typer.Exit(1)
    if not rep.ok:
        err.print(
            f"[bold red]{len(rep.problems) + len(rep.unmatched)} problème(s).[/] "
            "À faire : corriger data/registry/ puis relancer « territoires data check ».",
            highlight=False,
        )
        raise typer.Exit(1)
    out.print("[green]✓[/] Registre conforme.", highlight=False)


def _storyboards_ok(data_dir: Path | None) -> bool:
    """Each storyboard (« Diaporama ») read and checked like the registry: one line each."""
    from territoires.storyboard import StoryboardError, open_storyboards

    store = open_storyboards(base=None if data_dir is None else Path(data_dir) / "storyboards")
    ok = True
    for name in store.names():
        try:
            sb, _ = store.load(name)
        except StoryboardError as exc:
            err.print(f"[bold red]✗[/] {plain(exc.message)}", highlight=False)
            ok = False
            continue
        out.print(f"Diaporama « {plain(name)} » : {len(sb.slides)} vues — {plain(sb.title)}", highlight=False)
    return ok


def _counts(counts: dict[str, int], labels: dict[str, str]) -> str:
    """One indented line per code: « 88  Collectivité adhérente du RTES — rtes_member »."""
    return "\n".join(f"  {n:>4}  {field(labels.get(k, k))} — {field(k)}" for k, n in counts.items())


@data_app.command("import")
def data_import(
    file: Annotated[Path, typer.Argument(help="Fichier CSV ou XLSX de nouveaux enregistrements ou de modifications.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Montrer ce qui changerait, sans rien écrire.")] = False,
    only_valid: Annotated[
        bool, typer.Option("--only-valid", help="Importer les lignes valides même si d'autres sont refusées.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Importer des adhérents, pôles, initiatives… : chaque ligne vérifiée, compte rendu avant écriture.

    Colonnes acceptées : voir data/registry/README.md.
    """
    import getpass

    from territoires.registry import importer
    from territoires.registry.intake import ColumnError
    from territoires.registry.storage import open_store

    try:
        if not file.exists():
            raise TerritoiresError("Fichier introuvable.", where=file, todo="vérifier le chemin du fichier.")
        store = open_store(data_dir)
        # Held from the preview to the write: another import waits for this one, nothing goes stale.
        with store.exclusive():
            plan = importer.plan(store, file, origin="cli", base=data_dir, author=f"cli:{getpass.getuser()}")
            for line in plan.report.lines():
                out.print(plain(line), highlight=False)
            if dry_run:
                out.print("Simulation : rien n'a été écrit.", highlight=False)
                raise typer.Exit(1 if plan.report.rejected else 0)
            report = importer.apply(store, plan, only_valid=only_valid)
    except ColumnError as exc:  # the message lists the columns; here, where each one is described too
        fail(TerritoiresError(exc.what, where=exc.where, todo=f"{exc.todo} Description : {README}."))
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


ACTIONS = {"added": "ajout", "changed": "modification"}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@data_app.command("changes")
def data_changes(
    since: Annotated[
        str, typer.Option("--since", help="Date AAAA-MM-JJ : les nouveautés depuis ce jour.")
    ] = "2000-01-01",
    data_dir: DataDir = None,
) -> None:
    """Nouveautés : ce qui a changé dans le registre depuis une date (quand, quoi, d'où)."""
    from territoires.registry.files import CHANGELOG_COLUMNS
    from territoires.registry.storage import open_store

    day = _day(since)
    try:
        log = open_store(data_dir).changelog()
    except TerritoiresError as exc:
        fail(exc)
    except OSError as exc:
        os_failure(exc)
    # Whatever the log holds (a column missing, an empty cell, any text), every field is a string.
    log = log.reindex(columns=CHANGELOG_COLUMNS, fill_value="")
    log = log.astype(object).where(log.notna(), "").astype(str)
    recent = log[log["at"].str[:10] >= day]
    if recent.empty:
        out.print(f"Aucune modification depuis le {day}.", highlight=False)
        return
    for r in recent.itertuples(index=False):
        when = field(r.at[:16].replace("T", " "))
        what = field(f"{ACTIONS.get(r.action, r.action):<12}")  # padded before escaping: as shown
        where = ", ".join(field(v) for v in (r.origin, r.file, getattr(r, "author", "")) if v)
        out.print(f"{when}  {what} {field(r.id)}  {field(r.name)}  ({where})", highlight=False)


def _day(text: str) -> str:
    """The day of ``--since``, checked: AAAA-MM-JJ and a real date."""
    try:
        if _DATE.fullmatch(text):
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    fail(
        TerritoiresError(
            f"Date invalide pour --since : « {text} » (attendu AAAA-MM-JJ).",
            todo="donner une date réelle, par exemple --since 2024-01-31.",
        )
    )


@data_app.command("manifest")
def data_manifest(data_dir: DataDir = None) -> None:
    """Mettre à jour data/registry/manifest.json (sha256) après une modification vérifiée."""
    from territoires.registry.check import check_registry
    from territoires.registry.files import MANIFEST_FILE, registry_dir
    from territoires.registry.manifest import write_manifest

    rep = check_registry(data_dir)
    if not rep.ok:
        err.print(
            "[bold red]Le registre ne passe pas « territoires data check » : manifeste inchangé.[/]", highlight=False
        )
        raise typer.Exit(1)
    try:
        write_manifest(data_dir)
    except OSError as exc:
        os_failure(exc, registry_dir(data_dir) / MANIFEST_FILE)
    out.print("[green]✓[/] Manifeste du registre mis à jour.", highlight=False)


# What ``territoires data export --what`` writes: the records (default), or the relations between them.
EXPORT_WHAT = {"actors": "actors", "acteurs": "actors", "relations": "relations"}


@data_app.command("export")
def data_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="Fichier à écrire.")],
    fmt: Annotated[str, typer.Option("--format", help="csv ou geojson.")] = "csv",
    what: Annotated[
        str, typer.Option("--what", help="actors (les enregistrements, défaut) ou relations (qui travaille avec qui).")
    ] = "actors",
    resolution: Annotated[
        str, typer.Option(help="Contours : region (≈ 300 m, défaut), france (≈ 1 km) ou full.")
    ] = "region",
    data_dir: DataDir = None,
) -> None:
    """Écrire le registre joint aux contours (CSV, ou GeoJSON avec périmètres et points), ou ses relations."""
    from territoires.export import check_target
    from territoires.registry import downloads, relation_downloads

    try:
        kind = EXPORT_WHAT.get(what)
        if kind is None:
            raise TerritoiresError(
                f"Export inconnu : --what {what!r}.", todo="choisir --what actors (défaut) ou --what relations."
            )
        if kind == "relations":
            relation_downloads.check_format(fmt)  # before any reading: nothing is written on a wrong format
        check_target(output)  # before the join, which takes seconds
        module = relation_downloads if kind == "relations" else downloads
        n = module.export(output, fmt=fmt, resolution=resolution, base=data_dir)
    except TerritoiresError as exc:
        fail(exc)
    except OSError as exc:  # the export writes atomically: the file in place is left as it was
        os_failure(exc, output)
    noun = "relations écrites" if kind == "relations" else "enregistrements écrits"
    out.print(f"[green]✓[/] {n} {noun} dans {plain(output)}.", highlight=False)
