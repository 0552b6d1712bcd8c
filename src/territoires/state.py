"""What the user is looking at: filters, layers and framing, as data that round-trips the URL.

No streamlit here: the pages read widgets into a :class:`MapState`, and
:func:`to_query` / :func:`from_query` make it a shareable link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date

from territoires.registry.relations import TYPES as RELATION_TYPES
from territoires.registry.schema import KINDS

MAP_KINDS = (
    "ptce_pole",
    "ptce_project",
    "ples",
    "citeslab",
    "initiative",
    "event",
    "network_office",
    "rtes_board_member",
    "partner",
)
DEFAULT_KINDS = ("ptce_pole", "ptce_project", "ples", "citeslab", "initiative")
MEMBER_LEVELS = ("region_2012", "departement", "epci", "commune")
LAYERS = ("departements", "epci", "communes")  # communes: of the selected régions only
STATISTICS = ("", "count", "per_million", "per_10k_km2", "share", "location_quotient")
METHODS = ("quantiles", "jenks", "equal_interval")
FRAMINGS = ("auto", "metropole", "971", "972", "973", "974", "976")
YEARS = (1996, 2012)


@dataclass(frozen=True)
class RegionSystem:
    """The régions of 2012 (22 + 5) or of today: which boundary level, column and grouping they use."""

    key: str  # "2012" | "2016"
    level: str  # boundary level: "regions_2012" | "regions"
    column: str  # the région column of communes, départements and placed records
    by: str  # statistics grouping and registry level: "region_2012" | "region"
    label: str  # name of the boundary layer


SYSTEMS = {
    "2012": RegionSystem("2012", "regions_2012", "reg_2012", "region_2012", "Régions de 2012"),
    "2016": RegionSystem("2016", "regions", "reg", "region", "Régions (2016)"),
}


@dataclass(frozen=True)
class MapState:
    """Everything that decides what the map, the tables and the exports show."""

    system: str = "2012"  # régions of 2012, or of today ("2016")
    regions: tuple[str, ...] = ()  # selected régions (codes in ``system``); () = all
    kinds: tuple[str, ...] = DEFAULT_KINDS
    members: bool = True
    levels: tuple[str, ...] = MEMBER_LEVELS
    test_only: bool = False
    year: int = 2012
    layers: tuple[str, ...] = ("departements",)
    communes_of: str = ""  # a département code: show its communes
    statistic: str = ""  # choropleth statistic ("" = none)
    stat_kind: str = "ptce_pole"
    method: str = "quantiles"
    classes: int = 5
    framing: str = "auto"
    presentation: bool = False
    place: str = ""  # searched place: "commune:01001", "commune2012:50602" (a commune of 2012) or "epci:200000172"
    as_of: str = ""  # YYYY-MM-DD: the registry as it was that day ("" = today)
    links: tuple[str, ...] = tuple(RELATION_TYPES)  # relation types drawn (« Coopérations »); () = none

    def validated(self) -> MapState:
        """A copy with every value in its allowed set (unknown values dropped or defaulted)."""
        d = MapState()
        return replace(
            self,
            system=self.system if self.system in ("2012", "2016") else d.system,
            regions=tuple(r for r in self.regions if r.isalnum() and len(r) <= 3),
            kinds=tuple(k for k in self.kinds if k in MAP_KINDS),
            levels=tuple(lv for lv in self.levels if lv in MEMBER_LEVELS),
            year=min(max(self.year, YEARS[0]), YEARS[1]),
            layers=tuple(x for x in self.layers if x in LAYERS),
            communes_of=self.communes_of if self.communes_of.isalnum() and len(self.communes_of) <= 3 else "",
            statistic=self.statistic if self.statistic in STATISTICS else "",
            stat_kind=self.stat_kind
            if self.stat_kind in KINDS and self.stat_kind != "regional_figure"
            else d.stat_kind,
            method=self.method if self.method in METHODS else d.method,
            classes=min(max(self.classes, 2), 7),
            framing=self.framing if self.framing in FRAMINGS else d.framing,
            place=self.place if _valid_place(self.place) else "",
            as_of=self.as_of if valid_as_of(self.as_of) else "",
            # In the vocabulary's order, each once: one set of types gives one URL.
            links=tuple(t for t in RELATION_TYPES if t in self.links),
        )

    @property
    def region_system(self) -> RegionSystem:
        """The région system of the state: the one place that tells 2012 from today's régions."""
        return SYSTEMS.get(self.system, SYSTEMS["2012"])

    @property
    def by(self) -> str:
        """The statistics grouping that matches the région system."""
        return self.region_system.by

    @property
    def scale(self) -> str:
        """The display scale of the geometries: regional detail when the view is narrowed."""
        return "region" if (self.regions or self.communes_of) else "france"


def valid_as_of(value: str) -> bool:
    """A real past (or today's) date written AAAA-MM-JJ in ASCII digits: « 2012-06-01 »."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value or ""):  # [0-9], not \d: no other script's digits
        return False
    try:
        return date.fromisoformat(value) <= date.today()
    except ValueError:  # 2012-13-45, 9999-99-99
        return False


# « 31/08/2012 », « 1/8/2012 », « 31-08-2012 », « 31.08.2012 »: day first, as French officials write it.
_FRENCH_DATE = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def _typed_date(text: str) -> date | None:
    """The real calendar day a text writes (past or future), or ``None``."""
    if m := _ISO_DATE.fullmatch(text):
        y, mo, d = m.groups()
    elif m := _FRENCH_DATE.fullmatch(text):
        d, mo, y = m.groups()
    else:
        return None
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:  # 31/02, month 13
        return None


def parse_date_fr(text: str) -> str | None:
    """A typed date as AAAA-MM-JJ: « 31/08/2012 » or « 2012-08-31 » → ``"2012-08-31"``.

    ``""`` for an empty box (today's registry); ``None`` when the text is no real past date
    (« 2012-13-45 », « 31/02/2012 », a future day): :func:`as_of_problem` says why, in French.
    """
    text = (text or "").strip()
    if not text:
        return ""
    day = _typed_date(text)
    return day.isoformat() if day is not None and day <= date.today() else None


def as_of_problem(text: str) -> str:
    """Why a typed « registre au » date is refused, in French (``""`` when it is understood)."""
    text = (text or "").strip()
    if parse_date_fr(text) is not None:
        return ""
    shown = text[:40]
    if _typed_date(text) is not None:  # a real day, but to come
        why = f"« {shown} » est une date à venir : le registre n'existe qu'aux dates passées."
    else:
        why = f"« {shown} » n'est pas une date valide : écrire par exemple 31/08/2012 ou 2012-08-31."
    return f"{why} Le registre d'aujourd'hui est affiché."


# The levels a territory's profile (« fiche ») exists at, with their French names.
FICHE_LEVELS: dict[str, str] = {
    "commune": "Commune",
    "epci": "Intercommunalité (EPCI)",
    "departement": "Département",
    "region": "Région (aujourd'hui)",
    "region_2012": "Région (2012)",
}


def parse_fiche_key(value: object) -> tuple[str, str] | None:
    """``commune:38185`` → (level, code) if well formed (a level of :data:`FICHE_LEVELS`, an ASCII
    alphanumeric code of 1 to 9 characters), else None: links and files are their writers' to write."""
    if not isinstance(value, str) or value.count(":") != 1:
        return None
    level, code = value.split(":")
    if level not in FICHE_LEVELS or not code.isascii() or not code.isalnum() or not 1 <= len(code) <= 9:
        return None
    return level, code


def _valid_place(p: str) -> bool:
    if not p:
        return True
    kind, _, code = p.partition(":")
    return kind in ("commune", "commune2012", "epci") and code.isalnum() and len(code) <= 9


# URL parameter name for each field (short, French).
PARAMS = {
    "system": "regions_de",
    "regions": "region",
    "kinds": "acteurs",
    "members": "adherents",
    "levels": "niveaux",
    "test_only": "temoins",
    "year": "annee",
    "layers": "couches",
    "communes_of": "communes",
    "statistic": "densite",
    "stat_kind": "densite_de",
    "method": "classes",
    "classes": "nb_classes",
    "framing": "cadrage",
    "presentation": "presentation",
    "place": "lieu",
    "as_of": "au",
    "links": "cooperations",
}


def to_query(state: MapState) -> dict[str, str]:
    """The non-default fields as URL query parameters."""
    d = MapState()
    out: dict[str, str] = {}
    for f in fields(MapState):
        v = getattr(state, f.name)
        if v == getattr(d, f.name):
            continue
        if isinstance(v, tuple):
            out[PARAMS[f.name]] = ",".join(v) if v else "-"
        elif isinstance(v, bool):
            out[PARAMS[f.name]] = "1" if v else "0"
        else:
            out[PARAMS[f.name]] = str(v)
    return out


def from_query(query: dict[str, str | list[str]]) -> MapState:
    """A validated :class:`MapState` from URL query parameters (bad values fall back to defaults)."""
    d = MapState()
    kwargs = {}
    for f in fields(MapState):
        raw = query.get(PARAMS[f.name])
        if raw is None:
            continue
        if isinstance(raw, list):
            raw = raw[-1] if raw else ""
        raw = str(raw)[:500]
        default = getattr(d, f.name)
        if isinstance(default, tuple):
            kwargs[f.name] = () if raw in ("", "-") else tuple(x for x in raw.split(",") if x)
        elif isinstance(default, bool):
            kwargs[f.name] = raw in ("1", "true", "oui")
        elif isinstance(default, int):
            try:
                kwargs[f.name] = int(raw)
            except ValueError:
                continue
        else:
            kwargs[f.name] = raw
    return MapState(**kwargs).validated()
