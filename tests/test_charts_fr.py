"""Charts and classes that read (issue 17, item 3): class labels that never overlap and say when fewer
classes were made, a density palette apart from the member fills, a ranking chart readable at 1, 2
and 22 rows, and a Statistiques page that opens on the PTCE poles by région of 2012."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from territoires import charts, fmt
from territoires.styles import DENSITY_PALETTE, KIND_STYLE, LEVEL_STYLE
from territoires.ui.statistiques import figure_place, figures_table
from test_app import run, texts

from synthetic import app_rows, row, write_registry

NAN = float("nan")
# 22 régions of 2012 with two values only (the brief's example): 5 classes cannot be made.
TWO_VALUES = [0.0] * 20 + [1.2, 3.4]
CASES = {
    "ties at zero": ([0, 0, 0, 0.61, 1.2], 5),
    "all equal": ([2.5, 2.5, 2.5, 2.5], 5),
    "two distinct": (TWO_VALUES, 5),
    "with NaN": ([NAN, 0, 1, 2, 3, 4, 5, NAN, 6, 7], 5),
    "k larger than n": ([1, 2, 3], 7),
    "close after rounding": ([1.0001, 1.0002, 1.0003, 5.0, 9.0], 5),
    "counts": ([0, 0, 1, 1, 2, 3, 5, 8, 13, 21, 34], 5),
    "per million": ([0.0, 0.0, 0.61, 0.64, 1.2, 2.47, 2.5, 10.3], 4),
}


def _number(text: str) -> float:
    """« 1 234,5 » → 1234.5 (the inverse of fmt.number)."""
    return float(text.replace(fmt.NNBSP, "").replace(",", "."))


def _bounds(label: str) -> tuple[float, float]:
    lo, _, hi = label.partition(" – ")
    return _number(lo), _number(hi or lo)


# --------------------------------------------------------------------------------------- classes
@pytest.mark.parametrize("method", list(charts.METHODS))
@pytest.mark.parametrize("case", list(CASES))
def test_class_labels_never_repeat_nor_overlap(case, method):
    values, k = CASES[case]
    c = charts.classify(values, method, k)
    y = np.asarray(values, dtype=float)
    assert len(set(c.labels)) == len(c.labels), c.labels
    shown = [_bounds(lab) for lab in c.labels]
    for (_, prev_hi), (lo, hi) in itertools.pairwise(shown):
        assert lo > prev_hi, f"{c.labels}: each label starts above the previous one"
        assert hi >= lo
    # classes within range, each one holding values, each value inside its class's bounds
    assert c.made == len(c.labels) == len(c.bins) == len(c.lows) == len(c.colors)
    assert set(c.classes[~np.isnan(y)]) == set(range(c.made))
    assert (c.classes[np.isnan(y)] == -1).all()
    for v, i in zip(y, c.classes, strict=True):
        if not math.isnan(v):
            assert c.lows[i] <= v <= c.bins[i]
    order = np.argsort(y[~np.isnan(y)], kind="stable")
    assert (np.diff(c.classes[~np.isnan(y)][order]) >= 0).all(), "larger values, same or higher class"
    # the message says why, exactly when fewer classes than asked were made
    assert c.asked == k
    assert bool(c.message) == (c.made < k)
    if c.message:
        assert c.message.startswith(f"{k} classes demandées, {c.made} possible")


def test_fewer_classes_say_why_in_french():
    c = charts.classify([0.0] * 20 + [1.0, 1.0], "quantiles", 5)
    assert c.made == 2
    assert c.message == "5 classes demandées, 2 possibles : seules 2 valeurs distinctes parmi les 22 territoires."
    one = charts.classify([3, 3, 3], "jenks", 4)
    assert (
        one.labels == ["3"]
        and one.message == "4 classes demandées, 1 possible : une seule valeur pour les 3 territoires."
    )
    none = charts.classify([NAN, NAN], "quantiles", 5)
    assert none.made == 0 and (none.classes == -1).all()
    assert none.message == "5 classes demandées, aucune possible : aucun territoire n'a de valeur."
    full = charts.classify(list(range(10)), "quantiles", 5)
    assert full.made == 5 and full.message == ""


def test_first_class_is_not_labelled_from_zero_twice():
    """The reported bug: « 0,00 » beside « 0,00 – 0,61 »."""
    c = charts.classify([0, 0, 0, 0.61, 1.2], "quantiles", 5)
    assert c.labels[0] in ("0", "0,0", "0,00")
    assert not any(lab.startswith(c.labels[0] + " – ") for lab in c.labels[1:])


# --------------------------------------------------------------------------------------- palette
def _linear(hex_color: str) -> np.ndarray:
    rgb = np.array([int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _luminance(hex_color: str) -> float:
    """WCAG relative luminance."""
    return float(_linear(hex_color) @ [0.2126, 0.7152, 0.0722])


def _lab(hex_color: str) -> np.ndarray:
    """CIE L*a*b* (D65), to measure how far apart two colours look (ΔE*ab)."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ _linear(hex_color)
    f = np.cbrt(xyz / [0.95047, 1.0, 1.08883])
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _delta_e(a: str, b: str) -> float:
    return float(np.linalg.norm(_lab(a) - _lab(b)))


def test_density_palette_is_light_to_dark():
    # matplotlib's « magma » (perceptually uniform, readable with colour-vision deficiencies).
    lum = [_luminance(c) for c in DENSITY_PALETTE]
    assert len(DENSITY_PALETTE) == 7
    assert all(a > b for a, b in itertools.pairwise(lum)), lum
    assert charts.PALETTE == DENSITY_PALETTE


def test_density_palette_never_looks_like_a_member_fill_or_a_marker():
    members = {color for color, _ in LEVEL_STYLE.values()}
    assert not members & {c.lower() for c in DENSITY_PALETTE}
    for c in DENSITY_PALETTE:
        for m in members:
            assert _delta_e(c, m) >= 20, (c, m)
        for kind, (marker, _, _) in KIND_STYLE.items():
            assert _delta_e(c, marker) >= 15, (c, kind, marker)


def test_classes_take_the_palette_light_to_dark_and_the_legend_says_why():
    from territoires.selection import Choropleth
    from territoires.webmap.popups import legend_html

    c = charts.classify([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, NAN], "quantiles", 5)
    assert c.colors[0] == DENSITY_PALETTE[0] and c.colors[-1] == DENSITY_PALETTE[-1]
    assert all(col in DENSITY_PALETTE for col in c.colors)
    few = charts.classify([*TWO_VALUES[:21], NAN], "quantiles", 5)
    ch = Choropleth("count", "Nombre", "regions_2012", pd.Series(dtype=str), pd.Series(dtype=float), few)
    html = legend_html([], [], ch, "ptce_pole")
    assert "5 classes demandées, 2 possibles" in html
    assert DENSITY_PALETTE[0] in html and DENSITY_PALETTE[-1] in html
    assert "#1d91c0" not in html, "no YlGnBu blue left"


# --------------------------------------------------------------------------------- ranking chart
REGIONS_2012 = [
    "Alsace",
    "Aquitaine",
    "Auvergne",
    "Basse-Normandie",
    "Bourgogne",
    "Bretagne",
    "Centre",
    "Champagne-Ardenne",
    "Corse",
    "Franche-Comté",
    "Haute-Normandie",
    "Île-de-France",
    "Languedoc-Roussillon",
    "Limousin",
    "Lorraine",
    "Midi-Pyrénées",
    "Nord-Pas-de-Calais",
    "Pays de la Loire",
    "Picardie",
    "Poitou-Charentes",
    "Provence-Alpes-Côte d'Azur",
    "Rhône-Alpes",
]


@pytest.mark.parametrize("n", [1, 2, 22])
def test_ranking_chart_shows_every_row_at_a_readable_height(n):
    table = pd.DataFrame({"nom": REGIONS_2012[-n:], "count": [(i * 7) % 13 + 1 for i in range(n)]})
    spec = charts.ranking_chart(table, "count", title="Pôles PTCE : nombre par territoire").to_dict()
    assert spec["height"] >= max(charts.MIN_HEIGHT, 32 * n) and spec["height"] >= 140
    # Streamlit's default autosize « fit » squeezes title and axis into that height: one bar became a line.
    assert spec["autosize"]["type"] == "fit-x"
    (values,) = spec["datasets"].values()
    assert sorted(v["nom"] for v in values) == sorted(table["nom"])
    bars, text = spec["layer"]
    assert bars["mark"]["type"] == "bar" and text["mark"]["type"] == "text"
    assert bars["mark"]["size"] <= 32 - 8, "a band wider than its bar: labels never touch"
    y = bars["encoding"]["y"]
    assert sorted(y["sort"]) == sorted(table["nom"]) and len(y["sort"]) == n
    assert y["axis"]["labelLimit"] >= 300 and y["axis"]["labelOverlap"] is False
    x = bars["encoding"]["x"]
    assert x["axis"]["tickMinStep"] == 1 and x["axis"]["format"] == ",d", "whole ticks for counts"
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    top = max(values, key=lambda v: v["count"])
    assert top["en_tete"] and y["sort"][0] == top["nom"]


def test_ranking_chart_values_in_french_and_the_cap_is_said():
    table = pd.DataFrame({"nom": REGIONS_2012, "count": [1234.5 - i for i in range(22)]})
    spec = charts.ranking_chart(table, "count", title="Densité", top=15).to_dict()
    (values,) = spec["datasets"].values()
    assert len(values) == 15
    assert spec["title"]["subtitle"] == "15 premiers sur 22"
    assert values[0]["texte"] == "1\u202f234,50"
    untitled = charts.ranking_chart(table, "count", top=15).to_dict()
    assert untitled["title"]["text"] == "15 premiers sur 22"


# ------------------------------------------------------------------------------ Statistiques page
def _poles_dir(store_dir):
    """The app's registry with two more poles in Ain: Rhône-Alpes leads the PTCE poles, 3 of 4."""
    more = [
        row(id="p5", kind="ptce_pole", name="Pôle du Revermont", level="commune", code="01005", precision="commune"),
        row(id="p6", kind="ptce_pole", name="Pôle de Gex", level="commune", code="01008", precision="commune"),
    ]
    write_registry(store_dir, app_rows() + more)
    return store_dir


def test_statistiques_opens_on_ptce_poles_by_region_2012(store_dir, monkeypatch):
    at = run("statistiques", _poles_dir(store_dir), monkeypatch)
    assert not at.exception, at.exception
    assert at.selectbox(key="s_kind").value == "ptce_pole"
    assert at.radio(key="s_by").value == "region_2012"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Total (France)"] == "4"
    assert metrics["En tête"] == "3 (75\u00a0%)"
    assert "En tête : Rhône-Alpes" in texts(at).splitlines()
    # The user's choice stays through other changes.
    at.selectbox(key="s_kind").set_value("rtes_member").run()
    at.slider(key="f_year").set_value(2011).run()
    assert at.selectbox(key="s_kind").value == "rtes_member"


def test_statistiques_follows_the_link_and_the_filters(store_dir, monkeypatch):
    d = _poles_dir(store_dir)
    at = run("statistiques", d, monkeypatch, {"densite_de": "ples"})
    assert at.selectbox(key="s_kind").value == "ples"
    at = run("statistiques", d, monkeypatch, {"acteurs": "ples,initiative"})
    assert at.selectbox(key="s_kind").value == "rtes_member"  # the first kind the filters allow
    assert "ptce_pole" not in at.selectbox(key="s_kind").options


def test_carte_says_why_fewer_classes(store_dir, monkeypatch):
    at = run("carte", _poles_dir(store_dir), monkeypatch, {"densite": "count", "nb_classes": "5"})
    assert not at.exception, at.exception
    notes = [c.value for c in at.caption if "classes demandées" in c.value]
    assert notes == ["5 classes demandées, 3 possibles : seules 3 valeurs distinctes parmi les 4 territoires."]


# ------------------------------------------------------------------------ the newsletter's figures
NAMES = {"region_2012": {"82": "Rhône-Alpes"}, "departement": {"01": "Ain"}}


def test_figure_places_are_names_never_codes():
    assert figure_place("national", "FR", NAMES) == "France entière"
    assert figure_place("region_2012", "82", NAMES) == "Rhône-Alpes (82)"
    assert figure_place("departement", "01", NAMES) == "Ain (01)"
    unknown = figure_place("region_2012", "99", NAMES)
    assert unknown != "99" and unknown.startswith("Région de 2012")
    for level, code in ((NAN, NAN), (None, None), ("region_2012", ""), ("", None)):
        place = figure_place(level, code, NAMES)
        assert place and "nan" not in place.lower() and "None" not in place


def test_figures_table_shows_region_names():
    def figure(id_: str, level: str, code: str) -> dict:
        return {
            "id": id_,
            "kind": "regional_figure",
            "name": f"Chiffre {id_}",
            "level": level,
            "code": code,
            "reg_2012": code if level == "region_2012" else None,
            "figures": '[{"label": "Pôles témoins", "value": 4}]',
            "source_section": "Une rubrique",
            "source_quote": "Une citation",
        }

    placed = pd.DataFrame([figure("a", "national", "FR"), figure("b", "region_2012", "82")])
    t = figures_table(placed, NAMES)
    assert list(t["Territoire"]) == ["France entière", "Rhône-Alpes (82)"]
    assert not t["Territoire"].isin(["FR", "82"]).any()
