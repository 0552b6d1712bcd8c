"""Adapter for IGN ADMIN EXPRESS COG CARTO, editions 3.x (shapefiles) and 4.x.

Edition 3.x names its columns ``INSEE_COM``, ``SIREN_EPCI``, ``INSEE_DEP``,
``INSEE_REG``; edition 4.x ``code_insee``, ``codes_siren_des_epci`` (two EPCIs
separated by '/'), ``code_insee_du_departement``, ``code_insee_de_la_region``.
Both are read into the same :class:`SourceLayers` and go through the same build.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from territoires.errors import DataFileError, sample
from territoires.geo.source import SourceLayers
from territoires.io.reading import reading

# field -> candidate column names, edition 3.x first, then 4.x.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "commune": {
        "code": ("INSEE_COM", "code_insee"),
        "nom": ("NOM", "nom_officiel"),
        "dep": ("INSEE_DEP", "code_insee_du_departement"),
        "reg": ("INSEE_REG", "code_insee_de_la_region"),
        "epci": ("SIREN_EPCI", "codes_siren_des_epci"),
        "population": ("POPULATION", "population"),
    },
    "epci": {
        "code": ("CODE_SIREN", "code_siren"),
        "nom": ("NOM", "nom_officiel"),
        "nature": ("NATURE", "nature"),
    },
    "departement": {
        "code": ("INSEE_DEP", "code_insee"),
        "nom": ("NOM", "nom_officiel"),
        "reg": ("INSEE_REG", "code_insee_de_la_region"),
    },
    "region": {"code": ("INSEE_REG", "code_insee"), "nom": ("NOM", "nom_officiel")},
    "arrondissement_municipal": {
        "code": ("INSEE_ARM", "code_insee"),
        "nom": ("NOM", "nom_officiel"),
        "parent": ("INSEE_COM", "code_insee_de_la_commune_de_rattachement"),
        "population": ("POPULATION", "population"),
    },
}
OPTIONAL = {"population", "nature"}


def find_layers(root: Path) -> dict[str, tuple[Path, str | None]]:
    """Locate the layers in an extracted archive: shapefiles or a GeoPackage/GeoParquet."""
    found: dict[str, tuple[Path, str | None]] = {}
    for path in sorted(root.rglob("*")):
        suffix = path.suffix.lower()
        if suffix == ".shp" or suffix == ".parquet":
            name = path.stem.lower()
            if name in COLUMNS and name not in found:
                found[name] = (path, None)
        elif suffix == ".gpkg":
            for layer, _ in pyogrio.list_layers(path):
                name = str(layer).lower()
                if name in COLUMNS and name not in found:
                    found[name] = (path, str(layer))
    if "commune" not in found:
        raise DataFileError(
            "Couche COMMUNE introuvable dans l'archive ADMIN EXPRESS.",
            where=root,
            todo="vérifier que l'archive est bien ADMIN-EXPRESS-COG-CARTO (édition 3.x ou 4.x).",
        )
    return found


def _read(path: Path, layer: str | None, kind: str, geometry: bool) -> pd.DataFrame:
    with reading(f"Couche {kind} illisible", path, "relancer « territoires geo fetch » pour retélécharger l'archive."):
        if path.suffix.lower() == ".parquet":
            df = gpd.read_parquet(path)
        else:
            df = gpd.read_file(path, layer=layer, engine="pyogrio", read_geometry=geometry)
    spec = COLUMNS[kind]
    out = {}
    for field, candidates in spec.items():
        col = next((c for c in candidates if c in df.columns), None)
        if col is None:
            if field in OPTIONAL:
                continue
            raise DataFileError(
                f"Colonne '{field}' introuvable dans la couche {kind} "
                f"(cherchée : {', '.join(candidates)} ; présentes : {sample(df.columns, 12)}).",
                where=path,
                todo="vérifier l'édition de l'archive ADMIN EXPRESS.",
            )
        out[field] = df[col]
    frame = pd.DataFrame(out)
    for field in ("code", "dep", "reg", "parent", "epci"):
        if field in frame:
            # Codes are strings: '01001', '2A004' (a shapefile may give numbers).
            frame[field] = frame[field].astype("string").str.strip()
    if geometry:
        gdf = gpd.GeoDataFrame(frame, geometry=df.geometry.to_numpy(), crs=df.crs)
        if gdf.crs is None:
            raise DataFileError(
                f"Couche {kind} sans système de coordonnées.",
                where=path,
                todo="vérifier que le fichier .prj accompagne le .shp.",
            )
        return gdf.to_crs("EPSG:4326")
    return frame


def _first_siren(value: object) -> object:
    """'200000172' -> itself; '200000172/200000438' -> the first; 'NC', '' -> missing."""
    if value is None or pd.isna(value):
        return pd.NA
    first = str(value).split("/")[0].strip()
    return first if first.isdigit() and len(first) == 9 else pd.NA


def load(root: Path, meta: dict | None = None) -> SourceLayers:
    """Read an extracted ADMIN EXPRESS COG CARTO archive into :class:`SourceLayers`."""
    layers = find_layers(Path(root))
    path, layer = layers["commune"]
    com = _read(path, layer, "commune", geometry=True)
    com["epci"] = com["epci"].map(_first_siren).astype("string")
    if "population" in com:
        com["population"] = pd.to_numeric(com["population"], errors="coerce").astype("Int64")
    else:
        com["population"] = pd.array([pd.NA] * len(com), dtype="Int64")

    def table(kind: str, fallback: pd.DataFrame) -> pd.DataFrame:
        if kind in layers:
            p, lyr = layers[kind]
            return _read(p, lyr, kind, geometry=False)
        return fallback

    epci = table("epci", pd.DataFrame({"code": sorted(com["epci"].dropna().unique())}))
    epci = epci[epci["code"].str.fullmatch(r"\d{9}", na=False)].drop_duplicates("code")
    if "nom" not in epci:
        epci["nom"] = epci["code"]
    if "nature" not in epci:
        epci["nature"] = ""
    dep_fallback = com[["dep", "reg"]].drop_duplicates("dep").rename(columns={"dep": "code"})
    dep = table("departement", dep_fallback.assign(nom=dep_fallback["code"]))
    reg = table("region", pd.DataFrame({"code": sorted(com["reg"].unique())}).assign(nom=lambda d: d["code"]))
    if "arrondissement_municipal" in layers:
        p, lyr = layers["arrondissement_municipal"]
        arm = _read(p, lyr, "arrondissement_municipal", geometry=True)
        arm["type"] = "ARM"
        if "population" not in arm:
            arm["population"] = pd.NA
        arm["population"] = pd.to_numeric(arm["population"], errors="coerce").astype("Int64")
    else:
        arm = gpd.GeoDataFrame(
            {c: [] for c in ("code", "nom", "type", "parent", "population")},
            geometry=[],
            crs="EPSG:4326",
        )
    source = SourceLayers(
        communes=gpd.GeoDataFrame(
            com[["code", "nom", "dep", "reg", "epci", "population"]],
            geometry=com.geometry,
            crs="EPSG:4326",
        ),
        parts=arm[["code", "nom", "type", "parent", "population", "geometry"]],
        epci=epci[["code", "nom", "nature"]].reset_index(drop=True),
        departements=dep[["code", "nom", "reg"]].reset_index(drop=True),
        regions=reg[["code", "nom"]].reset_index(drop=True),
        meta=dict(meta or {}),
    )
    source.validate(str(root))
    return source
