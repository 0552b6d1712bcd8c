"""How long a browser keeps what the dashboard serves: long for files whose name is their content.

Streamlit sends its app's static files with validators only and its components' files with a bare
``Cache-Control: public``: a browser then asks again for every file the map's frame needs each time
Streamlit recreates that frame (every rerun), and gets them whole (≈ 200 KB per filter change on the
national view). The files below never change under their name (a hash of their content, or of the
build, is in it), so the browser may keep them a year without asking: the boundaries then cross the
network once per visitor, not once per rerun.

Rules are data (``RULES``); :class:`CacheHeaders` is a plain ASGI middleware, installed in
Streamlit's server by :func:`territoires.serve.long_cache` (and testable without a server).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

IMMUTABLE = "public, max-age=31536000, immutable"

# Path prefixes (after the server's base URL) → Cache-Control. Only names that change with content.
RULES: tuple[tuple[str, str], ...] = (
    # territoires.webmap.published: "<kind>-<sha256 of the content>.json.gz"
    ("/app/static/geo/", IMMUTABLE),
    # streamlit-folium's build: static/js/main.<hash>.js, static/css/main.<hash>.css
    ("/component/streamlit_folium.st_folium/static/", IMMUTABLE),
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


def cache_control(path: str, base_url: str = "") -> str | None:
    """The ``Cache-Control`` to send for ``path`` (None: leave the server's own)."""
    base = "/" + base_url.strip("/") if base_url.strip("/") else ""
    if base and path.startswith(base + "/"):
        path = path[len(base) :]
    if ".." in path:  # never a rule for a path that is not a file under a prefix (the server refuses it)
        return None
    for prefix, value in RULES:
        if path.startswith(prefix) and len(path) > len(prefix):
            return value
    return None


class CacheHeaders:
    """ASGI middleware: successful GET answers under a rule's prefix get the rule's ``Cache-Control``."""

    def __init__(self, app: ASGIApp, base_url: str = "") -> None:
        self.app = app
        self.base_url = base_url

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]], send) -> None:
        value = None
        if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD"):
            value = cache_control(scope.get("path", ""), self.base_url)
        if value is None:
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            # Only a file sent whole (200) or confirmed (304): an error page must not be kept a year.
            if message.get("type") == "http.response.start" and message.get("status") in (200, 304):
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                headers.append((b"cache-control", value.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_header)
