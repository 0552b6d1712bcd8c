"""Folium elements of ours: offline assets, data that crosses Jinja once, names taken at render time."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import folium
from branca.element import Element, Figure, MacroElement
from folium.plugins import MarkerCluster
from jinja2 import Template

from territoires import assets, safe


class OfflineMap(folium.Map):
    """A folium Map whose JS/CSS come from the app (or are inlined), never from a CDN."""

    default_js: ClassVar[list[tuple[str, str]]] = [("leaflet", assets.url("leaflet"))]
    default_css: ClassVar[list[tuple[str, str]]] = [
        ("leaflet_css", assets.url("leaflet_css")),
        ("fontawesome_css", assets.url("fontawesome_css")),
        ("fontawesome_solid_css", assets.url("fontawesome_solid_css")),
    ]

    def render(self, **kwargs) -> None:
        """Render into a figure cleared of what earlier renders of this object added.

        Each render adds every part to the figure again, some under new names (folium gives each
        layer a new ``ElementAddToElement`` per render): streamlit-folium renders a map twice.
        """
        figure = self.get_root()
        if isinstance(figure, Figure):
            built = self.__dict__.setdefault(
                "_figure_parts", {part: set(getattr(figure, part)._children) for part in ("header", "html", "script")}
            )
            for part, keep in built.items():
                children = getattr(figure, part)._children
                for name in [n for n in children if n not in keep]:
                    del children[name]
        super().render(**kwargs)


class OfflineMarkerCluster(MarkerCluster):
    """Leaflet.markercluster from the app's own files."""

    default_js: ClassVar[list[tuple[str, str]]] = [("markercluster", assets.url("markercluster"))]
    default_css: ClassVar[list[tuple[str, str]]] = [
        ("markercluster_css", assets.url("markercluster_css")),
        ("markercluster_default_css", assets.url("markercluster_default_css")),
    ]


class _Verbatim(Element):
    """Rendered code, added to the figure as it is."""

    def __init__(self, code: str):
        super().__init__()
        self.code = code

    def render(self, **kwargs) -> str:
        return self.code


class RenderedOnce:
    """For our elements that carry data: their rendered parts enter the figure verbatim.

    branca's ``MacroElement.render`` wraps each rendered part in ``Element(...)``, which compiles it
    as a Jinja template a second time: every data string would go through Jinja twice, and the
    lexer would read the ~450 KB of a national map's data on every render.
    """

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        module = self._template.module
        for part in ("header", "html", "script"):
            macro = module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Verbatim(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class Script(RenderedOnce, MacroElement):
    """A script block of ours, with data passed as script-safe JSON (never through Jinja text).

    ``code`` may be a function: it is called when the map is rendered, so that a script naming
    other elements (``marker_cluster_…``, ``map_…``) uses the names they have at that moment —
    streamlit-folium renames every element as it draws the map.
    """

    _template = Template("{% macro script(this, kwargs) %}{{ this.text() }}{% endmacro %}")

    def __init__(self, code: str | Callable[[], str]):
        super().__init__()
        self._name = "TerritoiresScript"
        self.code = code

    def text(self) -> str:
        return self.code() if callable(self.code) else self.code


class Style(RenderedOnce, MacroElement):
    """A style sheet of ours, in the page's head."""

    _template = Template("{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}")

    def __init__(self, css: str):
        super().__init__()
        self.css = css


class CompactLayer(RenderedOnce, folium.map.Layer):
    """An overlay drawn from the compact encoding (``territoires.encode``), listed in the layer control."""

    _template = Template(
        "{% macro script(this, kwargs) %}var {{ this.get_name() }} = terrLayer({{ this.data }}, {{ this.opts }});"
        "{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}{% endmacro %}"
    )

    def __init__(self, name: str, data: str, style: dict, highlight: dict | None = None, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "CompactLayer"
        self.data = data  # script-safe JSON, assembled from cached fragments
        self.opts = safe.script_json({"style": style, "hl": highlight})


def control(m: folium.Map, position: str, css_class: str, html: str, fold: bool = False) -> Script:
    """A Leaflet control holding ``html`` (already escaped), added to ``m`` under its render-time name.

    ``fold``: ``html`` comes from ``furniture.foldable``; ``terrFold`` (``furniture.add``) wires its button.
    """
    head = (
        f"(function(){{var c=L.control({{position:{safe.script_json(position)}}});"
        f"c.onAdd=function(map){{var d=L.DomUtil.create('div',{safe.script_json(css_class)});"
        f"d.innerHTML={safe.script_json(html)};{'if(window.terrFold){terrFold(d,map);}' if fold else ''}"
        "L.DomEvent.disableClickPropagation(d);L.DomEvent.disableScrollPropagation(d);return d;};c.addTo("
    )
    script = Script(lambda: f"{head}{m.get_name()});}})();")
    m.add_child(script)
    return script
