"""The map as one HTML file that draws with no server and no network (assets inlined)."""

from __future__ import annotations

import re

from territoires import assets
from territoires.state import MapState
from territoires.webmap.compose import build_map
from territoires.webmap.geometry import GeometryCache

_LINK = re.compile(r'<link rel="stylesheet" href="(/app/static/vendor/[^"]+)"/>')
_SCRIPT = re.compile(r'<script src="(/app/static/vendor/[^"]+)"></script>')
# A tag that would still fetch something from the network. Only tags: a name such as
# "cdn.exemple" in a popup (escaped by the web map) is data, not a resource.
EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def standalone_html(cache: GeometryCache, state: MapState) -> str:
    """A single HTML file of the map of ``state``, Leaflet and its friends inlined."""
    html = build_map(cache, state, height="100vh").get_root().render()
    by_url = {assets.url(name): name for name in assets.ASSETS}
    html = _SCRIPT.sub(lambda mt: f"<script>{assets.inline(by_url[mt.group(1)])}</script>", html)
    html = _LINK.sub(lambda mt: f"<style>{assets.inline(by_url[mt.group(1)])}</style>", html)
    # « Voir la fiche » leads to the dashboard's page: a standalone file has no dashboard behind it.
    html = html.replace("</head>", "<style>.terr-fiche{display:none}</style></head>", 1)
    if EXTERNAL.search(html):
        raise RuntimeError("une ressource externe subsiste dans l'export HTML")
    return html
