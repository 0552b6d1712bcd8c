"""Downloads over HTTP: one retry policy for every request, and transfers cut midway taken up again.

Every request goes through urllib3's ``Retry``, mounted on the requests session
(connection errors, timeouts, HTTP 429 and 5xx, with backoff).  A transfer cut in
the middle of the body is taken up again by :func:`download`: from where it stopped
when the server accepts byte ranges, else from the start.  Every request spends a
:class:`~territoires.io.limits.Budget`: redirects are followed here, one hop at a time,
only to the same host; a body stops at its size cap; the whole download at its deadline.
Failures are :class:`~territoires.errors.DownloadError` s that name the address and
the command to run again (``again``).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from territoires.errors import DownloadError
from territoires.io.limits import MAX_REDIRECTS, Budget, Limits, mb

CHUNK = 1 << 16
# A checksum file is one line: anything longer is not one.
MAX_MD5_BYTES = 4096
USER_AGENT = "territoires (https://pypi.org/project/territoires)"
# Answers worth asking again: too many requests, and server errors.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

ByteProgress = Callable[[int, int | None], None]


def _todo(again: str) -> str:
    return f"vérifier la connexion ou l'adresse, puis relancer « {again} »."


class _Retry(Retry):
    """urllib3's ``Retry``, that also stops at a budget's deadline and never waits beyond it.

    Without it a server answering 503 with ``Retry-After: 21600`` would hold a download six hours.
    """

    budget: Budget | None = None

    def new(self, **kw: Any) -> _Retry:
        retry = super().new(**kw)
        retry.budget = self.budget
        return retry

    def is_exhausted(self) -> bool:
        return super().is_exhausted() or (self.budget is not None and self.budget.left() <= 0)

    def _within(self, seconds: float) -> float:
        return seconds if self.budget is None else max(0.0, min(seconds, self.budget.left()))

    def get_backoff_time(self) -> float:
        return self._within(super().get_backoff_time())

    def get_retry_after(self, response: Any) -> float | None:
        after = super().get_retry_after(response)
        return None if after is None else self._within(after)


def open_session(retries: int = 3, budget: Budget | None = None) -> requests.Session:
    """A session that asks again, with backoff, after a connection error, a timeout or a server error.

    urllib3's ``Retry`` does it for every request of the session (connect, read, HTTP 429 and 5xx),
    within ``budget``'s deadline if given; after the last try the server's answer is returned as it
    is, and :func:`get` turns it into a :class:`DownloadError`.  A 4xx other than 429 will not get
    better by asking again.
    """
    session = requests.Session()
    mount_retries(session, retries, budget)
    session.headers["User-Agent"] = USER_AGENT
    return session


def mount_retries(session: requests.Session, retries: int, budget: Budget | None = None) -> requests.Session:
    """Give ``session`` the retry policy of :func:`open_session` (for a session made elsewhere)."""
    policy = _Retry(
        total=retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods={"GET", "HEAD"},
        backoff_factor=0.5,
        backoff_max=8.0,
        raise_on_status=False,
    )
    policy.budget = budget
    adapter = HTTPAdapter(max_retries=policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _why(exc: requests.RequestException, timeout: float) -> str:
    """A short French reason for a failed request (the last error when every try failed)."""
    cause = exc.args[0] if exc.args else None
    cause = getattr(cause, "reason", cause)  # MaxRetryError: the last try's error
    if isinstance(exc, requests.Timeout) or isinstance(cause, urllib3.exceptions.TimeoutError):
        return f"Timeout : pas de réponse du serveur en {timeout:g} s"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.ConnectionError):
        return f"connexion impossible ou coupée ({type(cause or exc).__name__})"
    return f"{type(exc).__name__} : {exc}"


def get(
    session: requests.Session,
    url: str,
    *,
    timeout: float,
    again: str,
    stream: bool = False,
    headers: dict | None = None,
    budget: Budget | None = None,
) -> requests.Response:
    """GET through the session's retry policy; a :class:`DownloadError` unless the answer is a success.

    Redirects are followed here, not by requests, so that each hop is checked against ``budget``
    (same host, or one allowed); every request's timeout stops at the budget's deadline.
    """
    budget = budget or Limits().start()
    here = url
    for _ in range(MAX_REDIRECTS + 1):
        try:
            resp = session.get(
                here,
                timeout=budget.timeout(timeout, url, again),
                stream=stream,
                headers=headers,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            if budget.expired():
                raise budget.late(url, again) from exc
            why = _why(exc, timeout)
            raise DownloadError(f"Téléchargement impossible ({why}).", where=here, todo=_todo(again)) from exc
        if not resp.is_redirect:
            break
        there = urljoin(here, resp.headers["Location"])
        resp.close()
        budget.check_redirect(here, there, again)
        here = there
    else:
        raise budget.too_many_redirects(url, again)
    if resp.status_code >= 400:
        resp.close()
        if budget.expired():  # the session's Retry gave up at the deadline (see _Retry)
            raise budget.late(url, again)
        raise DownloadError(f"Téléchargement impossible (HTTP {resp.status_code}).", where=here, todo=_todo(again))
    return resp


def read_small(resp: requests.Response, limit: int, *, url: str, again: str, budget: Budget, timeout: float) -> bytes:
    """The body of a streamed answer meant to be small (a feed, a checksum), refused beyond ``limit`` bytes."""
    parts, n = [], 0
    try:
        with resp, budget.watch(resp):
            for chunk in resp.iter_content(CHUNK):
                n += len(chunk)
                if n > limit:
                    raise DownloadError(
                        f"Réponse refusée : plus de {mb(limit)} Mo, bien trop pour un flux ou une somme de contrôle.",
                        where=url,
                        todo=f"vérifier l'adresse (--source), puis relancer « {again} ».",
                    )
                budget.check_time(url, again, n)
                parts.append(chunk)
    except requests.RequestException as exc:
        if budget.expired():
            raise budget.late(url, again, n) from exc
        raise DownloadError(f"Réponse interrompue ({_why(exc, timeout)}).", where=url, todo=_todo(again)) from exc
    budget.check_time(url, again, n)  # a connection closed by the watchdog may look like the end
    return b"".join(parts)


class _Cut(Exception):
    """The transfer stopped before the end of the archive."""


@dataclass
class _Received:
    """What has arrived so far: a byte count and the running checksums."""

    n: int = 0
    sha256: Any = field(default_factory=hashlib.sha256)
    md5: Any = field(default_factory=lambda: hashlib.md5(usedforsecurity=False))
    # ETag (strong) or Last-Modified of the answer being received: a resumed transfer must be of the same file.
    validator: str | None = None

    def restart(self, resp: requests.Response) -> None:
        etag = resp.headers.get("ETag")
        self.n, self.sha256, self.md5 = 0, hashlib.sha256(), hashlib.md5(usedforsecurity=False)
        self.validator = etag if etag and not etag.startswith("W/") else resp.headers.get("Last-Modified")

    def add(self, chunk: bytes) -> None:
        self.n += len(chunk)
        self.sha256.update(chunk)
        self.md5.update(chunk)


def _resumes_at(resp: requests.Response, n: int) -> bool:
    """Whether ``resp`` is the rest of the file from byte ``n`` (HTTP 206 with a matching Content-Range)."""
    m = re.match(r"bytes (\d+)-", resp.headers.get("Content-Range", ""))
    return n > 0 and resp.status_code == 206 and m is not None and int(m.group(1)) == n


def _receive(
    session: requests.Session,
    url: str,
    part: Path,
    got: _Received,
    *,
    timeout: float,
    again: str,
    progress: ByteProgress | None,
    budget: Budget,
    declared: int | None,
) -> None:
    """One request: the whole file, or its rest from byte ``got.n`` when the server accepts ranges.

    The body stops at its cap (``declared`` size, else Content-Length, plus the margin) and at the
    deadline, checked block by block, and by the watchdog while a read waits.
    """
    headers = None
    if got.n:
        headers = {"Range": f"bytes={got.n}-", **({"If-Range": got.validator} if got.validator else {})}
    with get(session, url, timeout=timeout, again=again, stream=True, headers=headers, budget=budget) as resp:
        resumed = _resumes_at(resp, got.n)
        if not resumed:
            got.restart(resp)  # a server that ignores ranges sends the whole file again
            if resp.status_code == 206:  # a part, but not the one asked for: ask for the whole file
                raise _Cut(f"plage d'octets inattendue ({resp.headers.get('Content-Range')})")
        length = resp.headers.get("Content-Length")
        total = got.n + int(length) if length and length.isdigit() else None
        cap = budget.max_bytes(declared if declared is not None else total)
        if total is not None and total > cap:
            raise budget.too_big(url, again, cap, declared=declared, announced=total)
        try:
            with open(part, "ab" if resumed else "wb") as fh, budget.watch(resp):
                for chunk in resp.iter_content(CHUNK):
                    if got.n + len(chunk) > cap:
                        raise budget.too_big(url, again, cap, declared=declared)
                    budget.check_time(url, again, got.n)
                    fh.write(chunk)
                    got.add(chunk)
                    if progress:
                        progress(got.n, total)
        except requests.RequestException as exc:
            if budget.expired():
                raise budget.late(url, again, got.n) from exc
            raise _Cut(_why(exc, timeout)) from exc
    budget.check_time(url, again, got.n)  # a body without length ends when the watchdog closes it
    if total is not None and got.n != total:
        raise _Cut(f"{got.n} octets reçus sur {total} annoncés")


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
    again: str,
    budget: Budget | None = None,
) -> dict[str, Any]:
    """Download ``url`` to ``dest``, checked; raises DownloadError, leaves no partial file.

    Failed requests are asked again by the session (see :func:`open_session`); a transfer cut
    midway is taken up again here, ``retries`` times at most, all within ``budget``'s deadline.
    ``expected_size`` (declared by a feed) also sets the size cap.  ``again`` is the command a
    user runs to try again, named by the errors.
    """
    budget = budget or Limits().start()
    part = dest.with_name(dest.name + ".part")
    got = _Received()
    try:
        for attempt in range(retries + 1):
            try:
                _receive(
                    session,
                    url,
                    part,
                    got,
                    timeout=timeout,
                    again=again,
                    progress=progress,
                    budget=budget,
                    declared=expected_size,
                )
                break
            except _Cut as cut:
                if attempt == retries:
                    raise DownloadError(
                        f"Téléchargement interrompu, {retries + 1} essai(s) ({cut}).", where=url, todo=_todo(again)
                    ) from cut
                time.sleep(max(0.0, min(0.5 * 2**attempt, 8.0, budget.left())))
        md5_checked = _verify(
            url, session, got, timeout=timeout, expected=(expected_size, sha256), again=again, budget=budget
        )
    except BaseException:  # errors, Ctrl-C and SIGTERM (see io.workdir) alike: no partial file stays
        part.unlink(missing_ok=True)
        raise
    part.replace(dest)
    return {"url": url, "bytes": got.n, "sha256": got.sha256.hexdigest(), "md5_checked": md5_checked}


def _verify(
    url: str,
    session: requests.Session,
    got: _Received,
    *,
    timeout: float,
    expected: tuple[int | None, str | None],
    again: str,
    budget: Budget,
) -> bool:
    """Size and sha256 against ``expected``, md5 against the ``.md5`` file if any; whether md5 was checked."""
    expected_size, sha256 = expected
    digest, problems = got.sha256.hexdigest(), []
    if expected_size is not None and got.n != expected_size:
        problems.append(f"taille {got.n} octets, {expected_size} attendus")
    if sha256 and digest != sha256.lower():
        problems.append(f"sha256 {digest}, {sha256} attendu")
    md5_expected = _sidecar_md5(url, session, timeout, budget)
    if md5_expected and got.md5.hexdigest() != md5_expected:
        problems.append(f"md5 {got.md5.hexdigest()}, {md5_expected} attendu")
    if problems:
        raise DownloadError(
            "Archive téléchargée non conforme : " + " ; ".join(problems) + ".",
            where=url,
            todo=f"relancer « {again} » ; si l'erreur persiste, le miroir est corrompu.",
        )
    return bool(md5_expected)


def _sidecar_md5(url: str, session: requests.Session, timeout: float, budget: Budget) -> str | None:
    """The md5 some servers (IGN among them) publish beside an archive, as ``<archive>.md5``; None if absent.

    Within the same budget as the archive (deadline, redirects), a few kilobytes at most.
    """
    md5_url = url + ".md5"
    try:
        resp = get(session, md5_url, timeout=timeout, again="", stream=True, budget=budget)
        if resp.status_code != 200:
            resp.close()
            return None
        text = read_small(resp, MAX_MD5_BYTES, url=md5_url, again="", budget=budget, timeout=timeout)
    except DownloadError:
        return None
    m = re.search(rb"\b[0-9a-fA-F]{32}\b", text[:200])
    return m.group(0).decode().lower() if m else None
