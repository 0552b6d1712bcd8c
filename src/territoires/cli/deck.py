"""``territoires export deck``: the storyboard as an editable PowerPoint or a PDF (issue 18)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from territoires import fmt
from territoires.cli.common import err, fail, out, plain
from territoires.errors import TerritoiresError
from territoires.settings import is_local_url

DEFAULT_BASE_URL = "http://localhost:8501"
StoryboardName = Annotated[
    str | None, typer.Option("--storyboard", help="deck, site : nom du diaporama (défaut : rencontre-nationale).")
]


DeckDate = Annotated[
    str | None,
    typer.Option("--date", help="deck : jour de la présentation, AAAA-MM-JJ ou JJ/MM/AAAA (défaut : aujourd'hui)."),
]


class DeckFormat(StrEnum):
    pptx = "pptx"
    pdf = "pdf"


def presented_on(day: str | None) -> dt.date | None:
    """The presentation's day from ``--date`` (AAAA-MM-JJ or JJ/MM/AAAA, past or future), or a French error."""
    if day is None:
        return None
    text = day.strip()
    parsed = fmt.parse_day(text)
    if parsed is not None:
        return parsed
    fail(
        TerritoiresError(
            f"Date de présentation invalide : « {text[:30]} ».",
            todo="écrire --date 2026-12-08 ou --date 08/12/2026 (le jour de la rencontre).",
        )
    )


def export_deck(
    name: str | None,
    fmt_: DeckFormat | None,
    output: Path,
    base_url: str,
    data_dir: Path | None,
    today: dt.date | None = None,
) -> None:
    """``territoires export deck``: the storyboard as an editable PowerPoint or a PDF, one bar step per slide;
    ``today``: the day the slides say they are presented (the meeting's, not the export's)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from territoires import export
    from territoires.storyboard import DEFAULT_NAME, open_storyboards

    if fmt_ is None:
        fail(TerritoiresError("Format du diaporama manquant.", todo="ajouter --format pptx ou --format pdf."))
    if not base_url.startswith(("http://", "https://")):
        fail(
            TerritoiresError(
                f"Lien du tableau de bord invalide : « {base_url[:80]} ».",
                todo=f"donner une adresse web avec --lien, par exemple {DEFAULT_BASE_URL}.",
            )
        )
    if is_local_url(base_url):  # a phone in the room cannot open the presenter's own machine
        err.print(
            f"Attention : les QR codes ouvriront {plain(base_url)}, une adresse qui ne marche que sur cet "
            "ordinateur. Pour la salle, donner l'adresse publique du tableau de bord avec --lien "
            "(ou la variable TERRITOIRES_PUBLIC_URL).",
            highlight=False,
        )
    try:
        export.check_target(output)  # before the drawing, which takes seconds per slide
        sb, _ = open_storyboards(data_dir / "storyboards" if data_dir else None).load(name or DEFAULT_NAME)
        from territoires.dataset import load_dataset
        from territoires.webmap.geometry import GeometryCache

        cache = GeometryCache(load_dataset(data_dir))
        from territoires.export.deck import build_deck  # matplotlib and python-pptx: only when asked for

        columns = (TextColumn("Diapositives"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=False) as prog:
            task = prog.add_task("diaporama", total=len(sb.slides))
            data = build_deck(
                cache,
                sb,
                fmt_.value,
                base_url,
                today=today,
                progress=lambda done, total: prog.update(task, completed=done),
            )
        export.write_file(output, data)
    except TerritoiresError as exc:
        fail(exc)
    out.print(
        f"[green]✓[/] Diaporama « {plain(sb.title)} » écrit dans {plain(output)} "
        f"({len(sb.slides)} diapositives et le lien, {len(data) / 1e3:.0f} ko).",
        highlight=False,
    )
