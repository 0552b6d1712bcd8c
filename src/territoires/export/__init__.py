"""Exports of the map: a 16:9 image drawn on the server (PNG, SVG, PDF) and a standalone HTML file.

- :mod:`~territoires.export.image`: the image, drawn with matplotlib (imported only when asked for);
- :mod:`~territoires.export.html`: the HTML file, Leaflet inlined.
"""

from __future__ import annotations

from pathlib import Path

from territoires.io.atomic import write_bytes_atomic
from territoires.state import MapState
from territoires.webmap.geometry import GeometryCache

FORMATS = ("png", "svg", "pdf", "html")


def render(cache: GeometryCache, state: MapState, fmt: str, size: tuple[int, int] = (1920, 1080)) -> bytes:
    """The map of ``state`` in format ``fmt`` (png, svg, pdf or html), as bytes."""
    if fmt == "html":
        from territoires.export.html import standalone_html

        return standalone_html(cache, state).encode("utf-8")
    from territoires.export.image import render_image  # matplotlib: only when an image is asked for

    return render_image(cache, state, fmt, size)


def export_map(
    cache: GeometryCache, state: MapState, fmt: str, output: Path, size: tuple[int, int] = (1920, 1080)
) -> int:
    """Write the map to ``output`` atomically; returns the bytes written."""
    data = render(cache, state, fmt, size)
    write_bytes_atomic(output, data)
    return len(data)
