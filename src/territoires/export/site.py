"""``territoires export site``: a static website any web server or CDN can serve, no Python behind it.

One page per région (of 2012 and of today), per slide of a storyboard and per member territory
(its fiche), each with its Leaflet map; an index linking them all. Leaflet and its friends are
copied once into ``assets/`` (not inlined: a hundred pages would each carry 1 MB); every link is
relative, so the site works under any base path and from ``file://``.

The site is built in a temporary sibling directory, then put in place in one rename: a reader never
sees half a site, and on any error the previous one is left as it was.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from territoires import assets, safe
from territoires.errors import TerritoiresError
from territoires.export import sitedir
from territoires.export import sitepages as html
from territoires.export.html import EXTERNAL
from territoires.export.sitepages import Link
from territoires.fiche import LEVELS as FICHE_LEVELS
from territoires.fiche import Territory, fiche, territory
from territoires.fiche_view import map_state
from territoires.registry.resolve import normalize
from territoires.selection import source_line
from territoires.state import SYSTEMS, MapState
from territoires.storyboard import Storyboard
from territoires.webmap.compose import build_map
from territoires.webmap.geometry import GeometryCache

MAP_HEIGHT = "70vh"
GROUPS = {
    "diaporama": "Le diaporama",
    "regions_2012": "Régions de 2012",
    "regions": "Régions d'aujourd'hui",
    "fiches": "Fiches des territoires adhérents",
}
# A fiche's level in its link (« Grenoble — commune, Isère »), in words (no « EPCI » code).
_NOUNS = {
    "commune": "commune",
    "epci": "intercommunalité",
    "departement": "département",
    "region": "région",
    "region_2012": "région de 2012",
}
_FICHE_ORDER = {"region_2012": 0, "region": 0, "departement": 1, "epci": 2, "commune": 3}
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_]{1,20}$")  # a level or a code in a file name
# « Voir la fiche » in a popup leads to the dashboard's page (../../fiche?fiche=level:code), written
# inside the map's script: its quotes may be escaped (\") and its brackets written \u003c / \u003e.
_FICHE_LINK = re.compile(
    r'class=(\\?")terr-fiche\1(\\u003e|>)(\\u003c|<)a href=\1\.\./\.\./fiche\?fiche=([a-z_0-9]+):([A-Za-z0-9]+)\1'
    r" target=\1_blank\1"
)

Progress = Callable[[int, int], None]


@dataclass
class SitePage:
    """A page of the site: where it is written, its group, its name in links, and what it shows."""

    path: str  # from the site's root, e.g. "regions-2012/82.html"
    group: str  # a key of GROUPS
    label: str  # plain text: escaped when written
    state: MapState
    subtitle: str = ""
    fiche: tuple[str, str] | None = None  # a fiche page, or a slide that is a fiche
    region: tuple[str, str] | None = None  # (system, code) of a région page


@dataclass(frozen=True)
class SiteReport:
    """What ``write_site`` wrote."""

    output: Path
    pages: int  # HTML pages, the index included
    bytes: int  # the whole site, assets included
    seconds: float
    skipped: tuple[str, ...] = field(default=())  # member territories with no fiche (unknown codes)


# ---------------------------------------------------------------------------------- the plan
def member_territories(cache: GeometryCache) -> tuple[list[Territory], list[str]]:
    """The territories of the RTES members (one per level and code), and the members placed on none."""
    p = cache.ds.placed
    members = p[(p["kind"] == "rtes_member") & p["level"].isin(list(FICHE_LEVELS))]
    found, skipped = [], []
    for level, code in dict.fromkeys(zip(members["level"], members["code"].astype(str), strict=True)):
        try:
            found.append(territory(cache.ds, level, code))
        except TerritoiresError:
            skipped.append(f"{level}:{code}")
    found.sort(key=lambda t: (_FICHE_ORDER.get(t.level, 9), normalize(t.name), t.code))
    return found, skipped


def _fiche_label(t: Territory) -> str:
    """« Saint-Martin — commune, Corse-du-Sud »: a name, its level, and where it lies (homonyms apart)."""
    where = (t.departement or {}).get("name") if t.level in ("commune", "epci") else None
    level = _NOUNS[t.level]
    return f"{t.name} — {level}, {where}" if where else f"{t.name} — {level}"


def _file(*parts: str) -> str:
    if not all(_SAFE_NAME.match(p) for p in parts):  # codes come from data: never a path of their own
        raise TerritoiresError(f"Code inattendu dans un nom de page : « {'-'.join(parts)[:60]} ».")
    return "-".join(parts) + ".html"


def plan(cache: GeometryCache, storyboard: Storyboard | None) -> tuple[list[SitePage], list[str]]:
    """Every page of the site, in the index's order; and the member territories left without a fiche."""
    ds = cache.ds
    territories, skipped = member_territories(cache)
    pages: list[SitePage] = []
    for i, slide in enumerate(storyboard.slides if storyboard else [], 1):
        state = replace(slide.state, presentation=False)  # a page to browse: zoom buttons, keyboard
        key = None
        if slide.fiche:
            level, _, code = slide.fiche.partition(":")
            state, key = _fiche_map(cache, level, code), (level, code)
        pages.append(SitePage(f"diaporama/{i:02d}.html", "diaporama", f"{i}. {slide.title}", state, slide.figure, key))
    for system, group, folder in (("2012", "regions_2012", "regions-2012"), ("2016", "regions", "regions")):
        table = ds.levels[SYSTEMS[system].level]
        rows = zip(table["code"].astype(str), table["nom"].astype(str), strict=True)
        for code, name in sorted(rows, key=lambda r: normalize(r[1])):
            state = MapState(system=system, regions=(code,))
            pages.append(SitePage(f"{folder}/{_file(code)}", group, name, state, region=(system, code)))
    for t in territories:
        state = map_state(ds, t.level, t.code)
        label = _fiche_label(t)
        pages.append(SitePage(f"fiches/{_file(t.level, t.code)}", "fiches", label, state, fiche=(t.level, t.code)))
    return pages, skipped


def _fiche_map(cache: GeometryCache, level: str, code: str) -> MapState:
    """A slide's fiche map; the map of France for a territory not in this data (the slide says which)."""
    try:
        return map_state(cache.ds, level, code)
    except TerritoiresError:
        return MapState()


# ---------------------------------------------------------------------------------- the pages
class _Site:
    """The pages being written, and how each finds the others."""

    def __init__(self, cache: GeometryCache, pages: list[SitePage]):
        self.cache = cache
        self.pages = pages
        self.fiches = {p.fiche: p for p in pages if p.group == "fiches" and p.fiche}

    def fiche_link(self, level: str, code: str) -> Link | None:
        page = self.fiches.get((level, code))
        return Link(page.path, page.label) if page else None

    def neighbours(self, page: SitePage) -> tuple[Link | None, Link | None]:
        same = [p for p in self.pages if p.group == page.group]
        i = same.index(page)
        prev = same[i - 1] if i > 0 else None
        nxt = same[i + 1] if i + 1 < len(same) else None
        return tuple(Link(p.path, p.label) if p else None for p in (prev, nxt))  # type: ignore[return-value]


def offline(document: str, root: str, fiche_link: Callable[[str, str], Link | None], where: str) -> str:
    """A map document that fetches nothing outside the site: assets from ``assets/``, « Voir la fiche »
    to the fiche's page (hidden where there is none); a French error if anything external is left."""
    document = document.replace(f'"{assets.URL_PREFIX}/', f'"{root}assets/')

    def link(m: re.Match) -> str:
        q, gt, lt, level, code = m.groups()
        target = fiche_link(level, code)
        if target is None:  # a partner's territory: no page of its own in this site
            return m.group(0).replace("terr-fiche", "terr-fiche terr-sans-fiche", 1)
        return f"class={q}terr-fiche{q}{gt}{lt}a href={q}{root}{target.path}{q} target={q}_self{q}"

    document = _FICHE_LINK.sub(link, document)
    if f'"{assets.URL_PREFIX}/' in document or re.search(r'href=\\?"\.\./\.\./fiche\?', document):
        raise TerritoiresError(f"Lien vers le tableau de bord resté dans la page {where}.", todo=_BUG)
    if EXTERNAL.search(document):
        raise TerritoiresError(f"Une ressource externe subsiste dans la page {where}.", todo=_BUG)
    return document


_BUG = "signaler ce défaut aux responsables de Territoires (le site n'a pas été écrit)."


def map_page(site: _Site, page: SitePage) -> str:
    """A région's or a slide's page: heading, navigation, the map, the members' fiches it holds."""
    root = "../"
    prev, nxt = site.neighbours(page)
    top = html.head_block(html.navigation(root, GROUPS[page.group], prev, nxt), page.label, page.subtitle)
    doc = build_map(site.cache, page.state, height=MAP_HEIGHT).get_root().render()
    doc = offline(doc, root, site.fiche_link, page.path)
    if page.fiche:
        bottom = fiche_page_body(site, page)
    elif page.region:
        bottom = _region_members(site, page)
    else:
        bottom = ""
    if not page.fiche:  # a fiche says its sources and date itself
        bottom += f'<p class="site-foot">{safe.text(source_line(site.cache.ds))}</p>'
    return html.map_page(doc, title=page.label, top=top, bottom=bottom)


def fiche_page_body(site: _Site, page: SitePage) -> str:
    """The fiche's tables (a slide that is a fiche links to the fiche's own page too)."""
    level, code = page.fiche or ("", "")
    f = fiche(site.cache.ds, level, code)
    own = site.fiche_link(level, code)
    see = ""
    if page.group != "fiches" and own is not None:
        see = f'<p><a href="../{safe.text(own.path)}">Voir la fiche de {safe.text(f.name)}</a></p>'
    return see + html.fiche_body(f, "../", site.fiche_link)


def _region_members(site: _Site, page: SitePage) -> str:
    """The fiches of the members that lie in the région."""
    system, code = page.region or ("", "")
    col = SYSTEMS[system].column
    p = site.cache.ds.placed
    members = p[(p["kind"] == "rtes_member") & (p[col] == code)] if col in p.columns else p.iloc[:0]
    keys = dict.fromkeys(zip(members["level"], members["code"].astype(str), strict=True))
    links = [link for key in keys if (link := site.fiche_link(*key)) is not None]
    links.sort(key=lambda link: [q.path for q in site.pages].index(link.path))
    return html.link_list("Fiches des adhérents situés dans la région", "../", links)


def index_page(site: _Site) -> str:
    """The home page: every page, by group."""
    groups = [(label, [Link(p.path, p.label) for p in site.pages if p.group == g]) for g, label in GROUPS.items()]
    intro = (
        "Le réseau des collectivités territoriales pour une économie solidaire (RTES) et les acteurs de la "
        "coopération territoriale, d'après la lettre Transversales de l'automne 2012 : le diaporama, une carte "
        "par région et une fiche par territoire adhérent."
    )
    return html.index_page(groups, intro, source_line(site.cache.ds))


# ---------------------------------------------------------------------------------- writing
def write_site(
    cache: GeometryCache, output: Path, *, storyboard: Storyboard | None, progress: Progress | None = None
) -> SiteReport:
    """Write the static site into the directory ``output``, replacing a previous site in one rename.

    ``output`` must be new, empty or a site this function wrote: anything else is refused with a
    French error before any work. On any error the temporary directory is removed and ``output`` is
    left as it was. ``progress(done, total)`` is called after each page.
    """
    t0 = time.perf_counter()
    output = sitedir.target(output)
    sitedir.previous_site(output)  # before any work: a refused directory is not touched
    pages, skipped = plan(cache, storyboard)
    try:
        tmp = sitedir.temporary(output)
    except OSError as exc:
        raise sitedir.cannot_write(exc, output) from exc
    try:
        _write_pages(cache, pages, tmp, progress)
        total = sitedir.size(tmp)
        sitedir.previous_site(output)  # still a directory this command may replace
        sitedir.put_in_place(tmp, output)
    except OSError as exc:
        raise sitedir.cannot_write(exc, output) from exc
    finally:
        sitedir.remove(tmp)  # the build given up, or the site replaced
    return SiteReport(output, len(pages) + 1, total, time.perf_counter() - t0, tuple(skipped))


def _write_pages(cache: GeometryCache, pages: list[SitePage], tmp: Path, progress: Progress | None) -> None:
    """Every page, the index, the assets and the marker, into ``tmp``."""
    site = _Site(cache, pages)
    for folder in {Path(p.path).parent for p in pages}:
        (tmp / folder).mkdir(parents=True, exist_ok=True)
    for i, page in enumerate(pages, 1):
        (tmp / page.path).write_text(map_page(site, page), encoding="utf-8")
        if progress is not None:
            progress(i, len(pages) + 1)
    (tmp / "index.html").write_text(index_page(site), encoding="utf-8")
    assets.install(tmp / "assets")
    (tmp / sitedir.MARKER).write_text(
        "Site statique écrit par « territoires export site » : ce dossier peut être remplacé par la commande.\n",
        encoding="utf-8",
    )
    if progress is not None:
        progress(len(pages) + 1, len(pages) + 1)
