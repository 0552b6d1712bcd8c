"""What every command shares: the Typer apps, the consoles, French failures, progress displays."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

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
