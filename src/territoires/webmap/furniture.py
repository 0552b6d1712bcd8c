"""Map furniture: a metric scale, legends that fold, popups that scroll, clusters of their own colour."""

from __future__ import annotations

import folium

from territoires import safe
from territoires.webmap.plumbing import Script, Style

OPEN_LABEL = "Masquer la légende"
FOLDED_LABEL = "Légende ▾"
NARROW = 700  # px: below this width a legend would cover the map, so it starts folded
# Cluster discs (outer halo, inner disc): blue-greys, darker as clusters grow. No kind of actor uses
# them (green is « Initiative »); white text on each inner disc has a contrast of 5.4, 7.2 and 9.6.
CLUSTER_COLOURS = {
    "small": ("rgba(84,110,122,.35)", "#546e7a"),
    "medium": ("rgba(69,90,100,.4)", "#455a64"),
    "large": ("rgba(55,71,79,.45)", "#37474f"),
}
# ``.leaflet-container`` raises the specificity above MarkerCluster.Default.css, whichever comes first.
_CLUSTER_CSS = "".join(
    f".leaflet-container .marker-cluster-{size} {{ background-color: {halo}; }}"
    f".leaflet-container .marker-cluster-{size} div {{ background-color: {disc}; color: #fff; }}\n"
    for size, (halo, disc) in CLUSTER_COLOURS.items()
)
CSS = (
    # A popup taller than the map would be cut: long quotes scroll inside it instead.
    ".leaflet-popup-content { max-height: 60vh; overflow-y: auto; overflow-x: hidden; }\n"
    ".terr-fold { font: inherit; font-weight: 600; cursor: pointer; background: #fff; color: #222;"
    " border: 1px solid #888; border-radius: 3px; padding: 2px 8px; margin: 0 0 2px; }\n"
    ".terr-fold:focus-visible { outline: 2px solid #1f4e79; outline-offset: 1px; }\n"
    ".terr-fold-body[hidden] { display: none; }\n"
    ".leaflet-control.terr-folded { padding: 3px; }\n"
    f"{_CLUSTER_CSS}"
)
# terrFold(d, map): the toggle of a legend control ``d`` built by :func:`foldable`. Folded on a
# narrow map, open otherwise; the button keeps aria-expanded and its label in step with the legend.
FOLD_JS = (
    "window.terrFold=function(d,m){var b=d.querySelector('.terr-fold'),"
    "x=d.querySelector('.terr-fold-body');if(!b||!x){return;}"
    "window.terrFoldN=(window.terrFoldN||0)+1;x.id='terr-fold-'+window.terrFoldN;"
    "b.setAttribute('aria-controls',x.id);"
    "var set=function(open){b.setAttribute('aria-expanded',open?'true':'false');"
    f"b.textContent=open?{safe.script_json(OPEN_LABEL)}:{safe.script_json(FOLDED_LABEL)};"
    "x.hidden=!open;if(open){L.DomUtil.removeClass(d,'terr-folded');}else{L.DomUtil.addClass(d,'terr-folded');}};"
    f"set((m?m.getSize().x:window.innerWidth)>={NARROW});"
    "L.DomEvent.on(b,'click',function(e){L.DomEvent.stop(e);"
    "set(b.getAttribute('aria-expanded')!=='true');});};"
)

MAP_LABEL = "Carte interactive : la même information est donnée par le tableau sous la carte"
# Leaflet's controls speak English, and every marker is a tab stop (hundreds on the national map):
# RGAA 12.8 asks for a usable tab order, so markers leave it (the table under the map gives the same
# records, and the map itself stays one stop, moved with the arrow keys). Markers made later
# (clusters, layers) inherit ``keyboard: false`` from the prototype, set before any layer is added.
A11Y_JS = (
    "L.Marker.prototype.options.keyboard=false;"
    "(function(m){var c=m.getContainer();c.setAttribute('role','region');"
    f"c.setAttribute('aria-label',{safe.script_json(MAP_LABEL)});"
    "var fr=function(){[['.leaflet-control-zoom-in','Zoom avant'],['.leaflet-control-zoom-out','Zoom arrière'],"
    "['.leaflet-control-layers-toggle','Couches de la carte'],"
    "['.leaflet-control-attribution a[href*=\"leafletjs\"]','Leaflet, bibliothèque de cartes']]"
    ".forEach(function(p){c.querySelectorAll(p[0]).forEach(function(e){e.title=p[1];"
    "e.setAttribute('aria-label',p[1]);});});};"
    "fr();setTimeout(fr,0);})"
)


def foldable(html: str) -> str:
    """``html`` (already escaped) behind a toggle button; :data:`FOLD_JS` sets its state in the browser."""
    return (
        f'<button type="button" class="terr-fold" aria-expanded="true">{safe.text(OPEN_LABEL)}</button>'
        f'<div class="terr-fold-body">{html}</div>'
    )


def add(m: folium.Map) -> None:
    """The style sheet, the fold helper and a kilometre-only scale (folium's ``control_scale`` adds miles)."""
    m.add_child(Style(CSS))
    # Added before the legends: Leaflet stacks bottom controls upwards, so the scale stays at the edge.
    m.add_child(
        Script(
            lambda: (
                f"{FOLD_JS}L.control.scale({{imperial:false,metric:true}}).addTo({m.get_name()});"
                f"{A11Y_JS}({m.get_name()});"
            )
        )
    )
