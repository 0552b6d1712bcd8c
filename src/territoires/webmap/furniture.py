"""Map furniture: a metric scale, legends that fold, popups that scroll, clusters of their own colour."""

from __future__ import annotations

import folium

from territoires import safe
from territoires.webmap.plumbing import Script

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
    "window.terrA11y=function(m){var c=m.getContainer();c.setAttribute('role','region');"
    f"c.setAttribute('aria-label',{safe.script_json(MAP_LABEL)});"
    "var fr=function(){[['.leaflet-control-zoom-in','Zoom avant'],['.leaflet-control-zoom-out','Zoom arrière'],"
    "['.leaflet-control-layers-toggle','Couches de la carte'],"
    "['.leaflet-control-attribution a[href*=\"leafletjs\"]','Leaflet, bibliothèque de cartes']]"
    ".forEach(function(p){c.querySelectorAll(p[0]).forEach(function(e){e.title=p[1];"
    "e.setAttribute('aria-label',p[1]);});});};"
    "fr();setTimeout(fr,0);"
    # Chromium makes every interactive SVG shape a tab stop (hundreds): shapes and markers, drawn now
    # or later (clusters open, layers toggle), are taken out of the tab order as they appear.
    "var Q='path.leaflet-interactive,.leaflet-marker-icon';"
    "var quiet=function(n){if(n.nodeType!==1){return;}if(n.matches(Q)){n.setAttribute('tabindex','-1');}"
    "n.querySelectorAll(Q).forEach(function(e){e.setAttribute('tabindex','-1');});};"
    "new MutationObserver(function(rs){rs.forEach(function(r){r.addedNodes.forEach(quiet);});})"
    ".observe(c,{childList:true,subtree:true});quiet(c);"
    # The map's document is the component's page, declared English: the map speaks French.
    "document.documentElement.lang='fr';};"
)


def foldable(html: str) -> str:
    """``html`` (already escaped) behind a toggle button; :data:`FOLD_JS` sets its state in the browser."""
    return (
        f'<button type="button" class="terr-fold" aria-expanded="true">{safe.text(OPEN_LABEL)}</button>'
        f'<div class="terr-fold-body">{html}</div>'
    )


def add(m: folium.Map) -> None:
    """The style sheet, the fold helper and a kilometre-only scale (folium's ``control_scale`` adds miles)."""
    # Added before the legends: Leaflet stacks bottom controls upwards, so the scale stays at the edge.
    m.add_child(
        Script(
            lambda: (
                # Set before any marker is made: markers made later inherit it from the prototype.
                "L.Marker.prototype.options.keyboard=false;"
                # maxWidth 160: the bar stays wider than its label in the presentation's 20 px type.
                f"L.control.scale({{imperial:false,metric:true,maxWidth:160}}).addTo({m.get_name()});"
                f"terrA11y({m.get_name()});"
            )
        )
    )


# --------------------------------------------------------------------- presentation mode
# Read from the back of a room on a 1920×1080 projector: every text ≥ 20 px; the map's own controls
# (zoom, layers, attribution) hidden — the source line names the data; the map fills its frame
# (streamlit-folium sets the map's height in pixels inline, hence !important).
# Sizes for 1920×1080 (text ≥ 20 px), scaled down with the screen's width (1,05 vw = 20 px at 1920):
# on a 1280×720 projector the legends keep to their corners instead of covering France.
PRESENTATION_CSS = (
    "html, body, #parent, #map_div, #map_div2, .folium-map { width: 100vw !important; height: 100vh !important;"
    " margin: 0 !important; padding: 0 !important; overflow: hidden; }\n"
    ".leaflet-control-zoom, .leaflet-control-layers, .leaflet-control-attribution { display: none !important; }\n"
    ".leaflet-top.leaflet-left .terr-band { box-sizing: border-box; width: calc(100vw - 20px); display: flex;"
    " align-items: flex-start; justify-content: space-between; gap: 24px; background: rgba(255,255,255,.95);"
    " padding: 10px 18px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); }\n"
    ".terr-band .terr-title { font-size: clamp(22px, 1.78vw, 34px); font-weight: 700; line-height: 1.2;"
    " margin: 0; max-width: none;"
    " background: none; box-shadow: none; padding: 0; }\n"
    ".terr-band .terr-figure { font-size: clamp(17px, 1.36vw, 26px); line-height: 1.25; margin: 4px 0 0;"
    " color: #1f4e79;"
    " font-weight: 600; }\n"
    ".terr-band .terr-counter { font-size: clamp(14px, 1.05vw, 20px); color: #444; white-space: nowrap;"
    " display: flex; gap: 12px;"
    " align-items: center; }\n"
    ".terr-exit { font: inherit; font-size: clamp(14px, 1.05vw, 20px); cursor: pointer; background: #fff; color: #222;"
    " border: 1px solid #888; border-radius: 3px; padding: 0 8px; }\n"
    ".terr-exit:focus-visible { outline: 2px solid #1f4e79; outline-offset: 1px; }\n"
    ".terr-legend, .terr-links-legend, .terr-source, .leaflet-control-scale-line, .terr-fold,"
    " .terr-legend h2, .terr-links-legend h2, .terr-links-legend .note {"
    " font-size: clamp(13px, 1.05vw, 20px) !important; }\n"
    ".terr-legend, .terr-links-legend { max-width: clamp(230px, 19.8vw, 380px); max-height: 52vh; }\n"
    ".terr-legend .sw { width: 22px; height: 16px; }\n"
    # The actors' names on a slide (a few actors): bold, on a white ground, no pointer.
    ".leaflet-tooltip.terr-name { font-size: clamp(13px, 1.05vw, 20px); font-weight: 700; color: #1a1a1a;"
    " background: rgba(255,255,255,.92); border: 0; border-radius: 3px; padding: 1px 6px;"
    " box-shadow: 0 1px 3px rgba(0,0,0,.35); }\n"
    ".leaflet-tooltip.terr-name::before { display: none; }\n"
    ".terr-source { max-width: clamp(230px, 19.8vw, 380px); font-size: clamp(13px, 1.05vw, 20px); }\n"
)
EXIT_LABEL = "Quitter la présentation (Échap)"
# The view is framed once the furniture is in place: the selection's bounds fit the part of the map
# that no overlay covers — below the band, between the bottom corners' columns (legend, source on
# the left over the Atlantic; the links' legend on the right), kept symmetric so the view stays
# centred. Leaflet's own arrow-key panning is off (the keys step through the storyboard).
FIT_JS = (
    "window.terrFit=function(m,b){var c=m.getContainer();m.invalidateSize(false);"
    "var q=function(s){return c.querySelector(s);};"
    "var w=function(s){var e=q(s);return e?e.offsetWidth:0;};"
    "var band=q('.terr-band');var top=(band?band.offsetHeight+10:0)+24;"
    "var side=Math.max(w('.leaflet-bottom.leaflet-left'),w('.leaflet-bottom.leaflet-right'))+24;"
    "side=Math.min(side,m.getSize().x*0.32);"
    "m.fitBounds(b,{paddingTopLeft:[side,top],paddingBottomRight:[side,24],animate:false});};"
)


def band(title: str, figure: str = "", index: int = 0, total: int = 0) -> str:
    """The presentation's top band (escaped): the title, the key figure, the slide counter and a way out.

    ``data-index`` / ``data-total`` let the page's keyboard script step through the storyboard.
    """
    fig = f'<p class="terr-figure">{safe.text(figure)}</p>' if figure else ""
    count = (
        f'<span class="terr-slide" data-index="{int(index)}" data-total="{int(total)}"'
        f' aria-label="Diapositive {int(index)} sur {int(total)}">{int(index)} / {int(total)}</span>'
        if total
        else ""
    )
    exit_ = f'<button type="button" class="terr-exit" title="{EXIT_LABEL}" aria-label="{EXIT_LABEL}">×</button>'
    return f'<div><p class="terr-title">{safe.text(title)}</p>{fig}</div><div class="terr-counter">{count}{exit_}</div>'
