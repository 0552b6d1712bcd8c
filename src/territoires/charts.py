"""Charts the dashboard and the exports reuse: a ranking bar chart and choropleth classes.

No streamlit here: an ``altair.Chart`` and plain data, so the CLI and tests use them too.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from territoires import fmt
from territoires.styles import DENSITY_PALETTE, NO_DATA_COLOR

if TYPE_CHECKING:
    import altair as alt

METHODS = {"quantiles": "Quantiles", "jenks": "Seuils naturels (Jenks)", "equal_interval": "Intervalles égaux"}
NO_DATA = "Données manquantes"
PALETTE = DENSITY_PALETTE  # light to dark: see territoires.styles
MAX_DECIMALS = 3


@dataclass
class Classification:
    """Classes of a choropleth: largest value of each class, French legend labels, class of each value
    (-1: none), and how many classes were asked, so that the legend can say why fewer were made."""

    method: str
    bins: list[float]
    labels: list[str]
    classes: np.ndarray
    colors: list[str]
    asked: int = 0  # classes asked for
    counted: int = 0  # values (territories) with data
    distinct: int = 0  # distinct values among them
    lows: list[float] = field(default_factory=list)  # smallest value of each class

    @property
    def made(self) -> int:
        """Classes made (one per label)."""
        return len(self.labels)

    @property
    def message(self) -> str:
        """Why fewer classes than asked were made, in French; ``""`` when all were made."""
        if self.made >= self.asked:
            return ""
        asked = f"{self.asked} classe{'s' if self.asked > 1 else ''} demandée{'s' if self.asked > 1 else ''}"
        if self.made == 0:
            return f"{asked}, aucune possible : aucun territoire n'a de valeur."
        made = f"{self.made} possible{'s' if self.made > 1 else ''}"
        terr = f"{self.counted} territoire{'s' if self.counted > 1 else ''}"
        if self.distinct == 1:
            return f"{asked}, {made} : une seule valeur pour {'les ' if self.counted > 1 else ''}{terr}."
        how = f"la méthode « {METHODS[self.method]} »"
        if self.distinct < self.asked:
            why = f"seules {self.distinct} valeurs distinctes parmi les {terr}"
            if self.made < self.distinct:
                why += f", que {how} répartit en {self.made} classes"
            return f"{asked}, {made} : {why}."
        return (
            f"{asked}, {made} : {how} laisse des classes vides ou confondues à l'arrondi "
            f"({self.distinct} valeurs distinctes parmi les {terr})."
        )

    def color_of(self, i: int) -> str:
        return NO_DATA_COLOR if i < 0 else self.colors[i]


def _decimals(values: np.ndarray) -> int:
    """Decimals of the labels: none for whole numbers (counts), else enough for the spread of values."""
    if np.allclose(values, np.round(values)):
        return 0
    span = float(values.max() - values.min()) or float(np.abs(values).max())
    return max(0, min(MAX_DECIMALS, 1 - int(np.floor(np.log10(span)))))


def _rounded(x: float, d: int) -> float:
    return float(f"{x:.{d}f}")  # as fmt.number prints it


def _raw_classes(data: np.ndarray, method: str, k: int) -> np.ndarray:
    """The class of each value by ``method`` (some classes may be left empty)."""
    if k <= 1:
        return np.zeros(len(data), dtype=int)
    import mapclassify  # imported here: with scipy and scikit-learn it costs ~1 s at start-up

    klass = {
        "quantiles": mapclassify.Quantiles,
        "jenks": mapclassify.FisherJenks,
        "equal_interval": mapclassify.EqualInterval,
    }[method]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mapclassify warns when ties make fewer classes
        return np.asarray(klass(data, k=k).yb, dtype=int)


def _bounds(data: np.ndarray, yb: np.ndarray) -> list[tuple[float, float]]:
    """(smallest, largest) value of each class ``0 … yb.max()``."""
    return [(float(data[yb == i].min()), float(data[yb == i].max())) for i in range(int(yb.max()) + 1)]


def _merged(bounds: list[tuple[float, float]], d: int) -> list[int]:
    """The new number of each class: a class whose rounded low does not pass the rounded high of the
    class before joins it, so that no two labels repeat or overlap."""
    new = [0]
    for (lo, _), (_, prev_hi) in zip(bounds[1:], bounds[:-1], strict=True):
        new.append(new[-1] + (_rounded(lo, d) > _rounded(prev_hi, d)))
    return new


def classify(values: pd.Series | np.ndarray, method: str = "quantiles", k: int = 5) -> Classification:
    """Classes by ``method`` (quantiles, jenks, equal_interval); NaN values get class -1.

    Each class is labelled from the smallest to the largest value it holds; empty classes, and classes
    whose rounded labels would touch, are merged (``asked`` and ``message`` tell how many were lost).
    """
    if method not in METHODS:
        raise ValueError(f"méthode inconnue : {method!r} (attendu : {', '.join(METHODS)})")
    y = np.asarray(values, dtype=float)
    ok = ~np.isnan(y)
    classes = np.full(len(y), -1, dtype=int)
    asked = max(1, int(k))
    if not ok.any():
        return Classification(method, [], [], classes, [], asked=asked)
    data = y[ok]
    distinct = len(np.unique(data))
    yb = np.unique(_raw_classes(data, method, min(asked, distinct)), return_inverse=True)[1].ravel()
    bounds = _bounds(data, yb)  # empty classes are gone: yb is renumbered 0, 1, …
    base = _decimals(data)
    # More decimals before merging: 0,601 and 0,604 are two classes, not one « 0,60 ».
    fits = [d for d in range(base, max(base, MAX_DECIMALS) + 1) if len(set(_merged(bounds, d))) == len(bounds)]
    d = fits[0] if fits else base
    yb = np.asarray(_merged(bounds, d))[yb]
    bounds = _bounds(data, yb)
    classes[ok] = yb
    labels = []
    for lo, hi in bounds:
        a, b = fmt.number(lo, d), fmt.number(hi, d)
        labels.append(a if a == b else f"{a} – {b}")
    n = len(bounds)
    colors = [PALETTE[round(i * (len(PALETTE) - 1) / (n - 1))] if n > 1 else PALETTE[3] for i in range(n)]
    return Classification(
        method,
        [hi for _, hi in bounds],
        labels,
        classes,
        colors,
        asked=asked,
        counted=len(data),
        distinct=distinct,
        lows=[lo for lo, _ in bounds],
    )


# Ranking chart: a band of ROW_STEP px per row, bars BAR_SIZE px thick, never shorter than MIN_HEIGHT.
MIN_HEIGHT = 140
ROW_STEP = 32
BAR_SIZE = 20
LABEL_LIMIT = 360  # px: « Provence-Alpes-Côte d'Azur » and long département names in full
LEADER, OTHERS = "#225ea8", "#9ecae1"
FR_NUMBERS = {"decimal": ",", "thousands": fmt.NNBSP, "grouping": [3], "currency": ["", "\u00a0€"]}


def describe(t: pd.DataFrame, title: str, note: str) -> str:
    """The chart in one French sentence, for assistive technology: « Titre : A 4 ; B 1. »"""
    rows = " ; ".join(f"{n} {v}" for n, v in zip(t["nom"], t["texte"], strict=True)) or "aucune valeur"
    head = "Graphique en barres" + (f", {title}" if title else "") + (f" ({note})" if note else "")
    return f"{head} : {rows}."


def ranking_chart(
    table: pd.DataFrame, value: str = "count", title: str = "", top: int | None = None, value_title: str = "Nombre"
) -> alt.LayerChart:
    """Horizontal bars of the territories by ``value`` (all of them, or the ``top`` first with a note
    « 15 premiers sur 22 »), the leader highlighted, each bar's value at its end."""
    import altair as alt  # imported here: not needed for the first map

    t = table[["nom", value]].dropna().sort_values([value, "nom"], ascending=[False, True])
    total = len(t)
    t = t.head(top).copy() if top is not None else t.copy()
    whole = bool(np.allclose(t[value], np.round(t[value]))) if len(t) else True
    vmax = float(t[value].max()) if len(t) else 0.0
    t["rang"] = range(1, len(t) + 1)
    t["en_tete"] = t[value] == vmax
    t["texte"] = [fmt.number(v, 0 if whole else 2) for v in t[value]]
    note = f"{len(t)} premiers sur {total}" if len(t) < total else ""
    number = ",d" if whole else ",.2~f"
    y = alt.Y(
        "nom:N",
        sort=list(t["nom"]),
        title=None,
        axis=alt.Axis(labelLimit=LABEL_LIMIT, labelOverlap=False, labelFontSize=12, ticks=False, aria=False),
    )
    # Room for the value printed after the longest bar; whole ticks only for counts (no « 0,5 pôle »).
    x = alt.X(
        f"{value}:Q",
        title=value_title,
        scale=alt.Scale(domain=[0, vmax * 1.15 if vmax > 0 else 1], nice=False),
        axis=alt.Axis(format=number, tickMinStep=1 if whole else alt.Undefined, aria=False),
    )
    base = alt.Chart(t).encode(x=x, y=y)
    # Assistive technology reads one French sentence (the chart's description), not Vega's English
    # descriptions of each axis and bar: axes, bars and labels are hidden from it.
    bars = base.mark_bar(size=BAR_SIZE, aria=False).encode(
        color=alt.condition("datum.en_tete", alt.value(LEADER), alt.value(OTHERS)),
        tooltip=[
            alt.Tooltip("nom:N", title="Territoire"),
            alt.Tooltip(f"{value}:Q", title=value_title, format=number),
            alt.Tooltip("rang:Q", title="Rang"),
        ],
    )
    labels = base.mark_text(align="left", baseline="middle", dx=4, fontSize=12, color="#333333", aria=False).encode(
        text="texte:N"
    )
    heading = alt.Title(title or note, subtitle=note if title and note else alt.Undefined) if title or note else None
    return (
        alt.layer(
            bars, labels, title=heading if heading is not None else alt.Undefined, description=describe(t, title, note)
        )
        # fit-x: the width follows the page, the height stays the plot's own (Streamlit's default « fit »
        # would squeeze the title and the axis into it, leaving one bar a thin line).
        .properties(
            height=max(MIN_HEIGHT, ROW_STEP * len(t)), autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
        )
        .configure_axis(labelLimit=LABEL_LIMIT)
        .configure(locale=alt.Locale(number=alt.NumberLocale(**FR_NUMBERS)))
    )
