"""The layered Folium map, built from a :class:`~territoires.state.MapState`. No streamlit here.

Layers, bottom to top: the choropleth of a density statistic; boundaries
(régions of 2012 or of today, départements, EPCIs, the communes of one
département); RTES members drawn as their perimeter, coloured by level; actors
as markers, one cluster layer per kind.  One legend for all, a scale bar, a
layer control, a plain background (no tiles: the map needs no network).

Leaflet, Leaflet.markercluster and Font Awesome come from the XStatic packages
(``territoires.assets``): served by the app, or inlined for a standalone file.
Every data string goes through :func:`territoires.safe.text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.plugins import MarkerCluster
from jinja2 import Template

from territoires import assets, charts, fmt, safe, stats
from territoires.dataset import Dataset
from territoires.geo import store
from territoires.registry.join import Boundaries, shapes
from territoires.registry.schema import KINDS, LEVELS, PRECISIONS
from territoires.state import MEMBER_LEVELS, MapState

# kind -> (colour, Font Awesome icon, legend label)
KIND_STYLE: dict[str, tuple[str, str, str]] = {
    "ptce_pole": ("#d95f02", "fa-diagram-project", "Pôle territorial de coopération (PTCE)"),
    "ptce_project": ("#e6ab02", "fa-seedling", "Projet de PTCE"),
    "ples": ("#7570b3", "fa-people-group", "Pôle local d'économie solidaire (PLES)"),
    "citeslab": ("#e7298a", "fa-lightbulb", "CitésLab"),
    "initiative": ("#1b9e77", "fa-handshake", "Initiative, entreprise de l'ESS"),
    "event": ("#525252", "fa-calendar-days", "Rencontre"),
    "network_office": ("#a6761d", "fa-house", "Siège du RTES"),
    "rtes_board_member": ("#386cb0", "fa-user", "Administrateur·rice du RTES"),
}
# member level -> (colour, legend label)
LEVEL_STYLE: dict[str, tuple[str, str]] = {
    "region_2012": ("#9ecae1", "Région adhérente"),
    "region": ("#9ecae1", "Région adhérente"),
    "departement": ("#6baed6", "Département adhérent"),
    "epci": ("#2171b5", "Intercommunalité adhérente (périmètre 2012)"),
    "commune": ("#08306b", "Ville adhérente"),
}
STAT_LABELS = {
    "count": "Nombre",
    "per_million": "Par million d'habitants",
    "per_10k_km2": "Pour 10 000 km²",
    "share": "Part du total national",
    "location_quotient": "Quotient de localisation",
}
FRAMES = {  # (south, west, north, east)
    "metropole": (41.3, -5.2, 51.1, 9.6),
    "971": (15.8, -61.85, 16.55, -61.0),
    "972": (14.38, -61.25, 14.9, -60.8),
    "973": (2.1, -54.6, 5.8, -51.6),
    "974": (-21.4, 55.2, -20.85, 55.85),
    "976": (-13.0, 45.0, -12.63, 45.3),
}
SEA = "#eef3f7"
DECIMALS = {"france": 3, "region": 4}  # ~100 m and ~10 m: what each scale needs


class OfflineMap(folium.Map):
    """A folium Map whose JS/CSS come from the app (or are inlined), never from a CDN."""

    default_js: ClassVar[list[tuple[str, str]]] = [("leaflet", assets.url("leaflet"))]
    default_css: ClassVar[list[tuple[str, str]]] = [
        ("leaflet_css", assets.url("leaflet_css")),
        ("fontawesome_css", assets.url("fontawesome_css")),
        ("fontawesome_solid_css", assets.url("fontawesome_solid_css")),
    ]


class OfflineMarkerCluster(MarkerCluster):
    default_js: ClassVar[list[tuple[str, str]]] = [("markercluster", assets.url("markercluster"))]
    default_css: ClassVar[list[tuple[str, str]]] = [
        ("markercluster_css", assets.url("markercluster_css")),
        ("markercluster_default_css", assets.url("markercluster_default_css")),
    ]


class _Script(MacroElement):
    """A script block of ours, with data passed as script-safe JSON (never through Jinja text)."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str):
        super().__init__()
        self._name = "TerritoiresScript"
        self.code = code


class _Style(MacroElement):
    _template = Template("{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}")

    def __init__(self, css: str):
        super().__init__()
        self.css = css


CSS = f"""
.folium-map, .leaflet-container {{ background: {SEA}; font-family: system-ui, sans-serif; }}
.terr-legend, .terr-title, .terr-source {{ background: rgba(255,255,255,.93); padding: 6px 10px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 12px; line-height: 1.35; }}
.terr-legend {{ max-width: 300px; max-height: 60vh; overflow-y: auto; }}
.terr-legend h4 {{ margin: 4px 0 2px; font-size: 12px; }}
.terr-legend .sw {{ display: inline-block; width: 14px; height: 10px; margin-right: 6px;
  vertical-align: middle; border: 1px solid #555; }}
.terr-title {{ font-size: 17px; font-weight: 600; max-width: 70vw; }}
.terr-source {{ font-size: 11px; color: #333; max-width: 46vw; }}
.terr-pin {{ display: flex; align-items: center; justify-content: center; width: 24px; height: 24px;
  border-radius: 50%; color: #fff; border: 2px solid #fff; box-shadow: 0 0 2px rgba(0,0,0,.6);
  font-size: 12px; }}
.terr-marker {{ background: none; border: none; }}
.terr-pin.vague {{ background: #fff !important; border: 3px dashed currentColor; box-shadow: 0 0 3px rgba(0,0,0,.7); }}
.terr-popup dt {{ font-weight: 600; margin-top: 4px; }} .terr-popup dd {{ margin: 0 0 2px 0; }}
.terr-popup blockquote {{ margin: 4px 0; padding-left: 6px; border-left: 3px solid #9ecae1; color: #333; }}
"""


# ---------------------------------------------------------------------- filtering
def actor_year(df: pd.DataFrame) -> pd.Series:
    """The first year the text gives for an actor (founded, launched, joined), or NaN."""
    years = [pd.to_numeric(df[c].astype("string").str[:4], errors="coerce") for c in ("founded", "launched", "joined")]
    return pd.concat(years, axis=1).min(axis=1)


def select_actors(placed: pd.DataFrame, state: MapState) -> pd.DataFrame:
    """The records the state shows: members (by level) and actors (by kind), in the selected régions."""
    df = placed[~placed["level"].isin(["national", "none"])]
    keep = df["kind"].isin(state.kinds)
    if state.members:
        keep |= (df["kind"] == "rtes_member") & df["level"].isin(state.levels)
    df = df[keep]
    if state.test_only:
        df = df[(df["kind"] != "ptce_pole") | df["test_pole"].fillna(False).astype(bool)]
    y = actor_year(df)
    df = df[y.isna() | (y <= state.year)]
    if state.regions:
        col = "reg_2012" if state.system == "2012" else "reg"
        df = df[df[col].isin(state.regions)]
    return df


# ---------------------------------------------------------------------- geometry
@dataclass
class MapData:
    """Display geometries and actor shapes, loaded once per dataset and scale."""

    ds: Dataset

    @cached_property
    def outline_of(self) -> pd.Series:
        return self.ds.levels["communes"].set_index("code")["outline_of"]

    def boundaries(self, scale: str) -> Boundaries:
        key = f"_b_{scale}"
        if key not in self.__dict__:
            self.__dict__[key] = Boundaries(self.ds.base, scale=scale)
        return self.__dict__[key]

    def actor_shapes(self, scale: str) -> gpd.GeoDataFrame:
        key = f"_s_{scale}"
        if key not in self.__dict__:
            g = shapes(self.ds.placed, self.ds.registry, self.boundaries(scale), self.outline_of)
            g["anchor"] = g.geometry.apply(lambda x: x.representative_point() if x is not None else None)
            self.__dict__[key] = g.set_index("id")
        return self.__dict__[key]

    def communes_of(self, dep: str) -> gpd.GeoDataFrame:
        com = self.boundaries("region").communes
        return com[com["dep"] == dep]


def _round(geoms: np.ndarray, decimals: int) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, decimals))


def feature_collection(gdf: gpd.GeoDataFrame, props: dict[str, pd.Series], decimals: int) -> dict:
    """A GeoJSON FeatureCollection with only the given (already safe) properties, rounded coordinates."""
    geoms = _round(gdf.geometry.to_numpy(), decimals)
    feats = []
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        feats.append(
            {
                "type": "Feature",
                "properties": {k: v.iloc[i] for k, v in props.items()},
                "geometry": shapely.geometry.mapping(g),
            }
        )
    return {"type": "FeatureCollection", "features": feats}


# ------------------------------------------------------------------------- popups
def popup_html(a: pd.Series, names: dict[str, dict[str, str]], board: pd.DataFrame | None = None) -> str:
    """The details of a record and its source, as escaped HTML."""
    t = safe.text
    rows = [f"<b>{t(a['name'])}</b>"]
    if isinstance(a.get("official_name"), str) and a["official_name"] != a["name"]:
        rows.append(f"<br><i>{t(a['official_name'])}</i>")
    dl = [("Type", KINDS.get(a["kind"], a["kind"]))]
    where = []
    for key, level in (("reg_2012", "region_2012"), ("dep", "departement")):
        code = a.get(key)
        if isinstance(code, str) and code in names[level]:
            where.append(names[level][code])
    dl.append(("Territoire", f"{LEVELS.get(a['level'], a['level'])} {a['code'] or ''}".strip()))
    if where:
        dl.append(("Situé", " — ".join(where)))
    dl.append(("Précision", PRECISIONS.get(a["precision"], a["precision"])))
    if a.get("new_member"):
        dl.append(("Adhésion", "nouvel adhérent en 2012"))
    if isinstance(a.get("role"), str):
        dl.append(("Rôle au RTES", a["role"]))
    for col, label in (("founded", "Création"), ("launched", "Lancement"), ("joined", "Depuis")):
        if isinstance(a.get(col), str):
            dl.append((label, fmt.date(a[col])))
    for col, label, dec in (
        ("jobs", "Emplois", 0),
        ("capital_eur", "Capital (€)", 0),
        ("members", "Membres", 0),
        ("surface_m2", "Surface (m²)", 0),
    ):
        if pd.notna(a.get(col)):
            dl.append((label, fmt.number(float(a[col]), dec)))
    if isinstance(a.get("successor_note"), str):
        dl.append(("Aujourd'hui", a["successor_note"]))
    if board is not None and len(board):
        dl.append(
            (
                "Au conseil d'administration",
                " ; ".join(f"{n} ({r})" for n, r in zip(board["name"], board["role"], strict=True)),
            )
        )
    if isinstance(a.get("notes"), str):
        dl.append(("Notes", a["notes"]))
    body = "".join(f"<dt>{t(k)}</dt><dd>{t(v)}</dd>" for k, v in dl)
    link = safe.url(a.get("website"))
    site = f'<p><a href="{link}" target="_blank" rel="noopener noreferrer">{link}</a></p>' if link else ""
    src = f"<dt>Source</dt><dd>{t(a['source_section'])}<blockquote>« {t(a['source_quote'])} »</blockquote></dd>"
    return f'<div class="terr-popup">{"".join(rows)}<dl>{body}{src}</dl>{site}</div>'


# ------------------------------------------------------------------------- legend
def legend_html(
    state: MapState, kinds_shown: list[str], levels_shown: list[str], classification: charts.Classification | None
) -> str:
    t = safe.text
    parts = []
    if levels_shown:
        parts.append("<h4>Adhérents du RTES (août 2012)</h4>")
        for lv in levels_shown:
            color, label = LEVEL_STYLE[lv]
            parts.append(f'<div><span class="sw" style="background:{color};opacity:.7"></span>{t(label)}</div>')
    if kinds_shown:
        parts.append("<h4>Acteurs</h4>")
        for k in kinds_shown:
            color, icon, label = KIND_STYLE[k]
            parts.append(f'<div><i class="fa-solid {icon}" style="color:{color};width:16px"></i> {t(label)}</div>')
        parts.append(
            '<div style="color:#555">Cercle pointillé : situé seulement dans une région ou un '
            "département (position indicative)</div>"
        )
    if classification is not None and classification.labels:
        parts.append(f"<h4>{t(STAT_LABELS.get(state.statistic, ''))} : {t(KINDS.get(state.stat_kind, ''))}</h4>")
        parts.append(f"<div style='color:#555'>{t(charts.METHODS[state.method])}</div>")
        for label, color in zip(classification.labels, classification.colors, strict=True):
            parts.append(f'<div><span class="sw" style="background:{color}"></span>{t(label)}</div>')
        if (classification.classes < 0).any():
            parts.append(f'<div><span class="sw" style="background:#d9d9d9"></span>{t(charts.NO_DATA)}</div>')
    return "".join(parts)


SHORT_KIND = {
    "ptce_pole": "pôles PTCE",
    "ptce_project": "projets de PTCE",
    "ples": "PLES",
    "citeslab": "CitésLab",
    "initiative": "initiatives",
    "event": "rencontres",
    "network_office": "siège du réseau",
    "rtes_board_member": "administrateurs",
}


def title_for(state: MapState, ds: Dataset) -> str:
    """A title made from the filters, for presentation mode and exports."""
    parts = (["adhérents du RTES"] if state.members else []) + [SHORT_KIND[k] for k in state.kinds]
    if state.test_only and "ptce_pole" in state.kinds:
        parts[parts.index("pôles PTCE")] = "pôles PTCE témoins"
    what = ", ".join(parts[:-1]) + (" et " if len(parts) > 1 else "") + parts[-1] if parts else "Territoires"
    level = "regions_2012" if state.system == "2012" else "regions"
    names = ds.levels[level].set_index("code")["nom"]
    where = ", ".join(names.get(r, r) for r in state.regions) if state.regions else "France"
    return f"{what[0].upper()}{what[1:]} — {where}, {state.year}"


def source_line(ds: Dataset) -> str:
    """The source and date line of every map."""
    built = (ds.vintage.get("built_at") or "")[:10]
    return (
        f"Sources : lettre Transversales du RTES (automne 2012) ; contours IGN/INSEE "
        f"({ds.vintage.get('millesime')}), Licence Ouverte 2.0 ; carte Territoires du {fmt.date(built)}."
    )


# ---------------------------------------------------------------------------- map
def _control(position: str, css_class: str, html: str, map_name: str) -> str:
    return (
        f"(function(){{var c=L.control({{position:{safe.script_json(position)}}});"
        f"c.onAdd=function(){{var d=L.DomUtil.create('div',{safe.script_json(css_class)});"
        f"d.innerHTML={safe.script_json(html)};L.DomEvent.disableClickPropagation(d);"
        f"L.DomEvent.disableScrollPropagation(d);return d;}};c.addTo({map_name});}})();"
    )


def build_map(data: MapData, state: MapState, *, height: str = "100%") -> folium.Map:
    """The folium map for ``state``: layers, markers, legend, title, bounds."""
    ds = data.ds
    state = state.validated()
    scale = "region" if (state.regions or state.communes_of) else "france"
    dec = DECIMALS[scale]
    b = data.boundaries(scale)
    names = {
        "region_2012": ds.levels["regions_2012"].set_index("code")["nom"].to_dict(),
        "departement": ds.levels["departements"].set_index("code")["nom"].to_dict(),
    }
    m = OfflineMap(
        location=[46.6, 2.4],
        zoom_start=6,
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,
        height=height,
        min_zoom=3,
        max_zoom=14,
    )
    # With no tile layer, folium does not pass max_zoom to the map; MarkerCluster needs it there.
    m.options["max_zoom"] = 14
    m.options["min_zoom"] = 3
    m.add_child(_Style(CSS))

    reg_layer = b.regions_2012 if state.system == "2012" else b.regions
    reg_label = "Régions de 2012" if state.system == "2012" else "Régions (2016)"
    sel_regions = reg_layer.loc[[r for r in state.regions if r in reg_layer.index]] if state.regions else reg_layer

    # Choropleth of a density statistic: by région, or by département within the selected régions.
    classification = None
    if state.statistic:
        by = "departement" if state.regions else state.by
        terr = stats.territories(ds.levels, by)
        table = stats.density_table(ds.placed, terr, state.stat_kind).set_index("code")
        if by == "departement":
            units = b.departements[b.departements["reg_2012" if state.system == "2012" else "reg"].isin(state.regions)]
        else:
            units = sel_regions
        vals = table[state.statistic].reindex(units.index).astype(float)
        classification = charts.classify(vals.to_numpy(), state.method, state.classes)
        fills = [classification.color_of(int(c)) for c in classification.classes]
        label = STAT_LABELS[state.statistic]
        value_txt = [
            fmt.percent(v) if state.statistic == "share" else fmt.number(v, 0 if state.statistic == "count" else 2)
            for v in vals
        ]
        fc = feature_collection(
            units,
            {
                "nom": pd.Series([safe.text(n) for n in units["nom"]]),
                "valeur": pd.Series([safe.text(f"{label} : {v}") for v in value_txt]),
                "fill": pd.Series(fills),
            },
            dec,
        )
        folium.GeoJson(
            fc,
            name=f"Densité : {safe.text(label)}",
            style_function=lambda f: {
                "fillColor": f["properties"]["fill"],
                "fillOpacity": 0.75,
                "color": "#ffffff",
                "weight": 0.8,
            },
            tooltip=folium.GeoJsonTooltip(fields=["nom", "valeur"], labels=False),
        ).add_to(m)

    # Boundaries.
    boundary = folium.FeatureGroup(name=safe.text(reg_label), show=True)
    folium.GeoJson(
        feature_collection(sel_regions, {"nom": pd.Series([safe.text(n) for n in sel_regions["nom"]])}, dec),
        style_function=lambda f: {
            "fill": True,
            "fillColor": "#ffffff",
            "fillOpacity": 0.0 if state.statistic else 0.55,
            "color": "#555555",
            "weight": 1.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=["nom"], labels=False),
    ).add_to(boundary)
    boundary.add_to(m)
    col = "reg_2012" if state.system == "2012" else "reg"
    if "departements" in state.layers:
        deps = b.departements
        if state.regions:
            deps = deps[deps[col].isin(state.regions)]
        folium.GeoJson(
            feature_collection(
                deps,
                {"nom": pd.Series([safe.text(f"{n} ({c})") for c, n in zip(deps.index, deps["nom"], strict=True)])},
                dec,
            ),
            name="Départements",
            style_function=lambda f: {"fill": False, "color": "#888888", "weight": 0.7, "dashArray": "3"},
            tooltip=folium.GeoJsonTooltip(fields=["nom"], labels=False),
        ).add_to(m)
    if "epci" in state.layers:
        ep = b.epci
        if state.regions:
            com = b.communes
            inside = set(com.loc[com[col].isin(state.regions), "epci"].dropna())
            ep = ep[ep.index.isin(inside)]
        folium.GeoJson(
            feature_collection(ep, {"nom": pd.Series([safe.text(n) for n in ep["nom"]])}, dec),
            name="Intercommunalités (2025)",
            style_function=lambda f: {"fill": False, "color": "#999999", "weight": 0.5},
            tooltip=folium.GeoJsonTooltip(fields=["nom"], labels=False),
            show=True,
        ).add_to(m)
    if state.communes_of:
        com = data.communes_of(state.communes_of)
        folium.GeoJson(
            feature_collection(
                com,
                {"nom": pd.Series([safe.text(f"{n} ({c})") for c, n in zip(com.index, com["nom"], strict=True)])},
                4,
            ),
            name=f"Communes ({safe.text(names['departement'].get(state.communes_of, state.communes_of))})",
            style_function=lambda f: {"fill": True, "fillOpacity": 0.0, "color": "#aaaaaa", "weight": 0.4},
            tooltip=folium.GeoJsonTooltip(fields=["nom"], labels=False),
        ).add_to(m)

    # Members as their perimeter, large to small so that cities stay on top.
    actors = select_actors(ds.placed, state)
    geo = data.actor_shapes(scale)
    board = ds.placed[ds.placed["kind"] == "rtes_board_member"]
    levels_shown = []
    if state.members:
        members = actors[actors["kind"] == "rtes_member"]
        for lv in MEMBER_LEVELS:
            sub = members[members["level"] == lv]
            if sub.empty:
                continue
            levels_shown.append(lv)
            g = geo.loc[sub["id"]]
            color, label = LEVEL_STYLE[lv]
            popups = [popup_html(a, names, board[board["represents"] == a["id"]]) for _, a in sub.iterrows()]
            fc = feature_collection(
                g,
                {
                    "nom": pd.Series([safe.text(n) for n in sub["name"]]),
                    "popup": pd.Series(popups),
                },
                dec,
            )
            folium.GeoJson(
                fc,
                name=safe.text(label),
                style_function=lambda f, c=color: {"fillColor": c, "fillOpacity": 0.35, "color": c, "weight": 1.6},
                highlight_function=lambda f: {"weight": 3, "fillOpacity": 0.5},
                tooltip=folium.GeoJsonTooltip(fields=["nom"], labels=False),
                popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=380),
            ).add_to(m)

    # Actors as markers, one cluster layer per kind.
    items = []
    clusters: dict[str, OfflineMarkerCluster] = {}
    kinds_shown = []
    for kind in state.kinds:
        sub = actors[actors["kind"] == kind]
        if sub.empty:
            continue
        kinds_shown.append(kind)
        cluster = OfflineMarkerCluster(
            name=safe.text(KIND_STYLE[kind][2]), options={"maxClusterRadius": 35, "spiderfyOnMaxZoom": True}
        )
        cluster.add_to(m)
        clusters[kind] = cluster
        for _, a in sub.iterrows():
            pt = geo.at[a["id"], "anchor"]
            if pt is None:
                continue
            items.append(
                {
                    "k": kind,
                    "y": round(pt.y, 5),
                    "x": round(pt.x, 5),
                    "t": safe.text(a["name"]),
                    "p": popup_html(a, names),
                    "v": int(a["precision"] in ("region", "departement")),
                }
            )
    if items:
        groups = ",".join(f"{safe.script_json(k)}:{c.get_name()}" for k, c in clusters.items())
        styles = safe.script_json({k: [KIND_STYLE[k][0], KIND_STYLE[k][1]] for k in clusters})
        m.add_child(
            _Script(
                f"(function(){{var items={safe.script_json(items)};var g={{{groups}}};var s={styles};"
                "items.forEach(function(it){var st=s[it.k];var icon=L.divIcon({className:'terr-marker',"
                "html:'<span class=\"terr-pin'+(it.v?' vague':'')+'\" style=\"background:'+st[0]+';color:'+st[0]+"
                "'\"><i class=\"fa-solid '+st[1]+'\"'+(it.v?'':' style=\"color:#fff\"')+'></i></span>',"
                "iconSize:[26,26],iconAnchor:[13,13]});"
                "var mk=L.marker([it.y,it.x],{icon:icon,riseOnHover:true});mk.bindTooltip(it.t);"
                "mk.bindPopup(it.p,{maxWidth:380});g[it.k].addLayer(mk);});})();"
            )
        )

    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    map_name = m.get_name()
    legend = legend_html(state, kinds_shown, levels_shown, classification)
    if legend:
        m.add_child(_Script(_control("bottomleft", "terr-legend", legend, map_name)))
    if state.presentation:
        m.add_child(_Script(_control("topleft", "terr-title", safe.text(title_for(state, ds)), map_name)))
        m.add_child(_Script(_control("bottomright", "terr-source", safe.text(source_line(ds)), map_name)))

    # Framing: the selection, or a chosen frame.
    if state.framing in FRAMES:
        s, w, n, e = FRAMES[state.framing]
        m.fit_bounds([[s, w], [n, e]])
    else:
        focus = sel_regions.total_bounds if state.regions else np.array(FRAMES["metropole"])[[1, 0, 3, 2]]
        if state.place:
            pb = place_bounds(data, state.place)
            focus = pb if pb is not None else focus
        w, s, e, n = focus
        m.fit_bounds([[s, w], [n, e]])
    return m


def place_bounds(data: MapData, place: str) -> np.ndarray | None:
    """The bounds of a searched place (commune or EPCI), for framing."""
    kind, _, code = place.partition(":")
    b = data.boundaries("region")
    layer = b.communes if kind == "commune" else b.epci
    if code not in layer.index:
        return None
    return np.asarray(layer.at[code, "geometry"].bounds)


# ------------------------------------------------------------------------- output
_LINK = re.compile(r'<link rel="stylesheet" href="(/app/static/vendor/[^"]+)"/>')
_SCRIPT = re.compile(r'<script src="(/app/static/vendor/[^"]+)"></script>')


def standalone_html(data: MapData, state: MapState) -> str:
    """A single HTML file that draws the map with no server and no network (assets inlined)."""
    m = build_map(data, state, height="100vh")
    html = m.get_root().render()
    by_url = {assets.url(name): name for name in assets.ASSETS}
    html = _SCRIPT.sub(lambda mt: f"<script>{assets.inline(by_url[mt.group(1)])}</script>", html)
    html = _LINK.sub(lambda mt: f"<style>{assets.inline(by_url[mt.group(1)])}</style>", html)
    if "cdn." in html or "https://code.jquery" in html:
        raise RuntimeError("une ressource externe subsiste dans l'export HTML")
    return html


def store_layers() -> tuple[str, ...]:
    """Names of the boundary levels, for the Sources page."""
    return store.LEVELS
