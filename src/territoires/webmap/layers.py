"""One function per layer of the web map; each adds its layer to a map and can be tested alone.

Every function takes the map, the :class:`~territoires.webmap.geometry.GeometryCache` and the
:class:`~territoires.selection.Selection`; geometry comes from the cache, only the choice of
features and their properties depend on the state.
"""

from __future__ import annotations

import math

import folium

from territoires import encode, readable, safe
from territoires.selection import Selection
from territoires.state import MEMBER_LEVELS
from territoires.styles import (
    APPROX_STYLE,
    KIND_STYLE,
    LEVEL_STYLE,
    NEW_MEMBER_LABEL,
    NEW_MEMBER_STYLE,
    PLACE_LABELS,
)
from territoires.webmap.geometry import QUANTUM, GeometryCache, place_bounds, place_shape
from territoires.webmap.plumbing import CompactLayer, OfflineMarkerCluster, Script

BOUNDARY_STYLE = {"fill": True, "fillColor": "#ffffff", "fillOpacity": 0.55, "color": "#555555", "weight": 1.6}
DEP_STYLE = {"fill": False, "color": "#888888", "weight": 0.7, "dashArray": "3"}
EPCI_STYLE = {"fill": False, "color": "#999999", "weight": 0.5}
COMMUNE_STYLE = {"fill": True, "fillOpacity": 0.0, "color": "#aaaaaa", "weight": 0.4}
CHORO_STYLE = {"fillOpacity": 0.75, "color": "#ffffff", "weight": 0.8}
MEMBER_HL = {"weight": 3, "fillOpacity": 0.5}
PLACE_STYLE = {"fill": False, "color": "#d7301f", "weight": 3.5}
CLUSTER_OPTIONS = {"maxClusterRadius": 35, "spiderfyOnMaxZoom": True}
MAX_NAMED = 15  # presenting: up to this many actors, each named on the map (the slides' rule)
# Names that overlap are pushed down, top to bottom, until none covers another (a margin, so Leaflet's
# own placement stays the reference and a zoom starts again from it).
DECLUTTER_JS = (
    "window.terrDeclutter=function(map){"
    "var run=function(){var els=[].slice.call(map.getContainer().querySelectorAll('.leaflet-tooltip.terr-name'));"
    "els.forEach(function(e){e.style.marginTop='0px';});"
    "els.sort(function(a,b){return a.getBoundingClientRect().top-b.getBoundingClientRect().top;});"
    "var done=[];els.forEach(function(e){var r=e.getBoundingClientRect(),dy=0,again=true,n=0;"
    "while(again&&n++<50){again=false;done.forEach(function(p){"
    "if(r.left<p.r&&r.right>p.l&&r.top+dy<p.b&&r.bottom+dy>p.t){dy=p.b-r.top+2;again=true;}});}"
    "e.style.marginTop=dy+'px';done.push({l:r.left,r:r.right,t:r.top+dy,b:r.bottom+dy});});};"
    "map.on('zoomend moveend',function(){setTimeout(run,0);});setTimeout(run,700);setTimeout(run,1600);};"
)
# terrActors(items, groups, styles): one marker per item, in its kind's cluster (the library, library.py).
ACTORS_JS = (
    "window.terrActors=function(items,g,s){"
    "items.forEach(function(it){var st=s[it.k];var icon=L.divIcon({className:'terr-marker',"
    "html:'<span class=\"terr-pin'+(it.v?' vague':'')+'\" style=\"background:'+st[0]+';color:'+st[0]+"
    "'\"><i class=\"fa-solid '+st[1]+'\"'+(it.v?'':' style=\"color:#fff\"')+'></i></span>',"
    "iconSize:[26,26],iconAnchor:[13,13]});"
    "var mk=L.marker([it.y,it.x],{icon:icon,riseOnHover:true});"
    "mk.bindTooltip(it.t,it.n?{permanent:true,direction:it.n,className:'terr-name',offset:[it.n==='left'?-14:14,0]}:{});"
    "mk.bindPopup(it.p||terrPop(it.r),{maxWidth:380});g[it.k].addLayer(mk);});};"
)


def choropleth(m: folium.Map, cache: GeometryCache, sel: Selection) -> None:
    """Flat colours of a density statistic, under everything else."""
    ch = sel.choropleth
    if ch is None:
        return
    colors = ch.colors()
    items = [(code, {"t": safe.text(ch.text(code)), "f": colors[code]}) for code in ch.values.index]
    m.add_child(
        CompactLayer(
            f"Densité : {safe.text(ch.label)}", cache.layer(ch.unit_level, sel.state.scale, items), CHORO_STYLE
        )
    )


def regions(m: folium.Map, cache: GeometryCache, sel: Selection) -> None:
    """The régions of the state's system (the selected ones, or all), filled white unless a choropleth shows."""
    style = dict(BOUNDARY_STYLE, fillOpacity=0.0 if sel.choropleth is not None else 0.55)
    items = [(c, {"t": safe.text(n)}) for c, n in sel.regions["nom"].items()]
    m.add_child(CompactLayer(safe.text(sel.system.label), cache.layer(sel.system.level, sel.state.scale, items), style))


def departements(m: folium.Map, cache: GeometryCache, sel: Selection) -> None:
    """Département outlines, dashed (when the layer is chosen)."""
    if "departements" not in sel.state.layers:
        return
    deps = cache.ds.levels["departements"]
    if sel.state.regions:
        deps = deps[deps[sel.system.column].isin(sel.state.regions)]
    items = [(c, {"t": safe.text(f"{n} ({c})")}) for c, n in zip(deps["code"], deps["nom"], strict=True)]
    m.add_child(CompactLayer("Départements", cache.layer("departements", sel.state.scale, items), DEP_STYLE))


def epci(m: folium.Map, cache: GeometryCache, sel: Selection) -> None:
    """Today's intercommunalities (when the layer is chosen), within the selected régions."""
    if "epci" not in sel.state.layers:
        return
    b = cache.boundaries_at(sel.state.scale)
    ep = b.epci
    if sel.state.regions:
        com = cache.ds.levels["communes"]
        inside = set(com.loc[com[sel.system.column].isin(sel.state.regions), "epci"].dropna())
        ep = ep[ep.index.isin(inside)]
    items = [(c, {"t": safe.text(n)}) for c, n in ep["nom"].items()]
    m.add_child(CompactLayer("Intercommunalités (2025)", cache.topo_layer("epci", sel.state.scale, items), EPCI_STYLE))


def communes(m: folium.Map, cache: GeometryCache, sel: Selection) -> None:
    """Communes: never all 35,000 at once — those of a chosen département, or of the selected régions."""
    state = sel.state
    com = cache.ds.levels["communes"]
    if state.communes_of:
        com = com[com["dep"] == state.communes_of]
        deps = cache.ds.levels["departements"].set_index("code")["nom"]
        label = f"Communes ({safe.text(deps.get(state.communes_of, state.communes_of))})"
    elif "communes" in state.layers and state.regions:
        com = com[com[sel.system.column].isin(state.regions)]
        label = "Communes"
    else:
        return
    items = [(c, {"t": safe.text(n)}) for c, n in zip(com["code"], com["nom"], strict=True)]
    m.add_child(CompactLayer(label, cache.topo_layer("communes", state.scale, items), COMMUNE_STYLE))


def members(m: folium.Map, cache: GeometryCache, sel: Selection) -> None:
    """RTES members as their perimeter, one layer per level, large to small so that cities stay on top.

    A perimeter drawn from an approximate 2012 commune outline is dashed, in a layer of its own.
    """
    shown = sel.members
    popups = cache.popup_map()
    approx = readable.approximate_flags(shown)
    for lv in MEMBER_LEVELS:
        color, label = LEVEL_STYLE[lv]
        # Over a density shading, members are outlines only (as in the image export): a blue fill over
        # the shading would make colours the legend does not show.
        outline = sel.choropleth is not None
        style = {
            "fillColor": color,
            "fillOpacity": 0.0 if outline else 0.35,
            "color": color,
            "weight": 2.2 if outline else 1.6,
        }
        for dashed in (False, True):
            sub = shown[(shown["level"] == lv) & (approx == dashed)]
            if sub.empty:
                continue
            items = [(i, {"t": safe.text(n), "p": popups[i]}) for i, n in zip(sub["id"], sub["name"], strict=True)]
            name = f"{label} — périmètre approché" if dashed else label
            data = cache.layer("actors", sel.state.scale, items)
            m.add_child(CompactLayer(safe.text(name), data, {**style, **APPROX_STYLE} if dashed else style, MEMBER_HL))
    new = readable.new_members(shown)
    if len(new):  # last: over every fill
        items = [(i, {"t": safe.text(n), "p": popups[i]}) for i, n in zip(new["id"], new["name"], strict=True)]
        data = cache.layer("actors", sel.state.scale, items)
        m.add_child(CompactLayer(safe.text(NEW_MEMBER_LABEL), data, NEW_MEMBER_STYLE))


def place(m: folium.Map, cache: GeometryCache, sel: Selection) -> None:
    """The searched place, outlined in red over everything else, even outside the selected régions."""
    state = sel.state
    g = place_shape(cache, state.place) if state.place else None
    if g is None:
        return
    kind, _, code = state.place.partition(":")
    names = cache.ds.levels["communes" if kind == "commune" else "epci"].set_index("code")["nom"]
    if kind == "epci" and code not in names.index:  # an intercommunality of 2012: its 2012 name
        per = cache.ds.registry.perimeters
        names = per.drop_duplicates("siren_2012").set_index("siren_2012")["nom_2012"]
    label = PLACE_LABELS[state.presentation]
    props = {"t": safe.text(f"{label} : {names.get(code, code)}")}
    data = encode.layer_data(
        [f"[{safe.script_json(props)},{safe.script_json(encode.polygons(g, QUANTUM['region']))}]"], QUANTUM["region"]
    )
    m.add_child(CompactLayer(label, data, PLACE_STYLE))


def actors(m: folium.Map, cache: GeometryCache, sel: Selection) -> None:
    """Actors as markers, one cluster layer per kind, dashed when placed only in a région or a département.

    Presenting a view of a few actors (a slide), each is named on the map, none grouped: the room must
    see which they are (actors at one place are spread on a small ring, their names outward).
    """
    markers = cache.marker_map(sel.state.scale)
    items = [{"k": k, **markers[i]} for k in sel.kinds_shown for i in sel.markers(k)["id"] if i in markers]
    if not items:
        return
    inside = _in_place(cache, sel, items)
    named = sel.state.presentation and sum(inside) <= MAX_NAMED
    # Presenting the cooperation links: only symbols that touch are grouped, so that each line ends at a
    # symbol the room can see, not under a cluster's count (actors at one place still show their number).
    linked = sel.state.presentation and sel.relations is not None and not sel.relations.empty
    options = CLUSTER_OPTIONS
    if named:
        items, options = spread(items, inside), {**CLUSTER_OPTIONS, "disableClusteringAtZoom": 1}
    elif linked:
        options = {**CLUSTER_OPTIONS, "maxClusterRadius": 12}
    clusters: dict[str, OfflineMarkerCluster] = {}
    for kind in dict.fromkeys(it["k"] for it in items):
        clusters[kind] = OfflineMarkerCluster(name=safe.text(KIND_STYLE[kind][2]), options=options)
        clusters[kind].add_to(m)
    styles = safe.script_json({k: [KIND_STYLE[k][0], KIND_STYLE[k][1]] for k in clusters})
    data = safe.script_json(items)

    def code() -> str:
        # The clusters' names are read when the map is rendered: streamlit-folium renames them then.
        groups = ",".join(f"{safe.script_json(k)}:{c.get_name()}" for k, c in clusters.items())
        return f"terrActors({data},{{{groups}}},{styles});"

    m.add_child(Script(code))
    if named:  # names that touch are moved apart once the view is framed (and after every zoom)
        m.add_child(Script(lambda: f"terrDeclutter({m.get_name()});"))


def _in_place(cache: GeometryCache, sel: Selection, items: list[dict]) -> list[bool]:
    """Which markers lie in the searched place (all of them without one): the ones a slide names."""
    b = place_bounds(cache, sel.state.place) if sel.state.place else None
    if b is None:
        return [True] * len(items)
    return [b["w"] <= it["x"] <= b["e"] and b["s"] <= it["y"] <= b["n"] for it in items]


def spread(items: list[dict], named: list[bool] | None = None) -> list[dict]:
    """Markers at one place spread on a ring (a tenth of the extent of those named), each named ones with
    the side its name goes (``n``: outward), so that neither symbols nor names cover one another."""
    named = named if named is not None else [True] * len(items)
    pts = [it for it, k in zip(items, named, strict=True) if k] or items
    xs, ys = [it["x"] for it in pts], [it["y"] for it in pts]
    radius = 0.1 * max(max(xs) - min(xs), max(ys) - min(ys), 0.15)
    groups: dict[tuple[float, float], list[int]] = {}
    for i, it in enumerate(items):
        groups.setdefault((round(it["x"], 3), round(it["y"], 3)), []).append(i)
    out = [dict(it, n="right") if k else dict(it) for it, k in zip(items, named, strict=True)]
    for idx in groups.values():
        if len(idx) < 2:
            continue
        for j, i in enumerate(idx):
            a = -2 * math.pi * j / len(idx)  # the first to the right, then clockwise
            dx, dy = radius * math.cos(a), radius * math.sin(a) * 0.72  # a degree of longitude is shorter
            out[i].update(x=round(items[i]["x"] + dx, 4), y=round(items[i]["y"] + dy, 4))
            if named[i]:
                out[i]["n"] = "left" if dx < -1e-9 else "right"
    return out
