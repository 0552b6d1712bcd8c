"""``territoires geo fetch`` against a hostile server on 127.0.0.1 (tests/httpfixture.py), for bench/abuse.py."""

from __future__ import annotations

from abuse_cli import outcome
from abuse_env import Ctx, cli
from abuse_files import TITLE, sevenzip_bomb

from httpfixture import LocalServer, body, endless, redirect, trickle

ARCHIVE = f"/download/ADMIN-EXPRESS-COG-CARTO/{TITLE}/{TITLE}.7z"


def _fetch(ctx: Ctx, srv: LocalServer, path: str, *args: str, expect: str) -> dict:
    run = cli(ctx.ws, "geo", "fetch", "--source", srv.url + path, "--data-dir", str(ctx.ws.data), *args, timeout=60)
    r = outcome(run, refused=True, expect=expect)
    left = ctx.ws.leftovers()
    r["checks"]["no_leftover_work_dir"] = not left
    r["leftovers"] = left
    return r


def endless_body(ctx: Ctx) -> dict:
    """geo fetch : corps sans fin (chunked) avec --max-size 50 : arrêté au plafond, en français."""
    with LocalServer() as srv:
        srv.routes[ARCHIVE] = endless(chunked=True)
        return _fetch(ctx, srv, ARCHIVE, "--max-size", "50", "--retries", "1", expect=r"plafond|--max-size")


def trickling(ctx: Ctx) -> dict:
    """geo fetch : serveur au goutte-à-goutte (1 octet toutes les 2 s) avec --deadline 5 : arrêté au délai."""
    with LocalServer() as srv:
        srv.routes[ARCHIVE] = trickle(2.0)
        return _fetch(ctx, srv, ARCHIVE, "--deadline", "5", expect=r"délai total|trop long")


def other_host(ctx: Ctx) -> dict:
    """geo fetch : redirection de 127.0.0.1 vers localhost : refusée, l'autre hôte jamais interrogé."""
    with LocalServer() as srv:
        port = srv.url.rsplit(":", 1)[1]
        srv.routes["/go.7z"] = redirect(f"http://localhost:{port}{ARCHIVE}")
        srv.routes[ARCHIVE] = body(b"never asked")
        r = _fetch(ctx, srv, "/go.7z", "--retries", "0", expect="Redirection refusée")
        r["checks"]["other_host_never_asked"] = ARCHIVE not in srv.hits
    return r


def sevenzip(ctx: Ctx) -> dict:
    """geo fetch : bombe 7z (30 ko → 200 Mo de zéros) avec --max-extract 50 : refusée avant extraction."""
    bomb = sevenzip_bomb(ctx.ws.files)
    with LocalServer() as srv:
        srv.routes[ARCHIVE] = body(bomb.read_bytes())
        r = _fetch(ctx, srv, ARCHIVE, "--max-extract", "50", expect=r"refusée avant extraction|bombe")
    r["file_bytes"] = bomb.stat().st_size
    return r
