"""``territoires fiche``: the profile of one territory (commune, EPCI, département, région) as PDF, PNG or JSON."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from territoires.cli.common import DataDir, app, err, fail, plain
from territoires.errors import TerritoiresError


class FicheLevel(StrEnum):
    commune = "commune"
    epci = "epci"
    departement = "departement"
    region = "region"
    region_2012 = "region_2012"


class FicheFormat(StrEnum):
    pdf = "pdf"
    png = "png"
    json = "json"


@app.command("fiche")
def fiche_cmd(
    level: Annotated[
        FicheLevel,
        typer.Option(
            "--level",
            help="commune, epci (intercommunalité), departement, region (région d'aujourd'hui) ou region_2012 "
            "(région de 2012).",
        ),
    ],
    code: Annotated[
        str,
        typer.Option(
            "--code",
            help="Code INSEE (commune d'aujourd'hui ou de 2012), SIREN d'EPCI, code de département ou de région.",
        ),
    ],
    fmt_: Annotated[FicheFormat, typer.Option("--format", help="pdf, png ou json.")] = FicheFormat.pdf,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Fichier à écrire (défaut : sortie standard en JSON, fiche-NIVEAU-CODE.pdf/png sinon).",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Fiche territoire : adhérents qui le couvrent, acteurs, relations et chiffres clés, sur une page A4."""
    from territoires.dataset import load_dataset
    from territoires.export import check_target, write_file
    from territoires.fiche import fiche

    if output is None and fmt_ is not FicheFormat.json:
        output = Path(f"fiche-{level.value}-{code}.{fmt_.value}")
    try:
        if output is not None:
            check_target(output)  # before the computing and the drawing
        ds = load_dataset(data_dir)
        f = fiche(ds, level.value, code)
        if fmt_ is FicheFormat.json:
            data = f.to_json().encode("utf-8")
        else:
            from territoires.export.fiche import render_fiche  # matplotlib: only when a page is asked for

            data = render_fiche(ds, f, fmt_.value)
        if output is not None:
            write_file(output, data)  # atomic: a reader sees the old file or the new one
    except TerritoiresError as exc:
        fail(exc)
    if output is None:
        sys.stdout.write(data.decode("utf-8"))  # the fiche itself, as data, for a pipe or a file
    else:
        err.print(
            f"✓ Fiche « {plain(f.name, 200)} » écrite : {plain(output)} ({len(data) / 1e3:.0f} ko).", highlight=False
        )
