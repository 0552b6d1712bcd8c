"""The web map built layer by layer, and drawn the same way on every render (issue 12)."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import folium
import pandas as pd
import pytest
from streamlit_folium import generate_leaflet_string

from territoires.dataset import Dataset, load_dataset
from territoires.selection import select
from territoires.state import MapState
from territoires.webmap import layers
from territoires.webmap.compose import build_map
from territoires.webmap.geometry import GeometryCache
from territoires.webmap.plumbing import OfflineMap
from territoires.webmap.popups import legend_html, popup_html

STATES = [
    MapState(),
    MapState(regions=("82",), layers=("departements", "epci"), statistic="per_million", presentation=True),
    MapState(system="2016", kinds=("ptce_pole", "ples"), place="commune:01008", communes_of="01"),
]
# JavaScript names that folium and our scripts give to map elements.
NAME = re.compile(r"\b((?:map|marker_cluster|compact_layer|layer_control|territoires_script)_[0-9a-z_]+)\b")


@pytest.fixture
def cache(app_dir):
    return GeometryCache(load_dataset(app_dir))


def undeclared(js: str) -> set[str]:
    """Element names a script uses without declaring them (``var|let|const name = …``)."""
    declared = set(re.findall(r"\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)", js))
    return set(NAME.findall(js)) - declared


def streamlit_folium_js(m: folium.Map) -> str:
    """The script streamlit-folium sends to the browser for ``m``: it renders the map twice, then
    renames every element as it writes the script. A second pass over the same object would find
    folium's per-render children named after the first names: hence a new map for every render."""
    m.render()
    m.render()
    return generate_leaflet_string(m)


@pytest.mark.parametrize("state", STATES, ids=["defaut", "region-densite", "lieu"])
def test_every_render_declares_every_name_it_uses(cache, state):
    for _ in range(3):  # every visitor gets a map of its own, built from the shared caches
        js = streamlit_folium_js(build_map(cache, state))
        assert "markerClusterGroup" in js or not select(cache.ds, state).kinds_shown
        assert not undeclared(js), sorted(undeclared(js))[:5]


def test_builds_do_not_share_objects(cache):
    a, b = build_map(cache, MapState()), build_map(cache, MapState())
    assert a is not b
    assert not set(map(id, a._children.values())) & set(map(id, b._children.values()))


def test_each_layer_alone(cache):
    state = MapState(
        regions=("82",), layers=("departements", "epci", "communes"), statistic="count", communes_of="", kinds=("ples",)
    )
    sel = select(cache.ds, state)
    for layer, expect in (
        (layers.choropleth, "Densité : Nombre"),
        (layers.regions, "Régions de 2012"),
        (layers.departements, "Départements"),
        (layers.epci, "Intercommunalités (2025)"),
        (layers.communes, "Communes"),
        (layers.members, "Région adhérente"),
    ):
        m = OfflineMap(tiles=None)
        layer(m, cache, sel)
        names = [getattr(c, "layer_name", None) for c in m._children.values()]
        assert expect in names, (layer.__name__, names)
    m = OfflineMap(tiles=None)
    layers.actors(m, cache, sel)
    html = m.get_root().render()
    assert "PLES de Gex" in html and "Pôle des Monts" not in html  # only the kinds chosen


def test_layers_follow_the_state(cache):
    quiet = select(cache.ds, MapState(layers=(), statistic=""))
    m = OfflineMap(tiles=None)
    for layer in (layers.choropleth, layers.departements, layers.epci, layers.communes):
        layer(m, cache, quiet)
    assert not [c for c in m._children.values() if getattr(c, "layer_name", None)]


def test_cache_is_pure_data_and_survives_pickling(cache):
    import pickle

    build_map(cache, MapState())
    copy = pickle.loads(pickle.dumps(cache.national_part()))
    assert copy.encoded and copy.popups
    html_a = build_map(cache, MapState()).get_root().render()
    html_b = build_map(copy, MapState()).get_root().render()
    strip = re.compile(r"_[0-9a-f]{32}")
    assert strip.sub("", html_a) == strip.sub("", html_b)


def test_a_searched_place_frames_the_map_without_loading_every_commune(cache):
    from territoires.webmap.geometry import place_bounds

    from synthetic import X0, Y0, S

    box = place_bounds(cache, "commune:01008")  # Gex: the cell (1, 2) of the synthetic grid
    assert list(box.round(6)) == [round(v, 6) for v in (X0 + S, Y0 + 2 * S, X0 + 2 * S, Y0 + 3 * S)]
    assert place_bounds(cache, "commune:99999") is None
    assert place_bounds(cache, "epci:200000001") is not None
    assert "region" not in cache.boundaries  # no display level was read for it
    m = build_map(cache, MapState(place="commune:01008"))
    # Framed in the browser once the legends are measured (webmap.furniture.FIT_JS), on these bounds.
    assert not [c for c in m._children.values() if isinstance(c, folium.map.FitBounds)]
    html = m.get_root().render()
    found = re.search(r"terrFit\(map_\w+,(\[\[[^\]]+\],\[[^\]]+\]\])\);", html)
    assert found, "le cadrage du lieu manque"
    (s, w), (n, e) = json.loads(found.group(1))
    assert (round(w, 6), round(s, 6), round(e, 6), round(n, 6)) == tuple(round(v, 6) for v in box)
    # The national view of markers keeps Leaflet's own framing (France at its largest).
    national = build_map(cache, MapState())
    assert [c for c in national._children.values() if isinstance(c, folium.map.FitBounds)]


def test_the_searched_place_is_outlined_even_outside_the_selected_regions(cache):
    from territoires.selection import place_outside

    state = MapState(regions=("82",), place="commune:66001")  # a commune of the Pyrénées-Orientales
    assert place_outside(cache.ds, state)
    assert not place_outside(cache.ds, MapState(regions=("82",), place="commune:01008"))
    names = [getattr(c, "layer_name", None) for c in build_map(cache, state)._children.values()]
    assert "Lieu recherché" in names
    from territoires.webmap.popups import legend_html

    assert "Lieu recherché" in legend_html([], [], None, "", place=True)
    assert "Lieu recherché" not in legend_html(["ples"], ["commune"], None, "")
    # On a slide (presentation mode) the outlined place is the territory presented, not a search.
    shown = build_map(cache, replace(state, presentation=True))
    assert "Territoire présenté" in [getattr(c, "layer_name", None) for c in shown._children.values()]
    assert "Lieu recherché" not in shown.get_root().render()
    assert "Lieu recherché" not in [
        getattr(c, "layer_name", None) for c in build_map(cache, MapState())._children.values()
    ]


# ------------------------------------------------------------------ figures, status, places, board (issue 15)
TRANSMEA = json.dumps(
    [
        {
            "label": "emplois sauvegardés",
            "value": 332,
            "unit": "emplois",
            "year": "2007-2012",
            "text": "332 emplois sauvegardés par 27 reprises depuis 2007",
            "quote": "27 projets de reprise … ce qui correspond à 332 emplois sauvegardés",
        },
        {"label": "associations et entreprises", "value": 15, "kind": "approx"},
    ],
    ensure_ascii=False,
)
NAMES = {"region_2012": {"31": "Nord-Pas-de-Calais", "22": "Picardie"}, "region": {}, "departement": {"59": "Nord"}}


def record(**kw: object) -> pd.Series:
    """A joined record with the registry's new columns (figures, status, places) and the join's."""
    base = dict(
        id="x",
        kind="initiative",
        name="Transméa",
        official_name=None,
        level="region_2012",
        code="31",
        places=None,
        precision="region",
        status=None,
        new_member=False,
        role=None,
        represents=None,
        figures=None,
        reg_2012="31",
        dep=None,
        perimetre_approche=False,
        source_section="Reprises d'entreprises",
        source_quote="27 projets de reprise",
    )
    base.update(kw)
    return pd.Series(base)


def test_popup_reads_figures_status_other_places_and_approximate_perimeter():
    a = record(figures=TRANSMEA, status="planned", places="region_2012:22", perimetre_approche=True)
    assert "<dt>Périmètre</dt>" not in popup_html(a, NAMES)  # a marker: no perimeter drawn
    html = popup_html(a.copy().replace({"initiative": "rtes_member"}), NAMES)
    assert "<dt>Chiffres</dt><dd>332 emplois sauvegardés par 27 reprises depuis 2007</dd>" in html
    assert "<dd>associations et entreprises : environ 15</dd>" in html  # one <dd> per figure
    assert "<dt>Statut</dt><dd>prévu</dd>" in html
    assert "<dt>Aussi situé</dt><dd>Picardie</dd>" in html
    assert "<dt>Périmètre</dt><dd>approché (contour de 2012 reconstitué)</dd>" in html
    assert '"label"' not in html and "&quot;label&quot;" not in html  # never the raw JSON
    assert "<dd>à l&#x27;étude</dd>" in popup_html(record(status="studied"), NAMES)
    plain = popup_html(record(), NAMES)
    for label in ("Chiffres", "Statut", "Aussi situé", "Périmètre"):
        assert f"<dt>{label}</dt>" not in plain


def test_popup_tolerates_a_registry_without_the_new_columns():
    a = record().drop(["figures", "status", "places", "perimetre_approche"])
    assert "<dt>Type</dt>" in popup_html(a, NAMES)


def _board_dataset() -> Dataset:
    rows = [
        record(id="m-aquitaine", kind="rtes_member", name="Région Aquitaine", level="region_2012", code="72"),
        record(id="m-bergerac", kind="rtes_member", name="Ville de Bergerac", level="commune", code="24037"),
        record(
            id="ca-vincent",
            kind="rtes_board_member",
            name="Bérénice Vincent",
            level="commune",
            code="24037",
            role="Administratrice",
            represents="m-aquitaine; m-bergerac",
        ),
        record(
            id="ca-autre",
            kind="rtes_board_member",
            name="Un Élu",
            level="commune",
            code="24037",
            role=None,
            represents="m-bergerac",
        ),
    ]
    levels = {
        "regions_2012": pd.DataFrame({"code": ["72"], "nom": ["Aquitaine"]}),
        "regions": pd.DataFrame({"code": ["75"], "nom": ["Nouvelle-Aquitaine"]}),
        "departements": pd.DataFrame({"code": ["24"], "nom": ["Dordogne"]}),
    }
    return Dataset(registry=None, placed=pd.DataFrame(rows).reset_index(drop=True), levels=levels, vintage={})


def test_a_member_lists_every_board_member_who_represents_it():
    popups = GeometryCache(_board_dataset()).popup_map()
    bergerac = popups["m-bergerac"]
    assert "<dt>Au conseil d&#x27;administration</dt>" in bergerac
    assert "<dd>Bérénice Vincent (Administratrice)</dd>" in bergerac and "<dd>Un Élu</dd>" in bergerac
    assert "Bérénice Vincent" in popups["m-aquitaine"] and "Un Élu" not in popups["m-aquitaine"]
    vincent = popups["ca-vincent"]
    assert "<dt>Représente</dt><dd>Région Aquitaine</dd><dd>Ville de Bergerac</dd>" in vincent
    assert "<dt>Représente</dt><dd>Ville de Bergerac</dd>" in popups["ca-autre"]


def test_the_legend_notes_approximate_perimeters(cache):
    assert "périmètre approché" in legend_html([], ["epci"], None, "", approx=True)
    assert "périmètre approché" not in legend_html([], ["epci"], None, "")
    placed = cache.ds.placed
    assert "perimetre_approche" in placed.columns  # added by the join
    html = build_map(cache, MapState()).get_root().render()
    assert "périmètre approché" not in html
    placed.loc[placed["kind"] == "rtes_member", "perimetre_approche"] = False
    placed.loc[placed["level"] == "epci", "perimetre_approche"] = True
    cache.popups = None
    m = build_map(cache, MapState())
    names = [getattr(c, "layer_name", None) for c in m._children.values()]
    assert "Intercommunalité adhérente (périmètre 2012) — périmètre approché" in names
    html = m.get_root().render()
    assert "Tireté : périmètre approché (contour de 2012 reconstitué)" in html  # the legend's note
    assert "\\u003cdd\\u003eapproché (contour de 2012 reconstitué)" in html  # the member's popup (script JSON)


def test_the_new_members_are_outlined_on_the_map_and_in_its_legend(cache):
    """The members the newsletter welcomes as new: a thick outline over their fill, named in the legend;
    the same rule in the image export."""
    from territoires.export.image import _legend_handles
    from territoires.styles import NEW_MEMBER_LABEL

    new = cache.ds.placed[(cache.ds.placed["kind"] == "rtes_member") & cache.ds.placed["new_member"].astype(bool)]
    assert list(new["name"]) == ["Ain"]  # the synthetic registry's one new member
    m = build_map(cache, MapState())
    layer = next(c for c in m._children.values() if getattr(c, "layer_name", None) == NEW_MEMBER_LABEL)
    assert '"fill":false' in layer.opts and "Ain" in layer.data
    html = m.get_root().render()
    assert NEW_MEMBER_LABEL in html and "border:3px solid #1a1a1a" in html  # the legend's line and swatch
    assert NEW_MEMBER_LABEL in [h.get_label() for h in _legend_handles(select(cache.ds, MapState()))]
    # Without members, or among members none of which is new: neither layer nor legend line.
    for state in (MapState(members=False), MapState(regions=("93",))):
        html = build_map(cache, state).get_root().render()
        assert NEW_MEMBER_LABEL not in html and "border:3px solid #1a1a1a" not in html
        assert NEW_MEMBER_LABEL not in [h.get_label() for h in _legend_handles(select(cache.ds, state))]


def test_presenting_the_links_groups_only_symbols_that_touch(cache, monkeypatch):
    """On a slide of the cooperation links, markers are grouped only when they touch (a line must end at
    a visible symbol), or not at all when they are few enough to be named; on the dashboard, the usual
    clusters; lines wider and darker when presenting."""
    from territoires.webmap import layers as lay
    from territoires.webmap.plumbing import OfflineMarkerCluster

    def options(state: MapState) -> list[dict]:
        m = build_map(cache, state)
        return [c.options for c in m._children.values() if isinstance(c, OfflineMarkerCluster)]

    def radius(o: dict):
        return o.get("max_cluster_radius", o.get("maxClusterRadius"))

    assert {radius(o) for o in options(MapState())} == {lay.CLUSTER_OPTIONS["maxClusterRadius"]}
    named = options(MapState(presentation=True))  # the synthetic data's few actors: each named, none grouped
    assert named and all(o.get("disable_clustering_at_zoom", o.get("disableClusteringAtZoom")) == 1 for o in named)
    monkeypatch.setattr(lay, "MAX_NAMED", 0)  # many actors: grouped only when they touch
    assert {radius(o) for o in options(MapState(presentation=True))} == {12}
    assert {radius(o) for o in options(MapState(presentation=True, links=()))} == {
        lay.CLUSTER_OPTIONS["maxClusterRadius"]
    }
    # terrLinks(map, group, items, colours, legend, presenting): the last argument.
    assert re.search(r"terrLinks\(.*,true\);", build_map(cache, MapState(presentation=True)).get_root().render())
    assert re.search(r"terrLinks\(.*,false\);", build_map(cache, MapState()).get_root().render())


def test_presenting_a_few_actors_names_each_and_spreads_those_at_one_place(cache):
    from territoires.webmap.layers import MAX_NAMED, spread

    items = [{"x": 5.0, "y": 45.0, "t": "A"}, {"x": 5.0, "y": 45.0, "t": "B"}, {"x": 6.0, "y": 46.0, "t": "C"}]
    out = spread(items)
    assert {(o["x"], o["y"]) for o in out[:2]} != {(5.0, 45.0)} and len({(o["x"], o["y"]) for o in out}) == 3
    assert out[0]["n"] == "right" and out[1]["n"] == "left"  # outward from the place they share
    assert out[2] == {**items[2], "n": "right"}
    assert [o.get("n") for o in spread(items, [True, False, True])] == ["right", None, "right"]
    html = build_map(cache, MapState(presentation=True)).get_root().render()
    assert "permanent:true" in html and "terr-name" in html  # a slide of a few actors: named
    sel = select(cache.ds, MapState(presentation=True))
    assert 0 < sum(len(sel.markers(k)) for k in sel.kinds_shown) <= MAX_NAMED
    assert '"n":' not in build_map(cache, MapState()).get_root().render()  # the dashboard: not
