"""The boundary store in ``data/geo`` as a whole: writing it, its manifest, and checking it.

Every file is written into a sibling temporary directory which then replaces
``data/geo`` in one rename: a failed build leaves the previous store as it was.
Reading one level is :mod:`territoires.geo.reader`'s job; what the files hold is
:mod:`territoires.geo.layout`'s.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyarrow.parquet as pq

from territoires import __version__, fmt
from territoires.errors import DataFileError
from territoires.geo.layout import (
    DISPLAY_LEVELS,
    DISPLAY_SCHEMAS,
    LEVELS,
    NON_UNIQUE,
    REBUILD_TODO,
    SCHEMAS,
    relative_path,
    validate_frame,
)
from territoires.geo.reader import read_parquet
from territoires.io.atomic import swap_directory
from territoires.io.checksum import sha256_file
from territoires.settings import geo_dir

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
SOURCES = "sources"


def read_manifest(base: Path | None = None) -> dict[str, Any]:
    """The store's manifest, or a clear error."""
    path = geo_dir(base) / MANIFEST
    if not path.exists():
        raise DataFileError("Manifeste du magasin de contours manquant.", where=path, todo=REBUILD_TODO)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(f"Manifeste illisible ({exc}).", where=path, todo=REBUILD_TODO) from exc
    if manifest.get("format") != MANIFEST_FORMAT or "files" not in manifest:
        raise DataFileError("Manifeste d'un format inattendu.", where=path, todo=REBUILD_TODO)
    return manifest


# ------------------------------------------------------------------------- write
def _write_frame(df: gpd.GeoDataFrame, path: Path) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = [c for c in ("code", "type", "parent") if c in df.columns]
    df = df.sort_values(keys).reset_index(drop=True)
    df.to_parquet(path, compression="zstd", index=False)
    return {"sha256": sha256_file(path), "bytes": path.stat().st_size, "rows": len(df)}


def _write_files(built, tmp: Path) -> dict[str, Any]:
    """Every level, checked then written under ``tmp``; the manifest's ``files`` entry."""
    files: dict[str, Any] = {}
    for level in LEVELS:
        rel = relative_path(level)
        validate_frame(built.levels[level], SCHEMAS[level], rel, unique=level not in NON_UNIQUE)
        files[rel] = {"level": level, "scale": None, **_write_frame(built.levels[level], tmp / rel)}
    for scale, levels in built.display.items():
        for level in DISPLAY_LEVELS:
            df = levels[level][[*DISPLAY_SCHEMAS[level], "geometry"]]
            rel = relative_path(level, scale)
            validate_frame(df, DISPLAY_SCHEMAS[level], rel)
            files[rel] = {"level": level, "scale": scale, **_write_frame(df, tmp / rel)}
    return files


def write_store(built, source_meta: dict[str, Any], base: Path | None = None) -> dict[str, Any]:
    """Write a :class:`~territoires.geo.build.BuiltLayers` as the store, atomically.

    Everything goes to a temporary sibling directory first, is checked, and only
    then replaces ``data/geo``.
    """
    target = geo_dir(base)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".geo-build-", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the store is meant to be read by all
    try:
        files = _write_files(built, tmp)
        manifest = {
            "format": MANIFEST_FORMAT,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "builder": f"territoires {__version__}",
            "crs": "EPSG:4326",
            "source": source_meta,
            "parameters": built.parameters,
            "repairs": built.report.as_dict(),
            "counts": {lvl: len(built.levels[lvl]) for lvl in LEVELS},
            "files": files,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if (target / SOURCES).is_dir():  # committed inputs (the 2012 communes), not build output: kept
            shutil.copytree(target / SOURCES, tmp / SOURCES)
        swap_directory(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return manifest


# ------------------------------------------------------------------------- check
@dataclass
class CheckResult:
    """Outcome of ``territoires geo check``: problems (fatal) and notes (informative)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _file_problem(root: Path, rel: str, info: dict[str, Any], *, deep: bool, hashes: bool) -> str | None:
    """What is wrong with one file of the manifest, or None."""
    path = root / rel
    if not path.exists():
        return f"{rel} : fichier manquant."
    size = path.stat().st_size
    if size == 0:
        return f"{rel} : fichier vide (0 octet)."
    if size != info["bytes"]:
        return f"{rel} : taille {size} octets, le manifeste en attend {info['bytes']} (fichier tronqué ou modifié)."
    if hashes and sha256_file(path) != info["sha256"]:
        return f"{rel} : somme sha256 différente du manifeste (fichier modifié)."
    if not deep:
        return None
    schemas = DISPLAY_SCHEMAS if info.get("scale") else SCHEMAS
    try:
        meta = pq.read_metadata(path)
        if meta.num_rows != info["rows"]:
            raise DataFileError(f"{meta.num_rows} lignes, {info['rows']} attendues.", where=rel)
        df = read_parquet(path)
        validate_frame(df, schemas[info["level"]], rel, unique=info["level"] not in NON_UNIQUE)
    except DataFileError as exc:
        return exc.message.replace("\n", " — ")
    return None


def check_store(base: Path | None = None, *, deep: bool = True, hashes: bool = True) -> CheckResult:
    """Verify every file against the manifest (presence, size, sha256) and its schema."""
    result = CheckResult()
    try:
        manifest = read_manifest(base)
    except DataFileError as exc:
        result.problems.append(exc.message)
        return result
    expected = {relative_path(lvl) for lvl in LEVELS}
    for rel in sorted(expected - set(manifest["files"])):
        result.problems.append(f"{rel} : absent du manifeste.")
    for rel, info in manifest["files"].items():
        problem = _file_problem(geo_dir(base), rel, info, deep=deep, hashes=hashes)
        if problem:
            result.problems.append(problem)
    result.notes = repair_notes(manifest.get("repairs", {}))
    return result


def repair_notes(repairs: dict[str, Any], detail: bool = True, names: Mapping[str, str] | None = None) -> list[str]:
    """What the build repaired or found missing, in French, one line each (the check and the Sources page).

    Without ``detail`` (the public Sources page), the approximate 2012 outlines are counted, not listed.
    ``names``: commune code → name, to name the commune whose outline covers another (else its code).
    """

    def commune(code: str) -> str:
        name = (names or {}).get(code)
        return f"{name} ({code})" if name else f"la commune {code}"

    notes = [
        f"{item['nom']} (commune {item['code']}) : pas de contour propre dans la source ; "
        f"son territoire est couvert par le contour de {commune(item['contour_de'])}."
        for item in repairs.get("outline_held_by", [])
    ]
    notes += [
        f"{item['nom']} (commune {item['code']}) : aucun contour dans la source."
        for item in repairs.get("without_outline", [])
    ]
    notes += [
        f"{item['nom']} (commune {item['code']}) : contour reconstruit à partir de ses "
        f"{len(item['parties'])} communes déléguées."
        for item in repairs.get("rebuilt_from_parts", [])
    ]
    notes += _notes_2012(repairs.get("communes_2012", {}), detail)
    holes = repairs.get("holes_filled", [])
    if holes:
        total, s = fmt.number(sum(h["area_km2"] for h in holes), 1), "s" if len(holes) > 1 else ""
        each = "attribuées chacune" if s else "attribuée"
        notes.append(f"{len(holes)} lacune{s} comblée{s} ({total} km²), {each} à une commune voisine.")
    notes += [
        f"{item['nom']} (intercommunalité {item['siren']}) : numéro SIREN provisoire dans la source."
        for item in repairs.get("placeholder_sirens", [])
    ]
    return notes


OUTLINE_KINDS_FR = {
    "own": "celui de la commune d'aujourd'hui",
    "commune_deleguee": "celui de la commune déléguée ou associée",
    "supplement": "une autre source (IGN 2018)",
    "approx": "approché (reconstitué)",
}


def _notes_2012(rep: dict[str, Any], detail: bool = True) -> list[str]:
    """The 2012 communes: counts by outline kind, then each approximate outline (with ``detail``)."""
    if not rep:
        return []
    counts = rep.get("counts_by_outline", {})
    kinds = " ; ".join(f"{OUTLINE_KINDS_FR.get(k, k)} : {fmt.number(v)}" for k, v in counts.items())
    notes = [f"Communes du 1er janvier 2012 ({fmt.number(sum(counts.values()))}), par origine du contour — {kinds}."]
    if not detail:
        # The public page: no command to run, what a reader sees on the map instead.
        n = len(rep.get("approx", []))
        s, are = ("s", "sont") if n > 1 else ("", "est")
        return [
            *notes,
            f"{fmt.number(n)} contour{s} de commune de 2012 {are} approché{s} (reconstitué{s}) : un adhérent dont le "
            "périmètre en comprend un est dessiné en tireté sur la carte.",
        ]
    notes += [
        f"{a['nom']} (commune de 2012, {a['code']}) : contour approché ({fmt.number(a['area_km2'], 1)} km²), "
        f"partie non revendiquée de la commune {a['commune']}"
        + (f", partagée avec {', '.join(a['partage_avec'])}." if a["partage_avec"] else ".")
        for a in rep.get("approx", [])
    ]
    return notes


def ensure_complete(base: Path | None = None) -> None:
    """Fast start-up check (presence and sizes against the manifest); raises the first problem."""
    result = check_store(base, deep=False, hashes=False)
    if not result.ok:
        raise DataFileError(result.problems[0], where=geo_dir(base), todo=REBUILD_TODO)
