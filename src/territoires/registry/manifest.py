"""Provenance of the registry files: source, vintage, licence, sha256 of each of the four tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from territoires.io.atomic import write_text_atomic
from territoires.io.checksum import sha256_file
from territoires.registry.files import MANIFEST_FILE, TABLES, registry_dir

PROVENANCE: dict[str, Any] = {
    "source": "Transversales, lettre du RTES (Réseau des collectivités Territoriales pour une Économie "
    "Solidaire), automne 2012 ; chaque enregistrement cite sa rubrique et une courte citation",
    "vintage": "adhérents au 31 août 2012 ; faits rapportés en 2012",
    "licence": "Faits (non protégeables) et courtes citations (droit de citation, art. L122-5 CPI) ; "
    "compilation du registre sous Licence Ouverte 2.0",
    "perimetres_2012": "Compositions des EPCI au 1er janvier 2012 (DGCL, consolidées par Etalab/geohisto), "
    "rapportées aux communes d'aujourd'hui",
}


def write_manifest(base: Path | None = None) -> dict[str, Any]:
    """(Re)write ``data/registry/manifest.json`` for the files as they are now."""
    d = registry_dir(base)
    manifest = {
        **PROVENANCE,
        "files": {name: {"sha256": sha256_file(d / name), "bytes": (d / name).stat().st_size} for name in TABLES},
    }
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
        for name in TABLES
        if not (d / name).exists() or recorded.get(name, {}).get("sha256") != sha256_file(d / name)
    ]
