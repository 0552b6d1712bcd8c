"""Download an IGN ADMIN EXPRESS COG CARTO edition and rebuild the store from it.

The Géoplateforme lists editions in an Atom feed; each edition is one ``.7z``
archive.  The download is checked (HTTP status, size, optional checksums),
extracted and built in a temporary directory; only a complete, valid build
replaces ``data/geo`` (see ``store.write_store``).  Anything that fails on the
way leaves the current store as it was.

Transient failures are asked again by :mod:`territoires.io.download`: every
request through urllib3's ``Retry``, a transfer cut midway taken up again.
Nothing grows without bound (:mod:`territoires.io.limits`): the download stops at
its size cap and its deadline, redirects stay on the same host, and an archive's
declared contents are checked before a byte is extracted.  The work directory,
``<data>/.geo-fetch-<pid>-*``, goes on leaving, SIGTERM included; one left by a
killed run is removed by the next (:mod:`territoires.io.workdir`).
"""

from __future__ import annotations

import inspect
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urljoin

import py7zr
import requests
from defusedxml import ElementTree as ET
from defusedxml.common import DefusedXmlException

from territoires.errors import DownloadError, sample
from territoires.geo import build as geo_build
from territoires.geo import ign, store
from territoires.io.download import ByteProgress, download, get, mount_retries, open_session, read_small
from territoires.io.limits import DEFAULT_MAX_UNPACKED, Budget, Limits, mb
from territoires.io.workdir import clean_leftovers, sigterm_raises, work_dir
from territoires.settings import geo_dir

PRODUCT = "ADMIN-EXPRESS-COG-CARTO"
DEFAULT_FEED = f"https://data.geopf.fr/telechargement/resource/{PRODUCT}"
ATOM = "{http://www.w3.org/2005/Atom}"
TITLE_RE = re.compile(
    r"(?P<product>[A-Z-]+)_(?P<version>\d+-\d+)__(?P<format>[A-Z]+)_(?P<crs>[A-Z0-9]+)_"
    r"(?P<zone>[A-Z]+)_(?P<date>\d{4}-\d{2}-\d{2})"
)
MAX_FEED_PAGES = 20
# One page of the feed is a few dozen kilobytes.
MAX_FEED_BYTES = 16_000_000
AGAIN = "territoires geo fetch"
REFUSED_TODO = f"ne pas utiliser cette archive ; vérifier la source (--source), puis relancer « {AGAIN} »."
WORK_PREFIX = ".geo-fetch-"
MAX_UNPACKED_BYTES = DEFAULT_MAX_UNPACKED  # 8 Go; --max-extract
# LZMA packs these layers 3 to 10 times; far beyond, it is a decompression bomb (only above the floor:
# a tiny archive of padded files may well reach it).
MAX_RATIO = 100
RATIO_FLOOR = 100_000_000
# py7zr >= 1.0 also counts the bytes while it extracts: a lying header cannot go beyond the cap.
_COUNTS_WHILE_EXTRACTING = "max_extract_size" in inspect.signature(py7zr.SevenZipFile).parameters


@dataclass(frozen=True)
class Edition:
    """One downloadable edition, from the Atom feed."""

    title: str
    url: str
    version: str = ""
    format: str = ""
    crs: str = ""
    zone: str = ""
    date: str = ""
    length: int | None = None

    @classmethod
    def from_title(cls, title: str, url: str, length: int | None = None) -> Edition:
        m = TITLE_RE.search(title)
        parts = m.groupdict() if m else {}
        return cls(
            title=title,
            url=url,
            length=length,
            version=parts.get("version", ""),
            format=parts.get("format", ""),
            crs=parts.get("crs", ""),
            zone=parts.get("zone", ""),
            date=parts.get("date", ""),
        )


def list_editions(
    feed_url: str,
    session: requests.Session,
    *,
    timeout: float = 30,
    retries: int | None = None,
    budget: Budget | None = None,
) -> list[Edition]:
    """Every edition listed by the Atom feed (following ``rel="next"`` pages).

    With ``retries``, the session is given the retry policy of :func:`open_session` first.
    Each page is read within ``budget`` (deadline, redirects), at most ``MAX_FEED_BYTES``.
    """
    budget = budget or Limits().start()
    if retries is not None:
        mount_retries(session, retries, budget)
    editions: list[Edition] = []
    url: str | None = feed_url
    pages = 0
    while url and pages < MAX_FEED_PAGES:
        resp = get(session, url, timeout=timeout, again=AGAIN, stream=True, budget=budget)
        content = read_small(resp, MAX_FEED_BYTES, url=url, again=AGAIN, budget=budget, timeout=timeout)
        try:
            root = ET.fromstring(content)
        except (ET.ParseError, DefusedXmlException) as exc:
            raise DownloadError(
                f"Flux Atom illisible ({exc}).",
                where=url,
                todo="vérifier l'adresse du flux (--source).",
            ) from exc
        download_base = url.split("?")[0].replace("/resource/", "/download/")
        for entry in root.iter(f"{ATOM}entry"):
            title = (entry.findtext(f"{ATOM}title") or "").strip()
            if not title:
                continue
            href, length = None, None
            for link in entry.iter(f"{ATOM}link"):
                h = link.get("href", "")
                if h.endswith(".7z"):
                    href = urljoin(url, h)
                    length = int(link.get("length")) if (link.get("length") or "").isdigit() else None
                    break
            if href is None:
                href = f"{download_base}/{title}/{title}.7z"
            editions.append(Edition.from_title(title, href, length))
        nxt = next((ln.get("href") for ln in root.iter(f"{ATOM}link") if ln.get("rel") == "next"), None)
        url = urljoin(url, nxt) if nxt else None
        pages += 1
    return editions


def choose_edition(editions: list[Edition], title: str | None = None) -> Edition:
    """The requested edition, else the newest France-entière WGS84 one (GeoPackage first)."""
    if title:
        for e in editions:
            if e.title == title:
                return e
        raise DownloadError(
            f"Édition {title!r} absente du flux.",
            todo="lister les éditions avec « territoires geo fetch --list ».",
        )
    usable = [e for e in editions if e.zone == "FRA" and e.crs == "WGS84G"] or [e for e in editions if e.zone == "FRA"]
    if not usable:
        raise DownloadError(
            "Aucune édition « France entière » (FRA) dans le flux.",
            todo="préciser une archive avec --source URL_DE_L_ARCHIVE.7z.",
        )
    fmt_rank = {"GPKG": 0, "GPQ": 0, "PARQUET": 0, "SHP": 1}
    return max(usable, key=lambda e: (e.date, e.version, -fmt_rank.get(e.format, 2)))


def _inside(name: str) -> bool:
    """Whether archive member ``name`` stays inside the extraction directory (relative, no ``..``)."""
    path = PurePosixPath(name.replace("\\", "/"))
    return bool(path.parts) and not path.is_absolute() and ".." not in path.parts and not re.match(r"[A-Za-z]:", name)


def check_members(
    archive: Path, dest: Path, *, max_unpacked: int = MAX_UNPACKED_BYTES, source: str | None = None
) -> int:
    """Refuse, before extracting, an archive whose members leave ``dest`` or weigh too much; their total size.

    Sizes are the ones the archive declares: py7zr never writes more than declared for a member,
    and counts the bytes on top (see :func:`extract`).  Errors name ``source`` (the address it
    came from) rather than the temporary copy, when given.
    """
    where = source or archive
    with py7zr.SevenZipFile(archive, mode="r") as z:
        members = z.list()
    escaping = [m.filename for m in members if m.is_symlink or not _inside(m.filename)]
    if escaping:
        raise DownloadError(
            f"Archive refusée : {len(escaping)} membre(s) hors du dossier d'extraction ou liens symboliques "
            f"({sample(escaping)}).",
            where=where,
            todo=REFUSED_TODO,
        )
    total = sum(m.uncompressed or 0 for m in members if not m.is_directory)
    packed = max(archive.stat().st_size, 1)
    if total > max_unpacked:
        raise DownloadError(
            f"Archive refusée avant extraction : elle déclare {mb(total)} Mo une fois extraite, "
            f"au-delà de {mb(max_unpacked)} Mo.",
            where=where,
            todo="vérifier la source ; si l'édition est vraiment aussi grosse, relancer « territoires geo fetch » "
            "avec --max-extract (en Mo).",
        )
    if total > RATIO_FLOOR and total > MAX_RATIO * packed:
        raise DownloadError(
            f"Archive refusée avant extraction : {mb(packed)} Mo qui déclarent {mb(total)} Mo une fois extraits "
            f"({round(total / packed)} fois plus) ; c'est une bombe de décompression, pas une édition IGN.",
            where=where,
            todo=REFUSED_TODO,
        )
    disk = next(p for p in (dest, *dest.parents) if p.exists())
    free = shutil.disk_usage(disk).free
    if total > free:
        raise DownloadError(
            f"Place insuffisante pour extraire l'archive : {mb(total)} Mo nécessaires, {mb(free)} Mo libres.",
            where=disk,
            todo="libérer de la place, ou choisir un autre dossier de données (--data-dir), "
            "puis relancer « territoires geo fetch ».",
        )
    return total


_BOMB = tuple(filter(None, [getattr(py7zr.exceptions, "DecompressionBombError", None)]))


def extract(archive: Path, dest: Path, *, max_unpacked: int = MAX_UNPACKED_BYTES, source: str | None = None) -> None:
    """Extract a .7z archive once :func:`check_members` accepts it; a corrupt one gives a DownloadError."""
    options = {"max_extract_size": max_unpacked} if _COUNTS_WHILE_EXTRACTING else {}
    try:
        check_members(archive, dest, max_unpacked=max_unpacked, source=source)
        with py7zr.SevenZipFile(archive, mode="r", **options) as z:
            z.extractall(path=dest)
    except _BOMB as exc:
        raise DownloadError(
            f"Extraction arrêtée : l'archive donne plus que les {mb(max_unpacked)} Mo permis ({exc}).",
            where=source or archive,
            todo=REFUSED_TODO,
        ) from exc
    except (
        py7zr.exceptions.Bad7zFile,
        py7zr.exceptions.CrcError,
        py7zr.exceptions.ArchiveError,
        EOFError,
        OSError,
        ValueError,
        KeyError,
    ) as exc:
        raise DownloadError(
            f"Archive 7z corrompue ou illisible ({type(exc).__name__} : {exc}).",
            where=source or archive,
            todo="relancer « territoires geo fetch » pour la retélécharger.",
        ) from exc


def clean_work_dirs(base: Path | None = None) -> list[Path]:
    """Remove the work directories of earlier runs killed midway (``<data>/.geo-fetch-<pid>-*``)."""
    return clean_leftovers(geo_dir(base).parent, WORK_PREFIX)


def _choose(
    url: str, session: requests.Session, edition: str | None, *, timeout: float, budget: Budget, steps: Any
) -> Edition:
    """The edition at ``url``: the archive itself, or the one chosen from the feed."""
    if url.split("?")[0].endswith(".7z"):
        name = url.split("?")[0].rsplit("/", 1)[-1][: -len(".7z")]
        return Edition.from_title(name, url)
    steps("Lecture du flux des éditions")
    return choose_edition(list_editions(url, session, timeout=timeout, budget=budget), edition)


def fetch(
    source: str | None = None,
    *,
    base: Path | None = None,
    edition: str | None = None,
    timeout: float = 60,
    retries: int = 3,
    sha256: str | None = None,
    limits: Limits | None = None,
    max_unpacked: int = MAX_UNPACKED_BYTES,
    progress: ByteProgress | None = None,
    steps: geo_build.Progress | None = None,
) -> dict[str, Any]:
    """Download, check, extract and build; swap the store in only when all succeeded.

    ``limits`` bound the network part, feed and archive together (one deadline); ``max_unpacked``
    the extracted archive.
    """
    steps = steps or (lambda _: None)
    budget = (limits or Limits()).start()
    target = geo_dir(base)
    if removed := clean_work_dirs(base):
        steps(f"Nettoyage : {len(removed)} dossier(s) laissé(s) par un téléchargement interrompu")
    with sigterm_raises(), open_session(retries, budget) as session:
        chosen = _choose(source or DEFAULT_FEED, session, edition, timeout=timeout, budget=budget, steps=steps)
        with work_dir(target.parent, WORK_PREFIX) as work:
            steps(f"Téléchargement de {chosen.title}")
            archive = work / "archive.7z"
            got = download(
                chosen.url,
                archive,
                session,
                timeout=timeout,
                retries=retries,
                expected_size=chosen.length,
                sha256=sha256,
                progress=progress,
                again=AGAIN,
                budget=budget,
            )
            steps("Extraction de l'archive")
            extract(archive, work / "x", max_unpacked=max_unpacked, source=chosen.url)
            archive.unlink()
            meta = {
                "source": f"IGN {PRODUCT}, édition {chosen.title}",
                "producer": "IGN (ADMIN EXPRESS COG CARTO)",
                "vintage": chosen.date or chosen.title,
                "licence": "Licence Ouverte 2.0 (Etalab)",
                "url": chosen.url,
                "edition": chosen.title,
                "archive": got,
            }
            layers = ign.load(work / "x", meta)
            built = geo_build.build(layers, progress=steps)
            steps("Écriture du magasin (remplacement atomique)")
            return store.write_store(built, layers.meta, base)
