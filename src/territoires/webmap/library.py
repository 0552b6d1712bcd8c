"""The code every map shares: its functions (decoders, markers, links, legends' folding, framing)
and its style sheets, written once.

A map's own script only calls these functions with its data. The dashboard's maps link them as two
files named by their content (``/app/static/geo/territoires-….js`` and ``.css``), which the browser
keeps across reruns, pages and sessions (:mod:`territoires.httpcache`); an exported map (HTML file,
static site, image) inlines them, so that it needs nothing else.
"""

from __future__ import annotations

from pathlib import Path

from folium.elements import JSCSSMixin
from jinja2 import Template

from territoires import encode
from territoires.webmap import furniture, layers, links, popups
from territoires.webmap.plumbing import RenderedOnce


def js() -> str:
    """Every shared function, as one script (definitions only: nothing runs when it loads)."""
    parts = (encode.DECODER_JS, furniture.FOLD_JS, furniture.A11Y_JS, furniture.FIT_JS)
    return "\n".join((*parts, layers.DECLUTTER_JS, layers.ACTORS_JS, links.JS))


def css() -> str:
    """Every shared style sheet, as one."""
    return "\n".join([popups.CSS, furniture.CSS, links.CSS])


def urls(directory: Path | None = None) -> tuple[str, str]:
    """(script, style sheet) URLs of the shared files, written when missing (a hash of 12 KB per map)."""
    from territoires.webmap.published import publish_file

    return (
        publish_file(js(), "territoires", "js", directory),
        publish_file(css(), "territoires", "css", directory),
    )


class Library(RenderedOnce, JSCSSMixin):
    """The shared code in the page's head: linked (``published``) or inlined.

    Linked, its files are the element's ``default_js`` / ``default_css``: streamlit-folium loads those
    in order before it runs the map's script (it drops the head's ``<script src>`` tags).
    """

    _template = Template("{% macro header(this, kwargs) %}{{ this.inline() }}{% endmacro %}")

    def __init__(self, published: bool = False, directory: Path | None = None):
        super().__init__()
        self._name = "TerritoiresLibrary"
        self.published = published
        if published:
            script, sheet = urls(directory)
            self.default_js = [("territoires_js", script)]
            self.default_css = [("territoires_css", sheet)]
        else:
            self.default_js, self.default_css = [], []

    def inline(self) -> str:
        return "" if self.published else f"<style>{css()}</style><script>{js()}</script>"

    def render(self, **kwargs) -> None:
        if self.published:  # the links, in the head (and in streamlit-folium's list of files)
            JSCSSMixin.render(self, **kwargs)
        else:  # the code itself, never through Jinja a second time
            RenderedOnce.render(self, **kwargs)
