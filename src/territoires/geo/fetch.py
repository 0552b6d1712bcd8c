"""Download an IGN ADMIN EXPRESS COG CARTO edition and rebuild the store from it.

The Géoplateforme lists editions in an Atom feed; each edition is one ``.7z``
archive.  The download is checked (HTTP status, size, optional checksums),
retried on transient failures, extracted and built in a temporary directory;
only a complete, valid build replaces ``data/geo`` (see ``store.write_store``).
Anything that fails on the way leaves the current store as it was.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import py7zr
import requests
from defusedxml import ElementTree as ET
from defusedxml.common import DefusedXmlException

from territoires.errors import DownloadError, TerritoiresError
from territoires.geo import build as geo_build
from territoires.geo import ign, store
from territoires.settings import geo_dir

PRODUCT = "ADMIN-EXPRESS-COG-CARTO"
DEFAULT_FEED = f"https://data.geopf.fr/telechargement/resource/{PRODUCT}"
ATOM = "{http://www.w3.org/2005/Atom}"
TITLE_RE = re.compile(
    r"(?P<product>[A-Z-]+)_(?P<version>\d+-\d+)__(?P<format>[A-Z]+)_(?P<crs>[A-Z0-9]+)_"
    r"(?P<zone>[A-Z]+)_(?P<date>\d{4}-\d{2}-\d{2})"
)
MAX_FEED_PAGES = 20
CHUNK = 1 << 16

ByteProgress = Callable[[int, int | None], None]


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


def _get(
    session: requests.Session, url: str, *, timeout: float, retries: int, stream: bool = False
) -> requests.Response:
    """GET with retries on connection errors, timeouts and 5xx; raises DownloadError."""
    last: str = ""
    for attempt in range(retries + 1):
        try:
            resp = session.get(url, timeout=timeout, stream=stream)
        except requests.RequestException as exc:
            last = f"{type(exc).__name__} : {exc}"
        else:
            if resp.status_code < 400:
                return resp
            last = f"HTTP {resp.status_code}"
            resp.close()
            if resp.status_code < 500:
                break  # 4xx will not get better by asking again
        if attempt < retries:
            time.sleep(min(0.5 * 2**attempt, 8.0))
    raise DownloadError(
        f"Téléchargement impossible ({last}).",
        where=url,
        todo="vérifier la connexion ou l'adresse (--source), puis relancer « territoires geo fetch ».",
    )


def list_editions(feed_url: str, session: requests.Session, *, timeout: float = 30, retries: int = 2) -> list[Edition]:
    """Every edition listed by the Atom feed (following ``rel="next"`` pages)."""
    editions: list[Edition] = []
    url: str | None = feed_url
    pages = 0
    while url and pages < MAX_FEED_PAGES:
        resp = _get(session, url, timeout=timeout, retries=retries)
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


def download(
    url: str,
    dest: Path,
    session: requests.Session,
    *,
    timeout: float = 60,
    retries: int = 3,
    expected_size: int | None = None,
    sha256: str | None = None,
    progress: ByteProgress | None = None,
) -> dict[str, Any]:
    """Download ``url`` to ``dest``, checked; raises DownloadError, leaves no partial file."""
    part = dest.with_name(dest.name + ".part")
    last = ""
    for attempt in range(retries + 1):
        try:
            resp = _get(session, url, timeout=timeout, retries=0, stream=True)
            total = resp.headers.get("Content-Length")
            total_i = int(total) if total and total.isdigit() else None
            h_sha, h_md5, n = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
            with open(part, "wb") as fh:
                for chunk in resp.iter_content(CHUNK):
                    fh.write(chunk)
                    h_sha.update(chunk)
                    h_md5.update(chunk)
                    n += len(chunk)
                    if progress:
                        progress(n, total_i)
            if total_i is not None and n != total_i:
                raise DownloadError(
                    f"Téléchargement interrompu : {n} octets reçus sur {total_i} annoncés.",
                    where=url,
                    todo="relancer « territoires geo fetch ».",
                )
            break
        except (DownloadError, requests.RequestException) as exc:
            if isinstance(exc, DownloadError):
                last = exc.what
            elif isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.ConnectionError):
                last = f"téléchargement interrompu, connexion coupée ({type(exc).__name__})"
            else:
                last = f"{type(exc).__name__} : {exc}"
            part.unlink(missing_ok=True)
            if attempt == retries:
                raise DownloadError(
                    f"Téléchargement échoué après {retries + 1} essais ({last}).",
                    where=url,
                    todo="vérifier la connexion, puis relancer « territoires geo fetch ».",
                ) from exc
            time.sleep(min(0.5 * 2**attempt, 8.0))
    digest = h_sha.hexdigest()
    problems = []
    if expected_size is not None and n != expected_size:
        problems.append(f"taille {n} octets, {expected_size} attendus")
    if sha256 and digest != sha256.lower():
        problems.append(f"sha256 {digest}, {sha256} attendu")
    md5_expected = _sidecar_md5(url, session, timeout)
    if md5_expected and h_md5.hexdigest() != md5_expected:
        problems.append(f"md5 {h_md5.hexdigest()}, {md5_expected} attendu")
    if problems:
        part.unlink(missing_ok=True)
        raise DownloadError(
            "Archive téléchargée non conforme : " + " ; ".join(problems) + ".",
            where=url,
            todo="relancer « territoires geo fetch » ; si l'erreur persiste, le miroir est corrompu.",
        )
    part.replace(dest)
    return {"url": url, "bytes": n, "sha256": digest, "md5_checked": bool(md5_expected)}


def _sidecar_md5(url: str, session: requests.Session, timeout: float) -> str | None:
    """IGN publishes ``<archive>.md5`` beside some archives; use it when present."""
    try:
        resp = session.get(url + ".md5", timeout=timeout)
    except requests.RequestException:
        return None
    if resp.status_code != 200:
        return None
    m = re.search(r"\b[0-9a-fA-F]{32}\b", resp.text[:200])
    return m.group(0).lower() if m else None


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
    with requests.Session() as session:
        session.headers["User-Agent"] = "territoires (https://pypi.org/project/territoires)"
        if url.split("?")[0].endswith(".7z"):
            name = url.split("?")[0].rsplit("/", 1)[-1][: -len(".7z")]
            chosen = Edition.from_title(name, url)
        else:
            steps("Lecture du flux des éditions")
            chosen = choose_edition(list_editions(url, session, timeout=timeout, retries=retries), edition)
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
        except TerritoiresError:
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
