"""What every command shares: the Typer apps, the consoles, French failures, progress displays."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.errors import MarkupError
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

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

# What must never reach the terminal from data: C0 controls (ESC starts the sequences that recolour,
# clear the screen, retitle the window or forge links), DEL, C1 controls (0x9b is CSI on 8-bit
# terminals), and the bidi embeddings, overrides and isolates that reorder what is shown.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# In a one-line field, a newline or a tab would forge a line or a column of the output: shown too.
_CONTROLS_AND_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FIELD_LIMIT = 200  # characters of a name, an id or a file name shown on a line
LINE_LIMIT = 1000  # characters of each line of a message or a report


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _shown(text: str, limit: int | None, controls: re.Pattern[str]) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis), its control characters made visible."""
    cut = limit is not None and len(text) > limit
    # Cut first: a 1 MB name costs no more than a short one.
    text = controls.sub(_visible, text[:limit] if cut else text)
    return text + "…" if cut else text


def plain(value: object, limit: int | None = LINE_LIMIT) -> str:
    """Data as text safe to print with Rich: control characters shown as ``\\xNN``, markup escaped.

    Newlines and tabs are kept (a message may have several lines); ``limit`` cuts each line.
    """
    text = "" if value is None else str(value)
    return escape("\n".join(_shown(line, limit, _CONTROLS) for line in text.split("\n")))


def field(value: object, limit: int = FIELD_LIMIT) -> str:
    """One value on one line (a name, an id, a file name): as :func:`plain`, newlines and tabs shown too."""
    return escape(_shown("" if value is None else str(value), limit, _CONTROLS_AND_BREAKS))


class _SafeConsole(Console):
    """A console that lets no control character through and never fails on markup.

    Every data string is passed through :func:`plain` or :func:`field` first; this is the net
    for one that was not: its control characters are made visible, and if it breaks the markup
    the line is printed as it is rather than the command failing.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        text = _CONTROLS.sub(_visible, text)
        try:
            return super().render_str(text, **kwargs)
        except MarkupError:
            return super().render_str(text, **{**kwargs, "markup": False})


# soft_wrap: never cut a message in the middle of a path or a code when piped to a log.
# emoji=False: a name such as "Café :coffee:" is printed as written.
out = _SafeConsole(soft_wrap=True, emoji=False, highlight=False)
err = _SafeConsole(stderr=True, soft_wrap=True, emoji=False, highlight=False)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Dossier des données (défaut : data/ du dépôt, ou $TERRITOIRES_DATA_DIR)."),
]


def fail(exc: TerritoiresError) -> NoReturn:
    """Print a user error in French and exit 1 (the message may quote data: printed as plain text)."""
    err.print(f"[bold red]Erreur :[/] {plain(exc.message)}", highlight=False)
    raise typer.Exit(1)


def os_failure(exc: OSError, output: Path | None = None) -> NoReturn:
    """Exit 1 on a file the system refused, in French: the file being written, or another one."""
    from territoires.export import cannot_write

    name = Path(exc.filename).absolute() if exc.filename else None
    if output is not None and (name is None or _on_the_way(name, Path(output).absolute())):
        fail(cannot_write(exc, output))
    fail(
        TerritoiresError(
            f"Fichier inaccessible ({exc.strerror or exc}).",
            where=exc.filename,
            todo="vérifier le chemin, les droits d'accès et la place sur le disque.",
        )
    )


def _on_the_way(name: Path, output: Path) -> bool:
    """Whether ``name`` is ``output``, one of its folders, or a file beside it (the atomic write's temporary)."""
    return output.is_relative_to(name) or name.parent == output.parent


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
            current[:] = [prog.add_task(plain(label), total=None)]

        yield step
        if current:
            prog.update(current[0], completed=1, total=1)
