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
from branca.element import Element, Figure, MacroElement
from folium.plugins import MarkerCluster
from jinja2 import Template

from territoires import assets, charts, encode, fmt, safe, stats
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
# 1/1000° ≈ 100 m and 1/2000° ≈ 55 m: finer than each scale's simplification (0.01° and 0.003°)
QUANTUM = {"france": 1000, "region": 2000}


class OfflineMap(folium.Map):
    """A folium Map whose JS/CSS come from the app (or are inlined), never from a CDN."""

    default_js: ClassVar[list[tuple[str, str]]] = [("leaflet", assets.url("leaflet"))]
    default_css: ClassVar[list[tuple[str, str]]] = [
        ("leaflet_css", assets.url("leaflet_css")),
        ("fontawesome_css", assets.url("fontawesome_css")),
        ("fontawesome_solid_css", assets.url("fontawesome_solid_css")),
    ]

    def render(self, **kwargs) -> None:
        """Render into a figure cleared of what earlier renders added.

        Each render adds every part to the figure again, some under new names (folium gives each
        layer a new ``ElementAddToElement`` per render, streamlit-folium renames elements): the
        cached map, rendered on every rerun, grew by ~36 KB a rerun without this.
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


class _RenderedOnce:
    """For our elements that carry data: their rendered parts enter the figure verbatim.

    branca's ``MacroElement.render`` wraps each rendered part in ``Element(...)``, which compiles it
    as a Jinja template a second time: every data string would go through Jinja twice, and the
    lexer would read the ~450 KB of a national map's data on every render (st_folium renders twice).
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


class _Script(_RenderedOnce, MacroElement):
    """A script block of ours, with data passed as script-safe JSON (never through Jinja text)."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str):
        super().__init__()
        self._name = "TerritoiresScript"
        self.code = code


class _Style(_RenderedOnce, MacroElement):
    _template = Template("{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}")

    def __init__(self, css: str):
        super().__init__()
        self.css = css


class CompactLayer(_RenderedOnce, folium.map.Layer):
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

    def encoded(self, level: str, scale: str, code: str) -> str | None:
        """A territory's (or actor's) polygons, encoded on first use and kept: JSON, or None."""
        memo = self.__dict__.setdefault("_encoded", {})
        key = (level, scale, code)
        if key not in memo:
            geoms = (
                self.actor_shapes(scale).geometry
                if level == "actors"
                else getattr(self.boundaries(scale), level).geometry
            )
            g = geoms.get(code)
            polys = encode.polygons(g, QUANTUM[scale]) if g is not None else []
            memo[key] = safe.script_json(polys) if polys else None
        return memo[key]

    def popups(self) -> dict[str, str]:
        """Each record's popup HTML, built once."""
        if "_popups" not in self.__dict__:
            ds = self.ds
            names = territory_names(ds)
            board = ds.placed[ds.placed["kind"] == "rtes_board_member"]
            self.__dict__["_popups"] = {
                a["id"]: popup_html(
                    a, names, board[board["represents"] == a["id"]] if a["kind"] == "rtes_member" else None
                )
                for _, a in ds.placed.iterrows()
            }
        return self.__dict__["_popups"]

    def topo_layer(self, level: str, scale: str, items: list[tuple[str, dict]]) -> str:
        """Layer data with shared borders stored once (for many neighbours: communes, EPCIs), cached."""
        memo = self.__dict__.setdefault("_topo", {})
        key = (level, scale, tuple(c for c, _ in items), tuple(str(p) for _, p in items))
        if key not in memo:
            geoms = getattr(self.boundaries(scale), level).geometry
            memo[key] = encode.topology([(p, geoms.get(c)) for c, p in items], QUANTUM[scale])
            if len(memo) > 32:
                memo.pop(next(iter(memo)))
        return memo[key]

    def layer(self, level: str, scale: str, items: list[tuple[str, dict]]) -> str:
        """Layer data for ``items`` ((code, properties) pairs) from the cached encodings."""
        frags = []
        for code, props in items:
            geom = self.encoded(level, scale, code)
            if geom is not None:
                frags.append(f"[{safe.script_json(props)},{geom}]")
        return encode.layer_data(frags, QUANTUM[scale])


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


def territory_names(ds: Dataset) -> dict[str, dict[str, str]]:
    return {
        "region_2012": ds.levels["regions_2012"].set_index("code")["nom"].to_dict(),
        "region": ds.levels["regions"].set_index("code")["nom"].to_dict(),
        "departement": ds.levels["departements"].set_index("code")["nom"].to_dict(),
    }


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


BOUNDARY_STYLE = {"fill": True, "fillColor": "#ffffff", "fillOpacity": 0.55, "color": "#555555", "weight": 1.6}
DEP_STYLE = {"fill": False, "color": "#888888", "weight": 0.7, "dashArray": "3"}
EPCI_STYLE = {"fill": False, "color": "#999999", "weight": 0.5}
COMMUNE_STYLE = {"fill": True, "fillOpacity": 0.0, "color": "#aaaaaa", "weight": 0.4}
CHORO_STYLE = {"fillOpacity": 0.75, "color": "#ffffff", "weight": 0.8}
MEMBER_HL = {"weight": 3, "fillOpacity": 0.5}


def build_map(data: MapData, state: MapState, *, height: str = "100%") -> folium.Map:
    """The folium map for ``state``: layers, markers, legend, title, bounds.

    Geometry comes from :class:`MapData`'s caches (encoded once per scale); only the
    selection and the properties depend on the state.
    """
    ds = data.ds
    state = state.validated()
    scale = "region" if (state.regions or state.communes_of) else "france"
    b = data.boundaries(scale)
    names = territory_names(ds)
    m = OfflineMap(location=[46.6, 2.4], zoom_start=6, tiles=None, control_scale=True, zoom_snap=0.25, height=height)
    # With no tile layer, folium does not pass max_zoom to the map; MarkerCluster needs it there.
    m.options["max_zoom"] = 14
    m.options["min_zoom"] = 3
    m.add_child(_Style(CSS))
    m.add_child(_Script(encode.DECODER_JS))

    col = "reg_2012" if state.system == "2012" else "reg"
    reg_level = "regions_2012" if state.system == "2012" else "regions"
    reg_layer = getattr(b, reg_level)
    reg_label = "Régions de 2012" if state.system == "2012" else "Régions (2016)"
    sel_regions = reg_layer.loc[[r for r in state.regions if r in reg_layer.index]] if state.regions else reg_layer

    # Choropleth of a density statistic: by région, or by département within the selected régions.
    classification = None
    if state.statistic:
        by = "departement" if state.regions else state.by
        terr = stats.territories(ds.levels, by)
        table = stats.density_table(ds.placed, terr, state.stat_kind).set_index("code")
        if by == "departement":
            units, unit_level = b.departements[b.departements[col].isin(state.regions)], "departements"
        else:
            units, unit_level = sel_regions, reg_level
        vals = table[state.statistic].reindex(units.index).astype(float)
        classification = charts.classify(vals.to_numpy(), state.method, state.classes)
        label = STAT_LABELS[state.statistic]
        items = []
        for (code, nom), v, c in zip(units["nom"].items(), vals, classification.classes, strict=True):
            txt = (
                fmt.percent(v) if state.statistic == "share" else fmt.number(v, 0 if state.statistic == "count" else 2)
            )
            items.append((code, {"t": safe.text(f"{nom} — {label} : {txt}"), "f": classification.color_of(int(c))}))
        m.add_child(CompactLayer(f"Densité : {safe.text(label)}", data.layer(unit_level, scale, items), CHORO_STYLE))

    # Boundaries.
    style = dict(BOUNDARY_STYLE, fillOpacity=0.0 if state.statistic else 0.55)
    m.add_child(
        CompactLayer(
            safe.text(reg_label),
            data.layer(reg_level, scale, [(c, {"t": safe.text(n)}) for c, n in sel_regions["nom"].items()]),
            style,
        )
    )
    if "departements" in state.layers:
        deps = b.departements[b.departements[col].isin(state.regions)] if state.regions else b.departements
        m.add_child(
            CompactLayer(
                "Départements",
                data.layer(
                    "departements", scale, [(c, {"t": safe.text(f"{n} ({c})")}) for c, n in deps["nom"].items()]
                ),
                DEP_STYLE,
            )
        )
    if "epci" in state.layers:
        ep = b.epci
        if state.regions:
            inside = set(b.communes.loc[b.communes[col].isin(state.regions), "epci"].dropna())
            ep = ep[ep.index.isin(inside)]
        m.add_child(
            CompactLayer(
                "Intercommunalités (2025)",
                data.topo_layer("epci", scale, [(c, {"t": safe.text(n)}) for c, n in ep["nom"].items()]),
                EPCI_STYLE,
            )
        )
    # Communes: never all 35,000 at once — those of a chosen département, or of the selected régions.
    com = None
    if state.communes_of:
        com = b.communes[b.communes["dep"] == state.communes_of]
        com_label = f"Communes ({safe.text(names['departement'].get(state.communes_of, state.communes_of))})"
    elif "communes" in state.layers and state.regions:
        com = b.communes[b.communes[col].isin(state.regions)]
        com_label = "Communes"
    if com is not None:
        m.add_child(
            CompactLayer(
                com_label,
                data.topo_layer("communes", scale, [(c, {"t": safe.text(n)}) for c, n in com["nom"].items()]),
                COMMUNE_STYLE,
            )
        )

    # Members as their perimeter, large to small so that cities stay on top.
    actors = select_actors(ds.placed, state)
    popups = data.popups()
    levels_shown = []
    if state.members:
        members = actors[actors["kind"] == "rtes_member"]
        for lv in MEMBER_LEVELS:
            sub = members[members["level"] == lv]
            if sub.empty:
                continue
            levels_shown.append(lv)
            color, label = LEVEL_STYLE[lv]
            items = [(i, {"t": safe.text(n), "p": popups[i]}) for i, n in zip(sub["id"], sub["name"], strict=True)]
            m.add_child(
                CompactLayer(
                    safe.text(label),
                    data.layer("actors", scale, items),
                    {"fillColor": color, "fillOpacity": 0.35, "color": color, "weight": 1.6},
                    MEMBER_HL,
                )
            )

    # Actors as markers, one cluster layer per kind.
    geo = data.actor_shapes(scale)
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
                    "y": round(pt.y, 4),
                    "x": round(pt.x, 4),
                    "t": safe.text(a["name"]),
                    "p": popups[a["id"]],
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
        s_, w, n, e = FRAMES[state.framing]
    else:
        w, s_, e, n = sel_regions.total_bounds if state.regions else np.array(FRAMES["metropole"])[[1, 0, 3, 2]]
        if state.place:
            pb = place_bounds(data, state.place)
            if pb is not None:
                w, s_, e, n = pb
    m.fit_bounds([[s_, w], [n, e]])
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
