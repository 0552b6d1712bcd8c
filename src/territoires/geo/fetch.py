"""Download an IGN ADMIN EXPRESS COG CARTO edition and rebuild the store from it.

The Géoplateforme lists editions in an Atom feed; each edition is one ``.7z``
archive.  The download is checked (HTTP status, size, optional checksums),
extracted and built in a temporary directory; only a complete, valid build
replaces ``data/geo`` (see ``store.write_store``).  Anything that fails on the
way leaves the current store as it was.

Transient failures are asked again by :mod:`territoires.io.download`: every
request through urllib3's ``Retry``, a transfer cut midway taken up again.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import py7zr
import requests
from defusedxml import ElementTree as ET
from defusedxml.common import DefusedXmlException

from territoires.errors import DownloadError
from territoires.geo import build as geo_build
from territoires.geo import ign, store
from territoires.io.download import ByteProgress, download, get, mount_retries, open_session
from territoires.settings import geo_dir

PRODUCT = "ADMIN-EXPRESS-COG-CARTO"
DEFAULT_FEED = f"https://data.geopf.fr/telechargement/resource/{PRODUCT}"
ATOM = "{http://www.w3.org/2005/Atom}"
TITLE_RE = re.compile(
    r"(?P<product>[A-Z-]+)_(?P<version>\d+-\d+)__(?P<format>[A-Z]+)_(?P<crs>[A-Z0-9]+)_"
    r"(?P<zone>[A-Z]+)_(?P<date>\d{4}-\d{2}-\d{2})"
)
MAX_FEED_PAGES = 20
AGAIN = "territoires geo fetch"


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
    feed_url: str, session: requests.Session, *, timeout: float = 30, retries: int | None = None
) -> list[Edition]:
    """Every edition listed by the Atom feed (following ``rel="next"`` pages).

    With ``retries``, the session is given the retry policy of :func:`open_session` first.
    """
    if retries is not None:
        mount_retries(session, retries)
    editions: list[Edition] = []
    url: str | None = feed_url
    pages = 0
    while url and pages < MAX_FEED_PAGES:
        resp = get(session, url, timeout=timeout, again=AGAIN)
        try:
            root = ET.fromstring(resp.content)
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


def extract(archive: Path, dest: Path) -> None:
    """Extract a .7z archive; a corrupt one gives a DownloadError."""
    try:
        with py7zr.SevenZipFile(archive, mode="r") as z:
            z.extractall(path=dest)
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
            where=archive,
            todo="relancer « territoires geo fetch » pour la retélécharger.",
        ) from exc


def fetch(
    source: str | None = None,
    *,
    base: Path | None = None,
    edition: str | None = None,
    timeout: float = 60,
    retries: int = 3,
    sha256: str | None = None,
    progress: ByteProgress | None = None,
    steps: geo_build.Progress | None = None,
) -> dict[str, Any]:
    """Download, check, extract and build; swap the store in only when all succeeded."""
    steps = steps or (lambda _: None)
    url = source or DEFAULT_FEED
    with open_session(retries) as session:
        if url.split("?")[0].endswith(".7z"):
            name = url.split("?")[0].rsplit("/", 1)[-1][: -len(".7z")]
            chosen = Edition.from_title(name, url)
        else:
            steps("Lecture du flux des éditions")
            chosen = choose_edition(list_editions(url, session, timeout=timeout), edition)
        target = geo_dir(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".geo-fetch-", dir=target.parent))
        try:
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
            )
            steps("Extraction de l'archive")
            extract(archive, work / "x")
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
        finally:
            shutil.rmtree(work, ignore_errors=True)
