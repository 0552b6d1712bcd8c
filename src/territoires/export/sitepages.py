"""The HTML of the static site's pages (:mod:`territoires.export.site`): the index, the frame of a map
page (heading, navigation, the folium document inside) and a territory's profile as tables.

Every data string goes through :func:`territoires.safe.text` (HTML-escaped, braces as entities);
the fixed French texts of this module are written as HTML already.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from territoires import fmt, safe
from territoires.fiche import Fiche
from territoires.registry.schema import LEVELS

SITE_TITLE = "Territoires — la coopération territoriale en 2012"
# No icon file: without this line a browser asks every server for /favicon.ico (a 404 in its console).
ICON = '<link rel="icon" href="data:,">'
SCOPES = {"territoire": "Le territoire", "region_2012": "Sa région (2012)", "france": "France"}
MEASURES = (
    ("count", "nombre", 0),
    ("per_million", "par million d'hab.", 1),
    ("per_10k_km2", "pour 10 000 km²", 1),
    ("location_quotient", "concentration (1 = France)", 2),
)
# After folium's own style (html, body at 100 % of the window): the page scrolls past the map.
CSS = """
html, body { height: auto; }
body { font-family: system-ui, sans-serif; color: #1a1a1a; background: #fff; line-height: 1.4; }
.site-head { padding: 8px 16px 6px; border-bottom: 1px solid #ccc; background: #f6f8fb; }
.site-nav { display: flex; flex-wrap: wrap; gap: 4px 20px; font-size: 15px; margin: 0; padding: 0; list-style: none; }
.site-head h1 { font-size: 22px; margin: 6px 0 2px; }
.site-sub { color: #333; margin: 2px 0 4px; font-size: 16px; }
.site-body { padding: 8px 16px 40px; max-width: 1150px; }
.site-body h2 { font-size: 18px; margin: 18px 0 6px; }
.site-body table { border-collapse: collapse; margin: 4px 0 12px; font-size: 14px; }
.site-body th, .site-body td { border: 1px solid #c8c8c8; padding: 3px 8px; text-align: left; vertical-align: top; }
.site-body td.n { text-align: right; white-space: nowrap; }
.site-body ul { margin: 4px 0 12px; padding-left: 22px; }
.site-foot { color: #444; font-size: 13px; }
.terr-sans-fiche { display: none; }
"""


@dataclass(frozen=True)
class Link:
    """A link of the site: its path from the site's root and its text (plain: escaped when written)."""

    path: str
    text: str


def _a(root: str, link: Link) -> str:
    return f'<a href="{safe.text(root + link.path)}">{safe.text(link.text)}</a>'


def navigation(root: str, group: str, prev: Link | None, next_: Link | None) -> str:
    """« Accueil », then the previous and next pages of the group."""
    items = [f'<li><a href="{safe.text(root)}index.html">Accueil</a></li>', f"<li>{safe.text(group)}</li>"]
    if prev is not None:
        items.append(f"<li>← Précédent : {_a(root, prev)}</li>")
    if next_ is not None:
        items.append(f"<li>Suivant : {_a(root, next_)} →</li>")
    return f'<nav aria-label="Navigation"><ul class="site-nav">{"".join(items)}</ul></nav>'


def head_block(nav: str, title: str, subtitle: str = "") -> str:
    """The top of a page: navigation, heading, a line under it."""
    sub = f'<p class="site-sub">{safe.text(subtitle)}</p>' if subtitle else ""
    return f'<header class="site-head">{nav}<h1>{safe.text(title)}</h1>{sub}</header>'


def map_page(document: str, *, title: str, top: str, bottom: str) -> str:
    """folium's map document made a page of the site: French, titled, the site's header above the map
    and ``bottom`` (HTML) under it."""
    doc = document.replace("<html>", '<html lang="fr">', 1)
    if 'lang="fr"' not in doc[:200]:
        raise ValueError("document de carte inattendu : balise <html> introuvable")
    head = f'<meta charset="utf-8">{ICON}<title>{safe.text(title)} — Territoires</title>'
    doc = doc.replace("<head>", f"<head>{head}", 1)
    doc = doc.replace("</head>", f"<style>{CSS}</style></head>", 1)
    doc = doc.replace("<body>", f"<body>{top}", 1)
    cut = doc.rfind("</body>")
    return f'{doc[:cut]}<main class="site-body">{bottom}</main>{doc[cut:]}'


def index_page(groups: Sequence[tuple[str, Sequence[Link]]], intro: str, source: str) -> str:
    """The home page: every page of the site, by group."""
    parts = []
    for label, links in groups:
        if not links:
            continue
        items = "".join(f"<li>{_a('', link)}</li>" for link in links)
        parts.append(f"<section><h2>{safe.text(label)}</h2><ul>{items}</ul></section>")
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">{ICON}'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{safe.text(SITE_TITLE)}</title><style>{CSS}</style></head><body>"
        f'<header class="site-head"><h1>{safe.text(SITE_TITLE)}</h1>'
        f'<p class="site-sub">{safe.text(intro)}</p></header>'
        f'<main class="site-body">{"".join(parts)}<p class="site-foot">{safe.text(source)}</p></main>'
        "</body></html>"
    )


def link_list(title: str, root: str, links: Sequence[Link], empty: str = "aucun") -> str:
    """A titled list of links (« Fiches des adhérents de la région »)."""
    items = "".join(f"<li>{_a(root, link)}</li>" for link in links) or f"<li>{safe.text(empty)}</li>"
    return f"<h2>{safe.text(title)}</h2><ul>{items}</ul>"


# ---------------------------------------------------------------------------------- the fiche
def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return safe.text(value)


def table(
    title: str,
    rows: Sequence[dict[str, Any]],
    columns: dict[str, str],
    cell: Callable[[str, dict[str, Any]], str] | None = None,
    empty: str = "aucun",
) -> str:
    """A titled table of ``rows`` (one column per key of ``columns``, headed by its French name);
    ``cell(column, row)`` may give a cell's HTML itself (a link), else the value is escaped."""
    if not rows:
        return f"<h2>{safe.text(title)}</h2><p>{safe.text(empty)}</p>"
    head = "".join(f'<th scope="col">{safe.text(label)}</th>' for label in columns.values())
    body = []
    for r in rows:
        tds = "".join(f"<td>{(cell(c, r) if cell else None) or _cell(r.get(c))}</td>" for c in columns)
        body.append(f"<tr>{tds}</tr>")
    return f"<h2>{safe.text(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def figures_table(f: Fiche) -> str:
    """The key figures: one row per group and measure, one column per scope (French numbers)."""
    if not f.figures:
        return ""
    scopes: dict[str, str] = {}
    for r in f.figures:  # the scope's name alone (« Grenoble », « Rhône-Alpes », « France »)
        scopes.setdefault(r["scope"], str(r["name"]))
    head = '<th scope="col">Chiffre</th>' + "".join(f'<th scope="col">{safe.text(n)}</th>' for n in scopes.values())
    rows = []
    groups = dict.fromkeys((r["group"], r["label"]) for r in f.figures)
    for group, label in groups:
        part = {r["scope"]: r for r in f.figures if r["group"] == group}
        for col, name, dec in MEASURES:
            tds = "".join(f'<td class="n">{safe.text(_number(part.get(s, {}).get(col), dec))}</td>' for s in scopes)
            rows.append(f'<tr><th scope="row">{safe.text(f"{label} : {name}")}</th>{tds}</tr>')
    return f"<h2>Chiffres clés</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _number(v: Any, dec: int) -> str:
    return fmt.number(None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v), dec)


def fiche_body(f: Fiche, root: str, fiche_link: Callable[[str, str], Link | None]) -> str:
    """A territory's profile as HTML: what ``ui/fiche.py`` shows, as tables, each member linked to its page."""
    where = [x["name"] for x in (f.departement, f.region_2012) if x and x["code"] != f.code]
    lines = [f"<p><strong>{safe.text(f.level_label)}</strong></p>"]
    if where:
        lines.append(f"<p>Situé : {safe.text(' — '.join(where))}{' (région de 2012)' if f.region_2012 else ''}</p>")
    lines += [f"<p>{safe.text(t)}</p>" for t in (f.member_text, *f.notes)]
    lines.append(
        "<table><tbody>"
        f'<tr><th scope="row">Habitants</th><td class="n">{safe.text(fmt.number(f.population, 0))}</td></tr>'
        f'<tr><th scope="row">Surface</th><td class="n">{safe.text(fmt.number(f.area_km2, 1))} km²</td></tr>'
        f'<tr><th scope="row">Communes de 2012</th><td class="n">{safe.text(fmt.number(f.communes_2012, 0))}</td></tr>'
        "</tbody></table>"
    )
    lines.append(figures_table(f))

    def member_cell(col: str, r: dict[str, Any]) -> str:
        if col == "level":
            return safe.text(LEVELS.get(r["level"], r["level"]))
        link = fiche_link(r["level"], str(r["code"])) if col == "name" else None
        return f'<a href="{safe.text(root + link.path)}">{safe.text(r["name"])}</a>' if link else ""

    members = {"name": "Adhérent", "level": "Niveau", "couverture": "Couverture"}
    lines.append(table("Adhérents du RTES dont le territoire le couvre", f.members_covering, members, member_cell))
    lines.append(table("Adhérents situés dans ce territoire", f.members_in, members, member_cell))
    actors = {"name": "Acteur", "kind_label": "Type", "place_name": "Placé dans", "lieu": "Situé"}
    lines.append(table("Acteurs situés dans ce territoire", f.actors_in, {"name": "Acteur", "kind_label": "Type"}))
    lines.append(table("Acteurs situés plus largement (région, département…)", f.actors_wider, actors))
    if f.declared:
        lines.append(f"<p>Montants déclarés par ces relations : {safe.text(f.declared)}</p>")
    relations = {"sentence": "Relation", "amount_text": "Montant", "year": "Année", "status": "Statut"}
    relations |= {"quote": "Citation", "section": "Rubrique"}
    lines.append(table("Relations citées par la lettre", f.relations, relations, empty="aucune"))
    lines.append(f'<p class="site-foot">{safe.text(f"{f.sources} Fiche du {fmt.date(f.date)}.")}</p>')
    return "".join(lines)
