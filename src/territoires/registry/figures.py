"""Labelled figures: what a number of the newsletter counts, and how exactly the text gives it.

A record's ``figures`` cell holds a JSON list, one object per figure::

    [{"label": "emplois sauvegardés", "value": 332, "unit": "emplois", "kind": "exact",
      "year": "2007-2012", "text": "332 emplois sauvegardés par 27 reprises depuis 2007",
      "quote": "27 projets de reprise … ce qui correspond à 332 emplois sauvegardés"}]

- ``label`` says what is counted (never « jobs » for what are jobs saved elsewhere);
- ``kind``: ``exact``, ``approx`` (« une quinzaine »), ``range`` (« 250 à 300 », ``value`` to
  ``value_max``), ``min`` (« plus de 3 M€ »), ``max`` (« moins de »);
- ``status``: ``planned`` or ``studied`` for what is announced or under study, not yet so;
- ``text``: the reading shown to users, as the newsletter says it; without it, one is composed.

JSON rather than a mini-language: a spreadsheet shows it as text, and a wrong key is reported
by name.  One parser here, used by the loader, the importer and every view.
"""

from __future__ import annotations

import json
import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from territoires import fmt

FIGURE_KINDS: dict[str, str] = {
    "exact": "exact",
    "approx": "approché",
    "range": "fourchette",
    "min": "au moins",
    "max": "au plus",
}
FIGURE_STATUSES: dict[str, str] = {"planned": "prévu", "studied": "à l'étude"}
YEAR = r"^\d{4}(-\d{2}(-\d{2})?)?([/–-]\d{4})?$"


class FigureError(ValueError):
    """A ``figures`` cell that is not a list of valid figures (message in French)."""


class Figure(BaseModel):
    """One labelled value of the newsletter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1, max_length=200)
    value: float | None = None
    value_max: float | None = None
    unit: str | None = Field(default=None, max_length=60)
    kind: Literal["exact", "approx", "range", "min", "max"] = "exact"
    year: str | None = Field(default=None, pattern=YEAR)
    status: Literal["planned", "studied"] | None = None
    text: str | None = Field(default=None, max_length=300)
    quote: str | None = Field(default=None, max_length=400)

    @model_validator(mode="after")
    def _coherent(self) -> Figure:
        for v in (self.value, self.value_max):
            if v is not None and not math.isfinite(v):
                raise ValueError("valeur non finie")
        if self.kind == "range":
            if self.value is None or self.value_max is None or self.value_max < self.value:
                raise ValueError("une fourchette (kind=range) demande value ≤ value_max")
        elif self.value_max is not None:
            raise ValueError("value_max n'a de sens que pour kind=range")
        if self.value is None and not self.text:
            raise ValueError("sans valeur, un texte (text) est nécessaire")
        return self


_FIELD_FR = {
    "label": "libellé (label)",
    "value": "valeur (value)",
    "value_max": "valeur haute (value_max)",
    "unit": "unité (unit)",
    "kind": "nature (kind : exact, approx, range, min, max)",
    "year": "année (year : AAAA, AAAA-MM ou AAAA-AAAA)",
    "status": "statut (status : planned, studied)",
    "text": "texte (text)",
    "quote": "citation (quote)",
}


# pydantic's messages are English: the usual ones, in French.
_TYPES_FR = {
    "string_pattern_mismatch": "format non reconnu",
    "string_too_long": "texte trop long",
    "string_too_short": "texte vide",
    "string_type": "texte attendu",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "finite_number": "nombre fini attendu",
    "literal_error": "valeur non prévue",
}


def _explain(exc: ValidationError, i: int) -> str:
    """The first problem of figure ``i`` (1-based), in French."""
    err = exc.errors()[0]
    loc = err["loc"][0] if err["loc"] else ""
    if err["type"] == "extra_forbidden":
        return f"chiffre {i} : clé inconnue « {loc} » (clés possibles : {', '.join(_FIELD_FR)})"
    if err["type"] == "missing":
        return f"chiffre {i} : {_FIELD_FR.get(str(loc), loc)} manquant"
    what = _FIELD_FR.get(str(loc), "") if loc else ""
    msg = _TYPES_FR.get(err["type"]) or str(err.get("msg", "")).removeprefix("Value error, ")
    return f"chiffre {i} : {what + ' : ' if what else ''}{msg}"


def parse(cell: object) -> list[Figure]:
    """The figures of a ``figures`` cell (empty → none); raises :class:`FigureError`."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)) or str(cell).strip() == "":
        return []
    try:
        data = json.loads(str(cell))
    except json.JSONDecodeError as exc:
        raise FigureError(f"pas du JSON valide (position {exc.pos}) : une liste [{{…}}] est attendue") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise FigureError('une liste d\'objets [{"label": …, "value": …}] est attendue')
    out = []
    for i, d in enumerate(data, start=1):
        try:
            out.append(Figure.model_validate(d))
        except ValidationError as exc:
            raise FigureError(_explain(exc, i)) from None
    return out


def dump(figures: list[Figure]) -> str:
    """The cell text of ``figures`` (keys in a fixed order, unset ones left out; empty list → "")."""
    if not figures:
        return ""
    items = [f.model_dump(exclude_none=True, exclude_defaults=False) for f in figures]
    for it in items:
        if it.get("kind") == "exact" and "kind" in it:
            it.pop("kind")
        for k in ("value", "value_max"):
            if isinstance(it.get(k), float) and it[k].is_integer():
                it[k] = int(it[k])
    return json.dumps(items, ensure_ascii=False, separators=(", ", ": "))


def _num(v: float) -> str:
    return fmt.number(v, 0 if float(v).is_integer() else 1)


def reading(f: Figure) -> str:
    """How the figure reads in French: its ``text``, or one composed from kind, value and unit."""
    if f.text:
        return f.text
    unit = f" {f.unit}" if f.unit else ""
    if f.value is None:  # only possible with a text, see Figure._coherent
        return f.label
    n = {
        "exact": _num(f.value),
        "approx": f"environ {_num(f.value)}",
        "range": f"de {_num(f.value)} à {_num(f.value_max or f.value)}",
        "min": f"plus de {_num(f.value)}",
        "max": f"moins de {_num(f.value)}",
    }[f.kind]
    out = f"{f.label} : {n}{unit}"
    if f.year:
        out += f" ({f.year})"
    if f.status:
        out += f" — {FIGURE_STATUSES[f.status]}"
    return out


def readings(cell: object) -> list[str]:
    """The readings of every figure of a cell; a cell that does not parse reads as nothing."""
    try:
        return [reading(f) for f in parse(cell)]
    except FigureError:
        return []
