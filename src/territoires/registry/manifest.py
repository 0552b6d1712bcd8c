"""Provenance of the registry files: source, vintage, licence, sha256 of each table and reference table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from territoires.io.atomic import write_text_atomic
from territoires.io.checksum import sha256_file
from territoires.registry.files import EPT_FILE, MANIFEST_FILE, REFERENCE_TABLES, TABLES, registry_dir

PROVENANCE: dict[str, Any] = {
    "source": "Transversales, lettre du RTES (Réseau des collectivités Territoriales pour une Économie "
    "Solidaire), automne 2012 ; chaque enregistrement cite sa rubrique et une courte citation",
    "vintage": "adhérents au 31 août 2012 ; faits rapportés en 2012",
    "licence": "Faits (non protégeables) et courtes citations (droit de citation, art. L122-5 CPI) ; "
    "compilation du registre sous Licence Ouverte 2.0",
    "perimetres_2012": "Compositions des EPCI au 1er janvier 2012 (DGCL, consolidées par Etalab/geohisto), "
    "rapportées aux communes d'aujourd'hui",
}

# Where each reference table comes from: scripts/make_ept.py downloads this archive, checks its sha256
# against ``archive_sha256`` and writes the table (one place for the script and the manifest).
REFERENCE_PROVENANCE: dict[str, dict[str, str]] = {
    EPT_FILE: {
        "source": "INSEE, Code officiel géographique : établissements publics territoriaux (EPT) de la "
        "Métropole du Grand Paris et leurs communes, via le paquet npm @etalab/decoupage-administratif "
        "5.3.0 (package/data/ept.json)",
        "url": "https://registry.npmjs.org/@etalab/decoupage-administratif/-/decoupage-administratif-5.3.0.tgz",
        "archive_sha256": "149cd9096f70915c02e5d39ef6045f0900d94c782ee9f1c1941703092fe72636",
        "vintage": "COG 2025 (EPT au 1er janvier 2025)",
        "licence": "Licence Ouverte 2.0 (Etalab) — INSEE, données Etalab",
        "script": "scripts/make_ept.py",
    },
}


def _entry(d: Path, name: str) -> dict[str, Any]:
    return {
        **REFERENCE_PROVENANCE.get(name, {}),
        "sha256": sha256_file(d / name),
        "bytes": (d / name).stat().st_size,
    }


def write_manifest(base: Path | None = None) -> dict[str, Any]:
    """(Re)write ``data/registry/manifest.json`` for the files as they are now."""
    d = registry_dir(base)
    names = [*TABLES, *(name for name in REFERENCE_TABLES if (d / name).exists())]
    manifest = {**PROVENANCE, "files": {name: _entry(d, name) for name in names}}
    write_text_atomic(d / MANIFEST_FILE, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def changed_files(base: Path | None = None) -> list[str]:
    """Registry files whose content differs from the manifest (edited by hand since)."""
    d = registry_dir(base)
    path = d / MANIFEST_FILE
    if not path.exists():
        return list(TABLES)
    recorded = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    return [
        name
        for name in (*TABLES, *REFERENCE_TABLES)
        if not (d / name).exists() or recorded.get(name, {}).get("sha256") != sha256_file(d / name)
    ]
