"""Hostile strings never run: not on the server (Jinja), not in the browser (HTML), not in a spreadsheet."""

from __future__ import annotations

import html
import json
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from territoires import safe

HOSTILE = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "{{ 7*7 }}",
    "{{ config.__class__.__init__.__globals__['os'].popen('id').read() }}",
    "{% for x in range(3) %}X{% endfor %}",
    "{# commentaire #}",
    "![image](https://exemple.invalid/x.png)",
    "[lien](javascript:alert(1))",
    '" onmouseover="alert(1)',
    "'; alert(1); '",
    "${alert(1)}",
    "`${window.__pwned=1}`",
    "\\u003cscript\\u003e",
    "</script><script>window.__pwned=1</script>",
    "<!-- -->",
    "\u202eالعربية עברית",  # right-to-left override and text
    "🗺️🏳️‍🌈 émojis",
    '=HYPERLINK("https://exemple.invalid")',
    "x" * 5000,
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.lists(
        st.sampled_from([*"<>{}%#$`'\"\\/=&;!()[]* ", "{{", "}}", "{%", "%}", "${", "é", "\u202e", "script"]),
        min_size=1,
        max_size=40,
    ).map("".join),
    st.text(min_size=1, max_size=80),
)


@given(hostile_text)
@example("{{ 7*7 }}")
def test_safe_text_is_inert_and_reversible(s):
    out = safe.text(s, max_len=10_000)
    for ch in "<>{}$`\"'":
        assert ch not in out
    assert "\\" not in out
    assert html.unescape(out) == s  # the browser shows exactly the text


def test_long_strings_are_cut():
    assert len(html.unescape(safe.text("x" * 5000))) == 2000


@given(st.sampled_from(["=1+1", "+33 1", "-2", "@SUM(A1)", "\t=x", "normal", "", '=HYPERLINK("x")']))
def test_spreadsheet_cells_never_start_a_formula(v):
    out = safe.spreadsheet_cell(v)
    assert not (isinstance(out, str) and out[:1] in ("=", "+", "-", "@", "\t", "\r"))
    assert out.lstrip("'") == v


def test_url_only_http():
    assert safe.url("javascript:alert(1)") is None
    assert safe.url('https://exemple.fr/"><script>') is None
    assert safe.url("https://www.rtes.fr") == "https://www.rtes.fr"


@pytest.fixture(scope="module")
def mapdata(tmp_path_factory):
    from territoires.dataset import load_dataset
    from territoires.geo import build, store
    from territoires.webmap.geometry import GeometryCache

    from synthetic import ROWS, make_source, row, write_registry

    d = tmp_path_factory.mktemp("hostile")
    store.write_store(build.build(make_source()), {"source": "test"}, d)
    extra = [
        row(id="h1", kind="initiative", name="x", level="commune", code="01005", precision="commune"),
        row(id="h2", kind="ptce_pole", name="y", level="commune", code="2A004", precision="commune"),
    ]
    write_registry(d, ROWS + extra)
    return GeometryCache(load_dataset(d))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile_text, quote=hostile_text)
@example(name="{{ 7*7 }}", quote="{% raw %}")
def test_map_renders_hostile_names_as_text(mapdata, name, quote):
    from territoires.state import MapState
    from territoires.webmap.compose import build_map

    placed = mapdata.ds.placed
    idx = placed.index[placed["id"].isin(["h1", "m-ville-gex"])]
    placed.loc[idx, "name"] = name
    placed.loc[idx, "source_quote"] = quote
    placed.loc[idx, "figures"] = json.dumps([{"label": "chiffre", "text": (name or "x")[:300]}])
    mapdata.popups = None  # popups and markers are cached per dataset: rebuild them
    mapdata.markers.clear()
    html_out = build_map(mapdata, MapState(presentation=True)).get_root().render()
    # the name arrives escaped (HTML entities, themselves \u-escaped inside script JSON)
    escaped = safe.script_json(safe.text(name))[1:-1]
    assert escaped in html_out
    # nothing of it is executable: no raw tag, no template expression, no JS template substitution
    for bad in ("<script>window", "<img src=x", "${alert", "${window", "{{ 7*7 }}", "{% for"):
        if bad in name or bad in quote:
            assert bad not in html_out
    assert not re.search(r"(?<![\w.])49(?![\w.])", html_out.replace(escaped, "")) or "49" in name + quote


# ------------------------------------------------------------------ figures' readings (issue 15)
HOSTILE_READING = "<script>window.__pwned=1</script> {{ 7*7 }} {% raw %} ${alert(1)}"


def _figure_record(text: str, **kw: object):
    import json

    import pandas as pd

    a = {
        "id": "h",
        "kind": "initiative",
        "name": "x",
        "official_name": None,
        "level": "commune",
        "code": "01005",
        "precision": "commune",
        "figures": json.dumps([{"label": "chiffre", "text": text}]),
        "status": None,
        "places": None,
        "source_section": "s",
        "source_quote": "q",
    }
    a.update(kw)
    return pd.Series(a)


def test_a_hostile_figure_reading_is_inert_in_the_popup():
    from territoires.webmap.popups import popup_html

    out = popup_html(_figure_record(HOSTILE_READING), {"region_2012": {}, "departement": {}})
    assert "<dt>Chiffres</dt><dd>" + safe.text(HOSTILE_READING) + "</dd>" in out
    assert "&#123;&#123; 7*7 &#125;&#125;" in out and "&#123;% raw %&#125;" in out  # Jinja braces as entities
    assert "&lt;script&gt;" in out
    for bad in ("<script", "{{", "}}", "{%", "%}", "${"):
        assert bad not in out


@settings(max_examples=80, deadline=None)
@given(hostile_text)
@example("{% raw %}{{ 7*7 }}{% endraw %}")
def test_any_figure_reading_or_other_place_is_escaped(s):
    from territoires.webmap.popups import popup_html

    s = s[:300]
    out = popup_html(_figure_record(s, places=f"region_2012:{s[:20]}"), {"region_2012": {}, "departement": {}})
    if s.strip():
        assert safe.text(s) in out
    body = out.replace('<div class="terr-popup">', "").replace("</div>", "")
    assert not re.search(r"<(?!/?(?:b|br|i|dl|dt|dd|blockquote|p)>)", body)  # no tag but ours
    for ch in "{}$`":
        assert ch not in out
