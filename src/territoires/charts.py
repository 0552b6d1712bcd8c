"""Charts the dashboard and the exports reuse: a ranking bar chart and choropleth classes.

No streamlit here: an ``altair.Chart`` and plain data, so the CLI and tests use them too.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from territoires import fmt

if TYPE_CHECKING:
    import altair as alt

METHODS = {"quantiles": "Quantiles", "jenks": "Seuils naturels (Jenks)", "equal_interval": "Intervalles égaux"}
NO_DATA = "Données manquantes"
# ColorBrewer YlGnBu, 7 classes: readable on screen and on a projector.
PALETTE = ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"]


@dataclass
class Classification:
    """Class breaks for a choropleth: upper bounds, French legend labels, class of each value (-1: none)."""

    method: str
    bins: list[float]
    labels: list[str]
    classes: np.ndarray
    colors: list[str]

    def color_of(self, i: int) -> str:
        return "#d9d9d9" if i < 0 else self.colors[i]


def _decimals(values: np.ndarray, bins: np.ndarray) -> int:
    both = np.concatenate([values, bins])
    if np.allclose(both, np.round(both)):
        return 0  # whole numbers (counts): no decimals
    span = float(np.nanmax(values) - np.nanmin(values)) if len(values) else 0.0
    if span == 0:
        return 0
    return max(0, min(3, 1 - math.floor(math.log10(span))))


def classify(values: pd.Series | np.ndarray, method: str = "quantiles", k: int = 5) -> Classification:
    """Classes by ``method`` (quantiles, jenks, equal_interval); NaN values get class -1."""
    if method not in METHODS:
        raise ValueError(f"méthode inconnue : {method!r} (attendu : {', '.join(METHODS)})")
    y = np.asarray(values, dtype=float)
    ok = ~np.isnan(y)
    classes = np.full(len(y), -1, dtype=int)
    if not ok.any():
        return Classification(method, [], [], classes, [])
    data = y[ok]
    k = max(1, min(k, len(np.unique(data))))
    import mapclassify  # imported here: with scipy and scikit-learn it costs ~1 s at start-up

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mapclassify warns when ties make fewer classes
        if k == 1:
            bins = np.array([data.max()])
            yb = np.zeros(len(data), dtype=int)
        else:
            klass = {
                "quantiles": mapclassify.Quantiles,
                "jenks": mapclassify.FisherJenks,
                "equal_interval": mapclassify.EqualInterval,
            }[method]
            c = klass(data, k=k)
            bins, yb = np.asarray(c.bins, dtype=float), np.asarray(c.yb, dtype=int)
    classes[ok] = yb
    d = _decimals(data, bins)
    lows = [float(data.min()), *bins[:-1]]
    labels = [
        fmt.number(hi, d) if lo == hi else f"{fmt.number(lo, d)} – {fmt.number(hi, d)}"
        for lo, hi in zip(lows, bins, strict=True)
    ]
    n = len(bins)
    colors = [PALETTE[round(i * (len(PALETTE) - 1) / (n - 1))] if n > 1 else PALETTE[3] for i in range(n)]
    return Classification(method, [float(b) for b in bins], labels, classes, colors)


def ranking_chart(
    table: pd.DataFrame, value: str = "count", title: str = "", top: int = 15, value_title: str = "Nombre"
) -> alt.Chart:
    """Horizontal bars of the ``top`` territories by ``value``, the leader highlighted."""
    import altair as alt  # imported here: not needed for the first map

    t = table[["nom", value]].dropna().sort_values(value, ascending=False).head(top).copy()
    t["rang"] = range(1, len(t) + 1)
    t["en_tete"] = t[value] == t[value].max()
    whole = bool(np.allclose(t[value], np.round(t[value]))) if len(t) else True
    return (
        alt.Chart(t, title=title or None)
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=",.2~f", tickMinStep=1 if whole else None)),
            y=alt.Y("nom:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False)),
            color=alt.condition("datum.en_tete", alt.value("#225ea8"), alt.value("#9ecae1")),
            tooltip=[
                alt.Tooltip("nom:N", title="Territoire"),
                alt.Tooltip(f"{value}:Q", title=value_title, format=",.2~f"),
            ],
        )
        .properties(height=max(120, 26 * len(t)))
        .configure_axis(labelLimit=260)
    )
