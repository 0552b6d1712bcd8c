"""``territoires serve``: the dashboard, alone or as N replicas behind HAProxy (:mod:`territoires.replicas`)."""

from __future__ import annotations

from typing import Annotated

import typer

from territoires.cli.common import app, fail
from territoires.errors import TerritoiresError


@app.command(
    "serve",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def serve_cmd(
    ctx: typer.Context,
    replicas: Annotated[
        int,
        typer.Option(
            "--replicas",
            help="Nombre de serveurs (répliques) derrière un proxy HAProxy, pour une salle entière. "
            "Défaut : 0, un seul serveur sans proxy.",
        ),
    ] = 0,
    port: Annotated[
        int | None, typer.Option("--port", help="Port du tableau de bord (avec --replicas : celui du proxy, 8501).")
    ] = None,
    address: Annotated[
        str, typer.Option("--address", help="Adresse d'écoute du proxy (avec --replicas ; défaut : toutes).")
    ] = "0.0.0.0",  # noqa: S104 -- the room's browsers reach it
) -> None:
    """Lancer le tableau de bord (données préparées pendant le démarrage). Options de streamlit acceptées."""
    if replicas:
        from territoires import replicas as cluster

        try:
            raise typer.Exit(cluster.run(replicas, port or 8501, address, list(ctx.args)))
        except TerritoiresError as exc:
            fail(exc)
    from territoires import serve

    serve.main([*ctx.args, *(["--server.port", str(port)] if port else [])])
