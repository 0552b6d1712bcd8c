"""Write data/registry/ept.csv: the établissements publics territoriaux (EPT) of the Grand Paris.

    .venv/bin/python scripts/make_ept.py

Some 2012 intercommunalities of the registry became EPTs in 2016 (Plaine Commune, Plaine Centrale
in Grand Paris Sud Est Avenir); the EPCI layer of data/geo holds the Métropole du Grand Paris, not
its EPTs.  This table names them, for the successor check (``territoires data check``).

Downloads the npm package ``@etalab/decoupage-administratif`` 5.3.0 (INSEE COG 2025 via Etalab,
Licence Ouverte 2.0; the same edition as the boundary store's), checks its sha256 against the
manifest's constant (territoires.registry.manifest.REFERENCE_PROVENANCE), reads
``package/data/ept.json`` and writes ``siren, nom, communes`` (today's member communes, INSEE codes
separated by a space), then the registry's manifest.  Same archive, same file: reproducible.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import tarfile

import requests

from territoires.io.atomic import write_text_atomic
from territoires.registry.files import EPT_FILE, registry_dir
from territoires.registry.loader import load_ept
from territoires.registry.manifest import REFERENCE_PROVENANCE, write_manifest

SOURCE = REFERENCE_PROVENANCE[EPT_FILE]
MEMBER = "package/data/ept.json"


def download() -> bytes:
    """The archive, its sha256 checked (another content would make another table)."""
    resp = requests.get(SOURCE["url"], timeout=120)
    resp.raise_for_status()
    digest = hashlib.sha256(resp.content).hexdigest()
    if digest != SOURCE["archive_sha256"]:
        raise SystemExit(f"sha256 inattendu pour {SOURCE['url']} : {digest} (attendu {SOURCE['archive_sha256']})")
    return resp.content


def ept_rows(tgz: bytes) -> list[dict[str, str]]:
    """``siren, nom, communes`` of each EPT of the archive, by SIREN."""
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tar:
        fh = tar.extractfile(MEMBER)
        if fh is None:
            raise SystemExit(f"{MEMBER} absent de l'archive")
        items = json.load(fh)
    rows = [
        {
            "siren": str(item["code"]),
            "nom": str(item["nom"]),
            "communes": " ".join(sorted(str(m["code"]) for m in item["membres"])),
        }
        for item in items
    ]
    return sorted(rows, key=lambda r: r["siren"])


def main() -> int:
    rows = ept_rows(download())
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["siren", "nom", "communes"], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path = registry_dir() / EPT_FILE
    write_text_atomic(path, buf.getvalue())
    load_ept()  # the table as the registry reads it: refused here rather than at the next check
    write_manifest()
    print(f"{len(rows)} EPT écrits dans {path}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
