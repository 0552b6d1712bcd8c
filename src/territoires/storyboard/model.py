"""A storyboard (« diaporama »): an ordered list of views, each a slide of the national meeting.

A slide is a saved view — the dashboard's own URL query (:func:`territoires.state.to_query`), so a
slide, a shared link and the page are one and the same state — or a territory's profile
(« fiche »), with a short title, a key figure in large type and the speaker's notes. A storyboard
is a readable JSON file (``data/storyboards/<nom>.json``) or a row of PostgreSQL; both are checked
by :func:`parse` on every load, which names the file, the slide, the field and the bad value.
"""

from __future__ import annotations

import json
import re
from typing import Literal
from urllib.parse import parse_qsl, urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from territoires.errors import TerritoiresError
from territoires.state import PARAMS, MapState, from_query, parse_fiche_key, to_query

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")  # a storyboard's name: its file name and its link
DEFAULT_NAME = "rencontre-nationale"
MAX_SLIDES = 60
MAX_BYTES = 256 * 1024  # a storyboard file is a few kilobytes: anything larger is not one
TODO = "corriger le fichier (voir data/storyboards/README.md) ou le recréer depuis la page Diaporama."
_KNOWN = set(PARAMS.values())
_NOT_SAVED = {PARAMS["presentation"]}  # a slide is always presented: the flag is not part of the view


class StoryboardError(TerritoiresError):
    """A storyboard that cannot be read or saved: what, where, what to do (in French)."""


class Slide(BaseModel):
    """One view of the storyboard."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=90)  # short: it is read from the back of the room
    figure: str = Field(default="", max_length=160)  # the key figure or sentence, in large type
    notes: str = Field(default="", max_length=5000)  # the speaker's notes
    view: str = Field(default="", max_length=2000)  # the dashboard's URL query of the view ("" = default)
    fiche: str = Field(default="", max_length=40)  # "level:code": the slide is this territory's profile

    @field_validator("title", "figure")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if any(c in v for c in "\r\n\t") or any(ord(c) < 32 for c in v):
            raise ValueError("une seule ligne, sans caractère de contrôle")
        return v

    @field_validator("view")
    @classmethod
    def _known_parameters(cls, v: str) -> str:
        try:
            pairs = parse_qsl(v.lstrip("?"), keep_blank_values=True, strict_parsing=bool(v.lstrip("?")))
        except ValueError as exc:
            raise ValueError("paramètres de vue mal formés (attendu : nom=valeur&nom=valeur)") from exc
        unknown = sorted({k for k, _ in pairs if k not in _KNOWN})
        if unknown:
            raise ValueError(f"paramètre(s) inconnu(s) : {', '.join(unknown)} (connus : {', '.join(sorted(_KNOWN))})")
        return v.lstrip("?")

    @field_validator("fiche")
    @classmethod
    def _fiche_key(cls, v: str) -> str:
        if v and parse_fiche_key(v) is None:
            raise ValueError("fiche attendue sous la forme niveau:code, par exemple commune:38185")
        return v

    @property
    def state(self) -> MapState:
        """The view as a state, in presentation mode."""
        q = dict(parse_qsl(self.view, keep_blank_values=True))
        return from_query({**q, PARAMS["presentation"]: "1"})

    @property
    def link(self) -> str:
        """The dashboard's path and query that show this slide (the fiche's page for a fiche)."""
        if self.fiche:
            return f"/fiche?fiche={self.fiche}"
        q = urlencode({**dict(parse_qsl(self.view, keep_blank_values=True)), PARAMS["presentation"]: "1"}, safe=",:")
        return f"/?{q}"


class Storyboard(BaseModel):
    """A titled, ordered list of slides."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    format: Literal[1] = 1  # the file's format: a later one is refused, not guessed
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    slides: list[Slide] = Field(min_length=1, max_length=MAX_SLIDES)


def view_of(state: MapState) -> str:
    """The view of ``state`` as a slide keeps it: its URL query, without the presentation flag."""
    return urlencode({k: v for k, v in to_query(state).items() if k not in _NOT_SAVED}, safe=",:")


def check_name(name: str) -> str:
    """``name`` if it can name a storyboard (lower-case letters, digits, hyphens), else an error."""
    if not isinstance(name, str) or not NAME.match(name):
        raise StoryboardError(
            f"Nom de diaporama invalide : « {str(name)[:70]} ».",
            todo="lettres minuscules sans accent, chiffres et tirets (ex. rencontre-nationale).",
        )
    return name


def _where(loc: tuple) -> str:
    """« diapositive 3, champ « view » » from a pydantic error location."""
    parts = []
    for i, p in enumerate(loc):
        if p == "slides" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            parts.append(f"diapositive {loc[i + 1] + 1}")
        elif p == "slides":
            parts.append("liste des diapositives (« slides »)")
        elif isinstance(p, str):
            parts.append(f"champ « {p} »")
    return ", ".join(parts) or "ensemble du fichier"


def _why(e: dict) -> str:
    """pydantic's reason, in French (its own messages are English)."""
    ctx = e.get("ctx") or {}
    kind = e["type"]
    if kind == "value_error":
        return str(ctx.get("error", "valeur refusée"))
    return {
        "missing": "champ obligatoire absent",
        "extra_forbidden": "champ inconnu",
        "string_too_short": "texte vide",
        "string_too_long": f"plus de {ctx.get('max_length')} caractères",
        "too_short": f"au moins {ctx.get('min_length')} élément(s) attendu(s)",
        "too_long": f"au plus {ctx.get('max_length')} éléments",
        "literal_error": f"valeur attendue : {ctx.get('expected')}",
        "string_type": "texte attendu",
        "list_type": "liste attendue",
        "model_type": "objet JSON attendu ({…})",
        "model_attributes_type": "objet JSON attendu ({…})",
        "dict_type": "objet JSON attendu ({…})",
    }.get(kind, "valeur refusée")


def parse(text: str | bytes, source: str) -> Storyboard:
    """The storyboard in ``text`` (JSON), checked; a :class:`StoryboardError` naming ``source``, the
    slide, the field and the bad value otherwise."""
    if len(text) > MAX_BYTES:
        raise StoryboardError(f"Fichier trop grand pour un diaporama ({len(text)} octets).", where=source, todo=TODO)
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f" (ligne {exc.lineno}, colonne {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise StoryboardError(f"Ce n'est pas du JSON lisible{where}.", where=source, todo=TODO) from exc
    try:
        return Storyboard.model_validate(data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors()[:4]:
            bad = e.get("input")
            shown = "" if isinstance(bad, dict | list) else f" (valeur : « {str(bad)[:60]} »)"
            problems.append(f"{_where(e['loc'])} : {_why(e)}{shown}")
        more = f" ; et {exc.error_count() - 4} autre(s)" if exc.error_count() > 4 else ""
        what = "Diaporama refusé : " + " ; ".join(problems) + more + "."
        raise StoryboardError(what, where=source, todo=TODO) from exc


def dumps(sb: Storyboard) -> str:
    """The storyboard as its file holds it: JSON, indented, accents as they are, one final newline."""
    return json.dumps(sb.model_dump(), ensure_ascii=False, indent=2) + "\n"
