"""Popup, legend and style sheet of the web map: HTML in which every data string is escaped."""

from __future__ import annotations

import pandas as pd

from territoires import charts, fmt, readable, safe
from territoires.registry.schema import KINDS, PRECISIONS
from territoires.selection import Choropleth
from territoires.state import parse_fiche_key
from territoires.styles import (
    APPROX_NOTE,
    KIND_STYLE,
    LEVEL_STYLE,
    MEMBERS_HEADING,
    NEW_MEMBER_COLOR,
    NEW_MEMBER_LABEL,
    NO_DATA_COLOR,
    PLACE_LABELS,
    SEA,
    VAGUE_NOTE,
)

CSS = f"""
.folium-map, .leaflet-container {{ background: {SEA}; font-family: system-ui, sans-serif; }}
.terr-legend, .terr-title, .terr-source {{ background: rgba(255,255,255,.93); padding: 6px 10px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 12px; line-height: 1.35; }}
.terr-legend {{ max-width: 300px; max-height: 60vh; overflow-y: auto; }}
.terr-legend h2 {{ margin: 4px 0 2px; font-size: 12px; }}
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
Line = tuple[str, str | list[str]]  # a label and its value, or its values (one <dd> each)


def _where(a: pd.Series, names: dict[str, dict[str, str]]) -> list[Line]:
    """Territory, the régions and départements holding it, its other places, how it is drawn — by name."""
    where = []
    for key, level in (("reg_2012", "region_2012"), ("dep", "departement")):
        code = a.get(key)
        # Not the record's own territory again (a member région of 2012 is « in » itself).
        if isinstance(code, str) and code in names.get(level, {}) and (a.get("level"), a.get("code")) != (level, code):
            noun = "région de 2012, " if level == "region_2012" else ""
            where.append(f"{names[level][code]} ({noun}{code})")
    dl: list[Line] = [("Territoire", readable.territory(a, names))]
    if where:
        dl.append(("Situé", " — ".join(where)))
    others = readable.places(a, names)
    if others:
        dl.append(("Aussi situé", others))
    if a["kind"] == "rtes_member" and readable.approximate(a):  # a perimeter drawn on the map
        dl.append(("Périmètre", readable.APPROX))
    return dl


def _details(
    a: pd.Series,
    names: dict[str, dict[str, str]],
    board: pd.DataFrame | None,
    bodies: list[str] | None = None,
) -> list[Line]:
    """The (label, value) lines of a record's popup, as plain text.

    ``board``: the board members who represent this member; ``bodies``: the names of the members
    this board member represents.
    """
    dl: list[Line] = [("Type", KINDS.get(a["kind"], a["kind"])), *_where(a, names)]
    dl.append(("Précision", PRECISIONS.get(a["precision"], a["precision"])))
    if readable.status(a):
        dl.append(("Statut", readable.status(a)))
    if a.get("new_member"):
        dl.append(("Adhésion", "nouvel adhérent en 2012"))
    if isinstance(a.get("role"), str):
        dl.append(("Rôle au RTES", a["role"]))
    if bodies:
        dl.append(("Représente", bodies))
    for col, label in (("founded", "Création"), ("launched", "Lancement"), ("joined", "Depuis")):
        if isinstance(a.get(col), str):
            dl.append((label, fmt.date(a[col])))
    figures = readable.readings(a)
    if figures:
        dl.append(("Chiffres", figures))
    if isinstance(a.get("successor_note"), str):
        dl.append(("Aujourd'hui", a["successor_note"]))
    if board is not None and len(board):
        people = [
            f"{n} ({r})" if isinstance(r, str) and r else str(n)
            for n, r in zip(board["name"], board["role"], strict=True)
        ]
        dl.append(("Au conseil d'administration", people))
    if isinstance(a.get("notes"), str):
        dl.append(("Notes", a["notes"]))
    return dl


def _dd(value: str | list[str]) -> str:
    values = value if isinstance(value, list) else [value]
    return "".join(f"<dd>{safe.text(v)}</dd>" for v in values)


def popup_html(
    a: pd.Series,
    names: dict[str, dict[str, str]],
    board: pd.DataFrame | None = None,
    bodies: list[str] | None = None,
) -> str:
    """The details of a record and its source, as escaped HTML."""
    t = safe.text
    head = f"<b>{t(a['name'])}</b>"
    if isinstance(a.get("official_name"), str) and a["official_name"] != a["name"]:
        head += f"<br><i>{t(a['official_name'])}</i>"
    body = "".join(f"<dt>{t(k)}</dt>{_dd(v)}" for k, v in _details(a, names, board, bodies))
    link = safe.url(a.get("website"))
    site = f'<p><a href="{link}" target="_blank" rel="noopener noreferrer">{link}</a></p>' if link else ""
    src = f"<dt>Source</dt><dd>{t(a['source_section'])}<blockquote>« {t(a['source_quote'])} »</blockquote></dd>"
    return f'<div class="terr-popup">{head}<dl>{body}{src}</dl>{site}{fiche_link(a)}</div>'


def fiche_link(a: pd.Series) -> str:
    """« Voir la fiche » of a member or a partner that is a territory (a local authority), else "".

    The map is drawn in a component's frame (``<app>/component/<name>/index.html``): the link goes two
    folders up to the app's ``fiche`` page, under any base URL path. In a new tab: the frame's sandbox
    lets it open one, not navigate the whole tab (``_top`` is refused), and the map stays as it was.
    """
    level, code = a.get("level"), a.get("code")
    authority = a.get("kind") == "rtes_member" or (a.get("kind") == "partner" and a.get("precision") == "territoire")
    if not authority or parse_fiche_key(f"{level}:{code}") is None:  # the fiche page's own rule
        return ""
    href = safe.text(f"../../fiche?fiche={level}:{code}")
    return f'<p class="terr-fiche"><a href="{href}" target="_blank" rel="noopener">Voir la fiche</a></p>'


def legend_html(
    kinds_shown: list[str],
    levels_shown: list[str],
    choro: Choropleth | None,
    stat_kind: str,
    place: bool = False,
    approx: bool = False,
    presenting: bool = False,
    new: bool = False,
) -> str:
    """The legend of what is drawn: the searched place, member levels (and whether some perimeters are
    approximate), actor kinds, choropleth classes."""
    t = safe.text
    parts = []
    if place:
        parts.append(
            '<div><span class="sw" style="background:none;border:2px solid #d7301f"></span>'
            f"{PLACE_LABELS[presenting]}</div>"
        )
    if levels_shown:
        parts.append(f"<h2>{t(MEMBERS_HEADING)}</h2>")
        for lv in levels_shown:
            color, label = LEVEL_STYLE[lv]
            swatch = (
                f"background:none;border:2px solid {color}" if choro is not None else f"background:{color};opacity:.7"
            )
            parts.append(f'<div><span class="sw" style="{swatch}"></span>{t(label)}</div>')
        if new:
            thick = f'<span class="sw" style="background:none;border:3px solid {NEW_MEMBER_COLOR}"></span>'
            parts.append(f"<div>{thick}{t(NEW_MEMBER_LABEL)}</div>")
        if approx:
            dashed = '<span class="sw" style="background:none;border:2px dashed #555"></span>'
            parts.append(f"<div>{dashed}{t(APPROX_NOTE)}</div>")
    if kinds_shown:
        parts.append("<h2>Acteurs</h2>")
        for k in kinds_shown:
            color, icon, label = KIND_STYLE[k]
            parts.append(f'<div><i class="fa-solid {icon}" style="color:{color};width:16px"></i> {t(label)}</div>')
        parts.append(f'<div style="color:#555">{t(VAGUE_NOTE)}</div>')
    if choro is not None and choro.classification.labels:
        cls = choro.classification
        parts.append(f"<h2>{t(choro.label)} : {t(KINDS.get(stat_kind, ''))}</h2>")
        parts.append(f"<div style='color:#555'>{t(charts.METHODS[cls.method])}</div>")
        for label, color in zip(cls.labels, cls.colors, strict=True):
            parts.append(f'<div><span class="sw" style="background:{color}"></span>{t(label)}</div>')
        if (cls.classes < 0).any():
            parts.append(f'<div><span class="sw" style="background:{NO_DATA_COLOR}"></span>{t(charts.NO_DATA)}</div>')
        if cls.message:  # fewer classes than asked: say why, rather than silently drawing 2 of 5
            parts.append(f'<div class="terr-classes-note" style="color:#555">{t(cls.message)}</div>')
    return "".join(parts)
