"""``territoires export site -o DOSSIER``: the static website, with a progress bar of its pages."""

from __future__ import annotations

from pathlib import Path

from territoires import fmt
from territoires.cli.common import err, fail, out, plain
from territoires.errors import TerritoiresError


def _storyboard(name: str | None, data_dir: Path | None):  # -> Storyboard | None
    """The storyboard asked for; the default one if it exists (a site without a diaporama otherwise)."""
    from territoires.storyboard import DEFAULT_NAME, open_storyboards

    store = open_storyboards(data_dir / "storyboards" if data_dir else None)
    if name is None and DEFAULT_NAME not in store.names():
        err.print(f"Pas de diaporama « {DEFAULT_NAME} » : le site est écrit sans diaporama.", highlight=False)
        return None
    return store.load(name or DEFAULT_NAME)[0]


def export_site(output: Path, name: str | None, data_dir: Path | None, *, refused: bool = False) -> None:
    """Write the site into ``output`` and say how many pages and how large; a French error otherwise.

    ``refused``: a map's or a deck's option was given too (--format, --lien), which a site has no use for.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from territoires.export import sitedir

    if refused:
        fail(
            TerritoiresError(
                "--format et --lien ne servent pas au site.",
                todo="écrire « territoires export site -o DOSSIER [--storyboard NOM] ».",
            )
        )

    try:
        # Before loading the data (seconds): a directory that may not be replaced is refused at once.
        sitedir.previous_site(sitedir.target(output))
        sb = _storyboard(name, data_dir)
        from territoires.cli.views import _geometry
        from territoires.export.site import write_site

        cache = _geometry(data_dir)
        columns = (TextColumn("Pages"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=False) as prog:
            task = prog.add_task("site", total=None)

            def step(done: int, total: int) -> None:
                prog.update(task, completed=done, total=total)

            report = write_site(cache, output, storyboard=sb, progress=step)
    except TerritoiresError as exc:
        fail(exc)
    for key in report.skipped:
        err.print(f"Territoire adhérent sans fiche (code inconnu des contours) : {plain(key)}.", highlight=False)
    out.print(
        f"[green]✓[/] Site écrit dans {plain(report.output)} : {report.pages} pages, "
        f"{fmt.number(report.bytes / 1e6, 1)} Mo, en {fmt.number(report.seconds, 0)} s. "
        "À publier tel quel sur n'importe quel serveur web (index.html).",
        highlight=False,
    )
