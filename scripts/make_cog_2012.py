"""Write the committed sources of the 2012 commune layer, once, reproducibly (like a golden file).

    .venv/bin/python scripts/make_cog_2012.py

Downloads two editions of the npm package ``@etalab/decoupage-administratif`` (INSEE COG via
Etalab, Licence Ouverte 2.0), checks their sha256 against the constants below, and writes into
``data/geo/sources/``:

- ``cog_2012.csv``: the 36,700 communes of 1 January 2012 (history of 0.7.0, to 2019) with
  ``commune``, today's (COG 2025, edition 5.3.0) commune that holds each, ``associees``, its
  communes associées of 2012, and ``autres_communes``, today's communes created from it since;
- ``communes_2012_supplement.geojson``: outlines no other source has (Saint-Denis and
  Pierrefitte-sur-Seine before their 2025 merger), copied from ../shared/reference when present;
- ``manifest.json``: sources, versions, licences and the sha256 of every file.

Codes are strings, always (``01001``, ``2A004``).
"""

from __future__ import annotations

import csv
import io
import json
import sys
import tarfile
from pathlib import Path
from typing import Any

import requests

from territoires.io.checksum import sha256_file
from territoires.settings import REPO_ROOT

OUT = REPO_ROOT / "data" / "geo" / "sources"
SHARED = REPO_ROOT.parent / "shared" / "reference" / "communes-2018-93-seine-saint-denis.geojson"
URL = "https://registry.npmjs.org/@etalab/decoupage-administratif/-/decoupage-administratif-{v}.tgz"
PACKAGES = {  # npm version -> sha256 of its tarball
    "0.7.0": "4643f584e1502d38a9baefe6e5b478aa8d5077bcd7e8972461dbbaceb66559f0",
    "5.3.0": "149cd9096f70915c02e5d39ef6045f0900d94c782ee9f1c1941703092fe72636",
}
LICENCE = "Licence Ouverte 2.0 (Etalab) — INSEE, Code officiel géographique, via Etalab"
DATE = "2012-01-01"
SUPPLEMENT_CODES = ("93066", "93059")  # Saint-Denis and Pierrefitte-sur-Seine, merged on 1 January 2025


def download(version: str) -> bytes:
    """One tarball, its sha256 checked."""
    import hashlib

    resp = requests.get(URL.format(v=version), timeout=120)
    resp.raise_for_status()
    digest = hashlib.sha256(resp.content).hexdigest()
    if digest != PACKAGES[version]:
        raise SystemExit(f"sha256 inattendu pour la version {version} : {digest}")
    return resp.content


def member(tgz: bytes, name: str) -> Any:
    """A JSON file of a tarball."""
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tar:
        fh = tar.extractfile(f"package/data/{name}")
        if fh is None:
            raise SystemExit(f"{name} absent de l'archive")
        return json.load(fh)


def _valid(item: dict) -> bool:
    return item.get("dateDebut", "0000") <= DATE < item.get("dateFin", "9999")


def dep_of(code: str) -> str:
    """The département of a commune code (three characters overseas)."""
    return code[:3] if code.startswith("97") else code[:2]


class History:
    """The COG history to 2019: who became what."""

    def __init__(self, items: list[dict]):
        self.by_id = {i["id"]: i for i in items}
        self.communes = sorted((i for i in items if i["type"] == "COM" and _valid(i)), key=lambda i: i["code"])
        self.by_code: dict[str, list[dict]] = {}
        for i in items:
            self.by_code.setdefault(i["code"], []).append(i)

    def current_code(self, item: dict) -> str:
        """The 2019 commune that holds an entry: follow successors, and a part's commune (pole)."""
        seen = set()
        while True:
            if item["id"] in seen:
                raise SystemExit(f"cycle dans l'historique : {item['id']}")
            seen.add(item["id"])
            if item.get("successeur"):
                item = self.by_id[item["successeur"]]
            elif item["type"] != "COM":
                item = self.by_id[item["pole"]]
            else:
                return item["code"]

    def origin_2012(self, code: str) -> str | None:
        """The 2012 commune a later commune came from (walking back predecessors and poles)."""
        items = sorted(self.by_code.get(code, []), key=lambda i: i.get("dateDebut", "0000"))
        # the latest entry as a commune, then back in time
        item = next((i for i in reversed(items) if i["type"] == "COM"), None)
        seen = set()
        while item is not None and item["id"] not in seen:
            seen.add(item["id"])
            if _valid(item):
                return item["code"] if item["type"] == "COM" else self.by_id[item["pole"]]["code"]
            item = self.by_id.get(item.get("predecesseur") or item.get("pole") or "")
        return None

    def associees(self) -> dict[str, list[str]]:
        """Communes associées (or déléguées) of each 2012 commune, on 1 January 2012."""
        out: dict[str, list[str]] = {}
        for i in self.by_id.values():
            if i["type"] in ("COMA", "COMD") and _valid(i):
                out.setdefault(self.by_id[i["pole"]]["code"], []).append(i["code"])
        return out


def today_map(communes: list[dict]) -> tuple[set[str], dict[str, str]]:
    """Today's communes, and every older code (subdivision or absorbed) -> today's commune."""
    actual = {c["code"] for c in communes if c["type"] == "commune-actuelle" and c.get("zone") != "com"}
    older: dict[str, str] = {}
    for c in communes:
        if c["type"] in ("commune-deleguee", "commune-associee"):
            older.setdefault(c["code"], c["chefLieu"])
        for old in c.get("anciensCodes", []):
            if c["type"] == "commune-actuelle":
                older.setdefault(old, c["code"])
    return actual, older


def table_2012(history: History, communes_2025: list[dict]) -> list[dict[str, str]]:
    """One row per 2012 commune with today's commune holding it."""
    actual, older = today_map(communes_2025)
    assoc = history.associees()
    rows = []
    for item in history.communes:
        code = item["code"]
        if code in actual:  # itself today (also a commune restored after a merger)
            today = code
        else:
            c2019 = history.current_code(item)
            today = c2019 if c2019 in actual else older.get(c2019, "")
        if today not in actual:
            raise SystemExit(f"commune de 2012 {code} sans commune d'aujourd'hui ({today!r})")
        rows.append({"code": code, "nom": item["nom"], "dep": dep_of(code), "commune": today})
        rows[-1]["associees"] = " ".join(sorted(assoc.get(code, [])))
    held = {r["commune"] for r in rows}
    by_code = {r["code"]: r for r in rows}
    extra: dict[str, list[str]] = {}
    for code in sorted(actual - held):
        origin = history.origin_2012(code)
        if origin is None or origin not in by_code:
            raise SystemExit(f"commune d'aujourd'hui {code} sans commune de 2012 d'origine")
        extra.setdefault(origin, []).append(code)
    for r in rows:
        r["autres_communes"] = " ".join(extra.get(r["code"], []))
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_supplement(path: Path) -> bool:
    """Copy the two outlines from ../shared (when present); False when it is absent."""
    if not SHARED.exists():
        return False
    src = json.loads(SHARED.read_text(encoding="utf-8"))
    feats = []
    for f in src["features"]:
        code = str(f["properties"].get("code", "")).zfill(5)
        if code in SUPPLEMENT_CODES:
            feats.append(
                {
                    "type": "Feature",
                    "properties": {"code": code, "nom": f["properties"]["nom"]},
                    "geometry": f["geometry"],
                }
            )
    feats.sort(key=lambda f: f["properties"]["code"])
    if len(feats) != len(SUPPLEMENT_CODES):
        raise SystemExit(f"{SHARED} : contours attendus {SUPPLEMENT_CODES}, trouvés {len(feats)}")
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False) + "\n")
    return True


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    old = download("0.7.0")
    new = download("5.3.0")
    history = History(member(old, "historique-communes.json"))
    rows = table_2012(history, member(new, "communes.json"))
    write_csv(OUT / "cog_2012.csv", rows)
    if not write_supplement(OUT / "communes_2012_supplement.geojson"):
        print(f"{SHARED} absent : supplément conservé tel quel", file=sys.stderr)
    write_manifest(len(rows))
    print(f"{len(rows)} communes de 2012 écrites dans {OUT}")
    return 0


def write_manifest(n: int) -> None:
    """Provenance and sha256 of every derived file."""
    npm = {v: {"url": URL.format(v=v), "sha256": s} for v, s in PACKAGES.items()}
    manifest = {
        "generator": "scripts/make_cog_2012.py",
        "files": {
            "cog_2012.csv": {
                "description": f"les {n} communes du 1er janvier 2012 et la commune d'aujourd'hui qui les contient",
                "source": "npm @etalab/decoupage-administratif 0.7.0 (data/historique-communes.json, COG à 2019) "
                "et 5.3.0 (data/communes.json, COG 2025)",
                "licence": LICENCE,
            },
            "communes_2012_supplement.geojson": {
                "description": "contours de Saint-Denis (93066) et Pierrefitte-sur-Seine (93059) avant leur fusion "
                "de 2025",
                "source": "IGN ADMIN EXPRESS COG 2018, simplifié par le projet france-geojson "
                "(communes-2018-93-seine-saint-denis.geojson)",
                "licence": "Licence Ouverte 2.0 (Etalab) — IGN",
            },
        },
        "npm": npm,
    }
    for name, info in manifest["files"].items():
        info["sha256"] = sha256_file(OUT / name)
    (OUT / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
