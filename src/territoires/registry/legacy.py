"""The registry's former number columns (``jobs``, ``capital_eur``, ``members``, ``surface_m2``,
``figure_label``/``figure_value``/``figure_approx``), read as labelled figures.

A staff file, or a database created before the ``figures`` column, may still hold them: each value
becomes one figure of :mod:`territoires.registry.figures` (the one parser), with a label and a unit,
« exact » unless ``figure_approx`` says otherwise.  What these columns counted was not said (jobs
saved elsewhere, members of a committee…): the label is generic, to be made precise by hand.
"""

from __future__ import annotations

import json
import math

from territoires.registry.figures import Figure, FigureError, dump, parse

# column → (label, unit) of the figure it becomes.
NUMBER_COLUMNS: dict[str, tuple[str, str]] = {
    "jobs": ("emplois", "emplois"),
    "capital_eur": ("capital", "€"),
    "members": ("membres", "membres"),
    "surface_m2": ("surface", "m²"),
}
FIGURE_COLUMNS = ("figure_label", "figure_value", "figure_approx")
LEGACY_COLUMNS: tuple[str, ...] = (*NUMBER_COLUMNS, *FIGURE_COLUMNS)
TRUE = {"true", "vrai", "oui", "1", "yes"}


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(column: str, text: str) -> float:
    """A number as a spreadsheet writes it in France (« 5 500 000 », « 3,5 »)."""
    cleaned = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise FigureError(f"colonne {column} : nombre attendu, pas « {text[:40]} »") from None
    if not math.isfinite(value) or value < 0:
        raise FigureError(f"colonne {column} : nombre positif attendu, pas « {text[:40]} »")
    return value


def to_figures(values: dict[str, object]) -> list[Figure]:
    """The figures the legacy columns of one record hold (none given → []); raises :class:`FigureError`."""
    items: list[dict[str, object]] = []
    for column, (label, unit) in NUMBER_COLUMNS.items():
        text = _text(values.get(column))
        if text:
            items.append({"label": label, "value": _number(column, text), "unit": unit})
    label, text = _text(values.get("figure_label")), _text(values.get("figure_value"))
    if text or label:
        if not text:
            raise FigureError("colonne figure_value : une valeur est attendue avec figure_label")
        approx = _text(values.get("figure_approx")).lower() in TRUE
        items.append({"label": label or "chiffre", "value": _number("figure_value", text)})
        if approx:
            items[-1]["kind"] = "approx"
    # Through the one parser: a label too long is refused with its French reason.
    return parse(json.dumps(items, ensure_ascii=False)) if items else []


def merged(current: object, legacy: list[Figure]) -> str:
    """The ``figures`` cell: ``current``'s figures, those of the same label replaced by ``legacy``'s.

    A ``current`` cell that does not parse is returned as it is, for the schema check to report.
    """
    if not legacy:
        return _text(current)
    try:
        kept = parse(current)
    except FigureError:
        return _text(current)
    labels = {f.label for f in legacy}
    return dump([f for f in kept if f.label not in labels] + legacy)


def used(values: dict[str, object]) -> list[str]:
    """The legacy columns of ``values`` that hold something."""
    return [c for c in LEGACY_COLUMNS if _text(values.get(c))]
