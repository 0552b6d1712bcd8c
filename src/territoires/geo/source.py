"""The one shape every upstream boundary source is turned into before the build."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from territoires.errors import DataFileError, sample

COMMUNE_COLUMNS = ["code", "nom", "dep", "reg", "epci", "population", "geometry"]
PART_COLUMNS = ["code", "nom", "type", "parent", "population", "geometry"]


@dataclass
class SourceLayers:
    """Normalised upstream data, before any repair.

    - ``communes``: one row per commune (COG ``type == COM``); ``geometry`` may be
      missing where the source has no outline; ``epci`` is a SIREN or missing.
    - ``parts``: sub-communal units (``COMD``, ``COMA``, ``ARM``) with ``parent``,
      the code of their commune; used to rebuild missing outlines and to draw the
      arrondissements of Paris, Lyon and Marseille.
    - ``epci``, ``departements``, ``regions``: names (and EPCI nature).
    - ``meta``: provenance (source, vintage, licence, url, input checksums).
    """

    communes: gpd.GeoDataFrame
    parts: gpd.GeoDataFrame
    epci: pd.DataFrame
    departements: pd.DataFrame
    regions: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    # parents of sub-communal units that have no outline: communes that absorbed
    # others recently, which is what a gap next to them most likely is.
    merged_parents: frozenset[str] = frozenset()
    # the communes of 2012 (a ``communes_2012.Cog2012``); None: the committed table in data/geo/sources
    cog_2012: Any = None

    def validate(self, where: str) -> None:
        """Check the shape and the codes; raise a ``DataFileError`` naming ``where``."""
        _require(self.communes, COMMUNE_COLUMNS, where, "communes")
        _require(self.parts, PART_COLUMNS, where, "parts")
        _require(self.epci, ["code", "nom"], where, "epci")
        _require(self.departements, ["code", "nom", "reg"], where, "departements")
        _require(self.regions, ["code", "nom"], where, "regions")
        c = self.communes
        bad = c.loc[~c["code"].astype(str).str.fullmatch(r"(\d\d|2A|2B)\d{3}"), "code"]
        if len(bad):
            raise DataFileError(
                f"Codes INSEE de commune invalides (colonne 'code') : {sample(bad)}",
                where=where,
                todo="vérifier la source ; un code commune a 5 caractères (ex. 01001, 2A004).",
            )
        dup = c.loc[c["code"].duplicated(), "code"]
        if len(dup):
            raise DataFileError(
                f"Codes de commune en double (colonne 'code') : {sample(dup)}",
                where=where,
                todo="vérifier la source : une commune ne doit y figurer qu'une fois.",
            )
        unknown_dep = set(c["dep"]) - set(self.departements["code"])
        if unknown_dep:
            raise DataFileError(
                f"Départements inconnus (colonne 'dep') : {sample(sorted(unknown_dep))}",
                where=where,
                todo="vérifier la table des départements de la source.",
            )
        known_epci = set(self.epci["code"])
        unknown_epci = set(c["epci"].dropna()) - known_epci
        if unknown_epci:
            raise DataFileError(
                f"EPCI inconnus (colonne 'epci') : {sample(sorted(unknown_epci))}",
                where=where,
                todo="vérifier la table des EPCI de la source.",
            )


def _require(df: pd.DataFrame, cols: list[str], where: str, table: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataFileError(
            f"Colonnes manquantes dans la table {table} : {sample(missing)}",
            where=where,
            todo="la source n'a pas le format attendu ; vérifier son édition.",
        )
