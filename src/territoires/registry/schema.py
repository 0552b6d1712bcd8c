"""What a registry record is. Codes are strings, always."""

from __future__ import annotations

import functools
from typing import Any

from territoires.registry import relations as rel

KINDS: dict[str, str] = {
    "rtes_member": "Collectivité adhérente du RTES",
    "rtes_board_member": "Administrateur·rice du RTES",
    "ptce_pole": "Pôle territorial de coopération économique (PTCE)",
    "ptce_project": "Projet de PTCE",
    "ples": "Pôle local d'économie solidaire (PLES)",
    "citeslab": "Dispositif CitésLab",
    "initiative": "Initiative ou entreprise de l'ESS",
    "regional_figure": "Chiffre donné pour un territoire entier",
    "event": "Rencontre ou journée",
    "network_office": "Siège du réseau",
    # A local authority the text names without it being a member, or an organisation (the Caisse
    # des Dépôts, the CNFPT…): one end of a relation (relations.csv), placed where the text puts it.
    "partner": "Partenaire cité (collectivité non adhérente, organisme)",
}

LEVELS: dict[str, str] = {
    "region": "Région (aujourd'hui)",
    "region_2012": "Région (2012)",
    "departement": "Département",
    "epci": "Intercommunalité (EPCI)",
    "commune": "Commune",
    "point": "Point",
    # Added for what the text needs: figures and events for all France, and
    # actors the text names without placing them (no place is invented).
    "national": "France entière",
    "none": "Non localisé",
}

# How precisely the text places the actor.
PRECISIONS: dict[str, str] = {
    "territoire": "l'acteur est ce territoire (une collectivité adhérente)",
    "point": "coordonnées",
    "commune": "dans cette commune",
    "epci": "dans cette intercommunalité, sans plus de précision",
    "departement": "dans ce département, sans plus de précision",
    "region": "dans cette région, sans plus de précision",
    "national": "à l'échelle nationale",
    "inconnue": "le texte ne le situe pas",
}

# The boundary store's level (``data/geo/<level>.parquet``) of each level that names a territory by its code.
STORE_LEVELS: dict[str, str] = {
    "commune": "communes",
    "epci": "epci",
    "departement": "departements",
    "region": "regions",
    "region_2012": "regions_2012",
}

CODE_PATTERN_BY_LEVEL: dict[str, str] = {
    "region": r"[0-9]{2}",
    "region_2012": r"[0-9]{2}",
    "departement": r"[0-9]{2}|2A|2B|97[0-9]",
    "epci": r"[0-9]{9}",
    "commune": r"[0-9][0-9AB][0-9]{3}",
    "point": r"[0-9][0-9AB][0-9]{3}",
    "national": r"FR",
}

# What a record is, beyond a place: the text may announce it or say it is under study (a building
# that « verra le jour fin 2013 », a pole that « est à l'étude »).  Empty: it exists.
# (The labels of figures.FIGURE_STATUSES, spelled here so that reading the schema never imports pydantic;
# a test keeps them equal.)
STATUSES: dict[str, str] = {"": "existant", "planned": "prévu", "studied": "à l'étude"}

# The levels an extra territory of ``places`` may have (``level:code``): those of the boundary store,
# and France.  A point, or « none », is a record's own place, never an extra one.
PLACE_LEVELS: tuple[str, ...] = (*STORE_LEVELS, "national")

# Columns that hold codes or text: read as strings, never as numbers.
# ``figures`` is a JSON list (territoires.registry.figures); ``places`` and ``represents`` are
# `;`-separated lists (territoires.registry.cells).
TEXT_COLUMNS = [
    "id",
    "kind",
    "name",
    "official_name",
    "level",
    "code",
    "places",
    "precision",
    "status",
    "role",
    "represents",
    "joined",
    "founded",
    "launched",
    "figures",
    "siren_2012",
    "successor_code",
    "successor_note",
    "commune",
    "website",
    "source_section",
    "source_quote",
    "notes",
]
BOOL_COLUMNS = ["new_member", "test_pole"]
NUMBER_COLUMNS = ["lon", "lat"]
# The one list of the registry's columns, in file order (the export follows it: registry.join).
COLUMNS = [
    "id",
    "kind",
    "name",
    "official_name",
    "level",
    "code",
    "places",
    "precision",
    "status",
    "new_member",
    "role",
    "represents",
    "test_pole",
    "joined",
    "founded",
    "launched",
    "figures",
    "siren_2012",
    "successor_code",
    "successor_note",
    "lon",
    "lat",
    "commune",
    "website",
    "source_section",
    "source_quote",
    "notes",
]

DATE = r"\d{4}(-\d{2}(-\d{2})?)?"
# No personal e-mail address or phone number in the shipped data.
# Bounded repetitions: unbounded ones backtrack quadratically on a long text without "@" (a 1 MB
# note took minutes). The lookbehind starts a try only where a run of address characters starts,
# so each character is looked at a bounded number of times (1 MB of digits: 0.02 s, was 0.9 s).
EMAIL = r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}\.[\w.]{1,63}"
PHONE = r"(?:\+33|0)\s?[1-9](?:[\s.-]?\d{2}){4}"


_SCHEMAS = ("ACTORS", "PERIMETERS", "ALIASES", "MERGERS", "EPT", "RELATIONS")


def _actors(pa: Any) -> Any:
    """The schema of ``actors.csv`` (``pa`` is pandera, imported by :func:`_schemas`)."""

    def _opt(dtype, *checks, **kw) -> pa.Column:
        return pa.Column(dtype, list(checks), nullable=True, required=True, **kw)

    return pa.DataFrameSchema(
        {
            "id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9][a-z0-9-]*$"), unique=True),
            "kind": pa.Column(str, pa.Check.isin(list(KINDS))),
            "name": pa.Column(str, pa.Check.str_length(1, 200)),
            "official_name": _opt(str),
            "level": pa.Column(str, pa.Check.isin(list(LEVELS))),
            "code": _opt(str),
            "places": _opt(str, pa.Check.str_length(1, 2000)),
            "precision": pa.Column(str, pa.Check.isin(list(PRECISIONS))),
            "status": _opt(str, pa.Check.isin([s for s in STATUSES if s])),
            "new_member": pa.Column(bool),
            "role": _opt(str),
            "represents": _opt(str),
            "test_pole": _opt("boolean"),
            "joined": _opt(str, pa.Check.str_matches(f"^{DATE}$")),
            "founded": _opt(str, pa.Check.str_matches(f"^{DATE}$")),
            "launched": _opt(str, pa.Check.str_matches(f"^{DATE}$")),
            "figures": _opt(str, pa.Check.str_length(2, 20_000)),  # parsed by the loader (figures.parse)
            "siren_2012": _opt(str, pa.Check.str_matches(r"^[0-9]{9}$")),
            "successor_code": _opt(str, pa.Check.str_matches(r"^[0-9]{9}$")),
            "successor_note": _opt(str),
            "lon": _opt(float, pa.Check.in_range(-180, 180)),
            "lat": _opt(float, pa.Check.in_range(-90, 90)),
            "commune": _opt(str, pa.Check.str_matches(r"^[0-9][0-9AB][0-9]{3}$")),
            "website": _opt(str, pa.Check.str_matches(r"^https?://\S+$")),
            "source_section": pa.Column(str, pa.Check.str_length(3, 200)),
            "source_quote": pa.Column(str, pa.Check.str_length(3, 400)),
            "notes": _opt(str),
        },
        strict=True,
        ordered=False,
        name="actors",
    )


@functools.cache
def _schemas() -> dict[str, Any]:
    """The pandera schemas, built on first use: pandera takes 0.2 s to import, and a start from the
    snapshot (``territoires.snapshot``) or a page that only reads the constants above never needs it."""
    import pandera.pandas as pa

    def commune() -> pa.Check:
        return pa.Check.str_matches(f"^{CODE_PATTERN_BY_LEVEL['commune']}$")

    PERIMETERS = pa.DataFrameSchema(
        {
            "siren_2012": pa.Column(str, pa.Check.str_matches(r"^[0-9]{9}$")),
            "nom_2012": pa.Column(str),
            "commune_2012": pa.Column(str, commune()),
            "nom_commune_2012": pa.Column(str),
            "commune": pa.Column(str, commune()),
        },
        strict=True,
        unique=["siren_2012", "commune_2012"],
        name="perimetres_2012",
    )
    ALIASES = pa.DataFrameSchema(
        {
            "name": pa.Column(str),
            "dep": pa.Column(
                str, pa.Check.str_matches(f"^({CODE_PATTERN_BY_LEVEL['departement']})$"), nullable=True, required=True
            ),
            "code": pa.Column(str, commune()),
            "reason": pa.Column(str),
        },
        strict=True,
        name="alias_communes",
    )
    MERGERS = pa.DataFrameSchema(
        {
            "code_2012": pa.Column(str, commune(), unique=True),
            "nom_2012": pa.Column(str),
            "code": pa.Column(str, commune()),
            "reason": pa.Column(str),
        },
        strict=True,
        name="fusions_communes",
    )
    # The établissements publics territoriaux of the Grand Paris (reference table, scripts/make_ept.py):
    # today's successors of some 2012 intercommunalities, absent from the EPCI layer.
    commune_code = f"({CODE_PATTERN_BY_LEVEL['commune']})"
    EPT = pa.DataFrameSchema(
        {
            "siren": pa.Column(str, pa.Check.str_matches(r"^2[0-9]{8}$"), unique=True),
            "nom": pa.Column(str, pa.Check.str_length(1, 200)),
            "communes": pa.Column(str, pa.Check.str_matches(rf"^{commune_code}( {commune_code})*$")),
        },
        strict=True,
        name="ept",
    )
    return {
        "ACTORS": _actors(pa),
        "PERIMETERS": PERIMETERS,
        "ALIASES": ALIASES,
        "MERGERS": MERGERS,
        "EPT": EPT,
        "RELATIONS": _relations(pa),
    }


def _relations(pa: Any) -> Any:
    """The schema of ``relations.csv`` (its vocabulary: territoires.registry.relations)."""

    def _opt(dtype, *checks) -> pa.Column:
        return pa.Column(dtype, list(checks), nullable=True, required=True)

    ident = pa.Check.str_matches(r"^[a-z0-9][a-z0-9-]*$")
    return pa.DataFrameSchema(
        {
            "id": pa.Column(str, ident, unique=True),
            "from_id": pa.Column(str, ident),
            "to_id": pa.Column(str, ident),
            "type": pa.Column(str, pa.Check.isin(list(rel.TYPES))),
            "amount": _opt(float, pa.Check.ge(0)),
            "unit": _opt(str, pa.Check.str_length(1, 40)),
            "amount_kind": _opt(str, pa.Check.isin(list(rel.AMOUNT_KINDS))),
            "amount_label": _opt(str, pa.Check.str_length(1, 200)),
            "year": _opt(str, pa.Check.str_matches(r"^\d{4}(-\d{2}(-\d{2})?)?(-\d{4})?$")),
            "status": pa.Column(str, pa.Check.isin(list(rel.STATUSES))),
            "source_section": pa.Column(str, pa.Check.str_length(3, 200)),
            "source_quote": pa.Column(str, pa.Check.str_length(3, 600)),
            "notes": _opt(str),
        },
        strict=True,
        ordered=False,
        name="relations",
    )


def __getattr__(name: str) -> Any:
    """``schema.ACTORS`` and the other schemas, built on first access."""
    if name in _SCHEMAS:
        return _schemas()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
