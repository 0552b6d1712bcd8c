"""The « Coopérations » layer: relations drawn as arcs between anchors (issue 16, item 3)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from territoires import safe
from territoires.dataset import load_dataset
from territoires.geo import build, store
from territoires.registry.relations import TYPES
from territoires.selection import select, select_relations
from territoires.state import MapState, from_query, to_query
from territoires.styles import RELATION_STYLE
from territoires.webmap import links
from territoires.webmap.compose import build_map
from territoires.webmap.geometry import GeometryCache

from synthetic import HOSTILE, RELATIONS, ROWS, app_rows, make_source, relation, row, write_registry

# Beyond synthetic.RELATIONS: a national end, two relations at one point, a pair both ways, Corsica.
EXTRA_RELATIONS = [
    relation("rel-7", "nat", "cofinance", "p1"),
    relation("rel-8", "m-ville-gex", "porte", "p3"),
    relation("rel-9", "p3", "finance", "m-ville-gex", amount="4000000", unit="€", amount_kind="exact", year="2011"),
    relation("rel-10", "m-epci-bugey", "soutient", "m-ville-gex"),
    relation("rel-11", "m-ville-ajaccio", "partenaire", "p2"),
]
NATIONAL = row(id="nat", kind="partner", name="Caisse nationale", level="national", code="FR", precision="national")


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> GeometryCache:
    d = tmp_path_factory.mktemp("links")
    store.write_store(build.build(make_source()), make_source().meta, d)
    pole = next(r for r in ROWS if r["id"] == "ptce-x")  # placed only in its région: dashed
    write_registry(d, [*app_rows(), pole, NATIONAL], relations=RELATIONS + EXTRA_RELATIONS)
    return GeometryCache(load_dataset(d))


def planned(cache: GeometryCache, state: MapState) -> tuple[dict[str, dict], dict[str, int]]:
    sel = select(cache.ds, state)
    lines, skipped = links.plan(sel.relations, cache.marker_map(sel.state.scale))
    return {line["id"]: line for line in lines}, skipped


# ------------------------------------------------------------------ pure geometry
def test_an_arc_joins_its_ends_and_bows_by_its_bend():
    a, b = (5.0, 46.0), (6.0, 46.0)
    pts = links.arc(a, b, 0.12)
    assert pts[0] == [46.0, 5.0] and pts[-1] == [46.0, 6.0]
    mid = pts[len(pts) // 2]
    (ax, ay), (bx, by), (mx, my) = links.mercator(*a), links.mercator(*b), links.mercator(mid[1], mid[0])
    off = abs((bx - ax) * (my - ay) - (by - ay) * (mx - ax)) / math.hypot(bx - ax, by - ay)
    assert off == pytest.approx(0.12 * math.hypot(bx - ax, by - ay), rel=0.02)
    assert mid[0] > 46.0  # left of west → east: north


def test_bends_alternate_sides_and_grow():
    assert links.bends(4) == pytest.approx([0.12, -0.12, 0.24, -0.24])
    assert len(set(links.bends(7))) == 7


def test_width_by_square_root_of_euros_capped():
    assert links.width(float("nan"), None) == links.BASE_WIDTH
    assert links.width(3, "ans") == links.BASE_WIDTH
    assert links.width(1_000_000, "€") == pytest.approx(links.BASE_WIDTH + 6)
    assert links.BASE_WIDTH < links.width(20_000, "€") < links.width(250_000, "€")
    assert links.width(1e9, "€") == links.MAX_WIDTH


# ------------------------------------------------------------------ what is drawn
def test_each_relation_drawn_once_dashed_directed_and_national_not_drawn(cache):
    lines, skipped = planned(cache, MapState())
    placed = {r["id"] for r in RELATIONS + EXTRA_RELATIONS} - {"rel-7"}
    assert set(lines) == placed  # once each; the national one left out…
    assert skipped == {"national": 1, "unplaced": 0}  # …and counted
    assert lines["rel-1"]["d"] == 1 and lines["rel-2"]["d"] == 1  # the pole is placed only in its région
    assert lines["rel-4"]["d"] == 0
    assert lines["rel-1"]["r"] == 1 and lines["rel-3"]["r"] == 0  # « finance » has a direction, « partenaire » not
    assert lines["rel-9"]["w"] > lines["rel-4"]["w"] > lines["rel-3"]["w"] == links.BASE_WIDTH
    assert lines["rel-4"]["k"] == list(TYPES).index("cofinance")


def test_relations_at_one_point_are_loops_turned_apart(cache):
    lines, _ = planned(cache, MapState())
    loops = [lines["rel-8"], lines["rel-9"]]  # Gex and the PLES of Gex share their anchor
    assert [len(x["c"]) for x in loops] == [1, 1]
    assert sorted(x["o"] for x in loops) == [0, 1]


def test_relations_between_the_same_places_never_overlap(cache):
    lines, _ = planned(cache, MapState())
    a, b = lines["rel-3"]["c"], lines["rel-10"]["c"]  # Gex → Bugey and Bugey → Gex
    assert {tuple(a[0]), tuple(a[-1])} == {tuple(b[0]), tuple(b[-1])}
    assert a[len(a) // 2] != b[len(b) // 2]
    assert a[len(a) // 2] != b[::-1][len(b) // 2]


def test_type_year_and_region_filters(cache):
    rels = cache.ds.relations
    ids = lambda s: set(select_relations(rels, s, cache.ds.placed)["id"])  # noqa: E731
    assert ids(MapState(links=("finance",))) == {"rel-1", "rel-9"}
    assert ids(MapState(links=())) == set()
    assert "rel-9" not in ids(MapState(year=2010)) and "rel-5" in ids(MapState(year=2010))
    # Either end in the régions: Ajaccio (Corse, 94) ↔ the Pôle du Sud (66: Languedoc-Roussillon, 91).
    assert ids(MapState(regions=("94",))) == {"rel-11"}
    assert ids(MapState(regions=("91",))) == {"rel-11"}
    assert "rel-11" not in ids(MapState(regions=("82",))) and "rel-3" in ids(MapState(regions=("82",)))
    assert ids(MapState(system="2016", regions=("76",))) == {"rel-11"}  # today's Occitanie


# ------------------------------------------------------------------ the map
def test_the_layer_its_legend_and_the_escaped_quotes(cache):
    m = build_map(cache, MapState(presentation=True))
    names = [getattr(c, "layer_name", None) for c in m._children.values()]
    assert links.NAME in names
    html = m.get_root().render()
    assert "1 relation avec un organisme national, non tracée" in html
    assert safe.script_json(safe.text(HOSTILE))[1:-1] in html  # the hostile quote, as inert text
    for bad in ("<img src=x", "{{ 7*7 }}", "${alert", "<b>gras"):
        assert bad not in html
    assert "citation 49" not in html  # never evaluated as a template
    assert safe.script_json(safe.text("citation {{ 7*7 }} <b>gras</b>"))[1:-1] in html


def test_no_type_chosen_no_layer(cache):
    m = build_map(cache, MapState(links=()))
    assert links.NAME not in [getattr(c, "layer_name", None) for c in m._children.values()]
    # The shared library defines terrLinks; no map script calls it (no lines, no legend).
    assert "terrLinks(map_" not in m.get_root().render()


def test_tooltip_and_popup_read_in_french(cache):
    r = cache.ds.relations.set_index("id").loc["rel-9"].to_dict()
    assert links.tooltip(r) == "PLES de Gex finance Gex — 4\u202f000\u202f000 €"
    pop = links.popup(r)
    assert "<dt>Année</dt><dd>2011</dd>" in pop and "<dt>Statut</dt><dd>en place</dd>" in pop
    assert "Une citation de la lettre" in pop and "Une rubrique" in pop
    r2 = cache.ds.relations.set_index("id").loc["rel-2"].to_dict()
    assert links.tooltip(r2).endswith("(à l&#x27;étude)")


# ------------------------------------------------------------------ the URL
def test_types_round_trip_the_url():
    s = MapState(links=("partenaire", "finance")).validated()
    q = to_query(s)
    assert q["cooperations"] == "finance,partenaire"  # in the vocabulary's order
    assert from_query(q) == s
    assert to_query(MapState(links=()))["cooperations"] == "-"
    assert from_query({"cooperations": "-"}).links == ()
    assert "cooperations" not in to_query(MapState())  # all types: the default
    assert from_query({"cooperations": "finance,<script>,{{7*7}},siège au comité de"}).links == (
        "finance",
        "siège au comité de",
    )
    assert replace(MapState(), links=tuple(reversed(TYPES))).validated() == MapState()


# ------------------------------------------------------------------ in Chromium
@pytest.mark.e2e
def test_links_hover_and_click_in_chromium(cache, tmp_path):
    from e2e_server import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent")
    from playwright.sync_api import sync_playwright

    from territoires.export.html import standalone_html

    out = tmp_path / "carte.html"
    out.write_text(standalone_html(cache, MapState(regions=("82",))), encoding="utf-8")
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(out.as_uri())
        hits = page.locator(".leaflet-terrLinks-pane path.leaflet-interactive")
        hits.first.wait_for(timeout=15_000)
        assert page.locator("path[marker-end]").count() > 0  # arrowheads on directed links
        tips, popups = set(), []
        for i in range(hits.count()):
            hits.nth(i).dispatch_event("mouseover")
            tips.add(page.locator(".leaflet-tooltip").last.inner_text())
            hits.nth(i).dispatch_event("mouseout")
            hits.nth(i).dispatch_event("click")
            popups.append(page.locator(".leaflet-popup-content").last.inner_text())
        assert "Gex est partenaire de Bugey" in tips
        assert any("{{ 7*7 }}" in x for x in popups)  # shown as text, never evaluated
        assert page.evaluate("() => window.__pwned") is None
        browser.close()
    assert not errors, errors


def test_the_image_export_draws_the_links(cache):
    from territoires.export.image import render_image

    with_links = render_image(cache, MapState(regions=("82",)), "svg")
    without = render_image(cache, MapState(regions=("82",), links=()), "svg")
    assert with_links != without
    grey = RELATION_STYLE["partenaire"][0].encode()  # Gex ↔ Bugey, in the colour of « partenaire »
    assert with_links.count(grey) > without.count(grey)
