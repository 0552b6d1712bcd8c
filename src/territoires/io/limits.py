"""What a download may take: how many bytes, how much time, which hosts a redirect may lead to.

A :class:`Limits` is the policy (from the command line or the defaults); :meth:`Limits.start`
gives the :class:`Budget` a download spends: it starts the clock of the overall deadline,
says how many bytes a file may have, and checks each redirect.  Breaking a limit is a
:class:`~territoires.errors.DownloadError` naming the limit and the option that raises it.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from territoires.errors import DownloadError

MB = 1_000_000
# A download whose size nobody declared stops there (ADMIN EXPRESS COG CARTO France is below 1 Go).
DEFAULT_MAX_BYTES = 3_000 * MB
# The whole download, retries and waits included: an hour is 1 Go at 2.2 Mbit/s.
DEFAULT_DEADLINE = 3600.0
# Extracted, an edition holds 2 to 3 Go; an archive declaring more is refused before extraction.
DEFAULT_MAX_UNPACKED = 8_000 * MB
# A declared size (feed, Content-Length) may be a little off, never by more than this.
SIZE_MARGIN = 0.10
MAX_REDIRECTS = 5
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Limits:
    """The policy: a ceiling in bytes, a deadline in seconds, hosts a redirect may also lead to."""

    max_bytes: int = DEFAULT_MAX_BYTES
    deadline: float = DEFAULT_DEADLINE
    allow_hosts: frozenset[str] = frozenset()

    def start(self) -> Budget:
        """The budget of one download, its clock started now."""
        return Budget(self, time.monotonic() + self.deadline)


def mb(n: float) -> str:
    """``n`` bytes in Mo, written the French way: ``0,1``, ``12,5``, ``3 000``."""
    text = f"{n / MB:,.1f}" if n < 100 * MB else f"{n / MB:,.0f}"
    return text.replace(",", "\u202f").replace(".", ",")


class Budget:
    """The limits of one download being spent: time left, bytes allowed, redirects allowed."""

    def __init__(self, limits: Limits, end: float) -> None:
        self.limits = limits
        self.end = end
        self.cut = False  # the watchdog of :meth:`watch` has cut a transfer

    # ----------------------------------------------------------------- time
    def left(self) -> float:
        return self.end - time.monotonic()

    def expired(self) -> bool:
        return self.cut or self.left() <= 0

    def late(self, url: str, again: str, received: int | None = None) -> DownloadError:
        got = f", {mb(received)} Mo reçus" if received else ""
        return DownloadError(
            f"Téléchargement trop long : délai total de {self.limits.deadline:g} s dépassé{got}.",
            where=url,
            todo=f"relancer « {again} » sur une meilleure connexion, ou avec un délai plus long "
            "(--deadline, en secondes).",
        )

    def timeout(self, timeout: float, url: str, again: str) -> float:
        """``timeout`` for one request, never beyond the deadline; a DownloadError once it has passed."""
        left = self.left()
        if left <= 0:
            raise self.late(url, again)
        return min(timeout, left)

    def check_time(self, url: str, again: str, received: int) -> None:
        if self.expired():
            raise self.late(url, again, received)

    @contextlib.contextmanager
    def watch(self, resp: Any) -> Iterator[None]:
        """Cut ``resp``'s connection at the deadline, even in the middle of a blocked read.

        A server trickling a byte every few seconds never trips the per-read timeout, and a
        read waits for a whole block: only shutting the socket from another thread ends it.
        """
        timer = threading.Timer(max(self.left(), 0), self._cut, args=(resp,))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _cut(self, resp: Any) -> None:
        self.cut = True
        try:
            resp.raw.shutdown()  # urllib3 >= 2.3: made to be called from another thread
        except Exception:  # older urllib3, or the connection already given back
            with contextlib.suppress(Exception):
                resp.close()

    # ---------------------------------------------------------------- bytes
    def max_bytes(self, declared: int | None) -> int:
        """The most a file may weigh: its declared size plus the margin, within the ceiling."""
        if declared is None:
            return self.limits.max_bytes
        return min(self.limits.max_bytes, math.ceil(declared * (1 + SIZE_MARGIN)))

    def too_big(
        self, url: str, again: str, cap: int, *, declared: int | None, announced: int | None = None
    ) -> DownloadError:
        """The error for a file beyond ``cap``: ``announced`` by the server, else found while receiving it."""
        if declared is not None and cap < self.limits.max_bytes:
            why = f"taille déclarée, {mb(declared)} Mo, + {SIZE_MARGIN * 100:.0f} %"
        else:
            why = f"plafond de {mb(self.limits.max_bytes)} Mo"
        if announced is not None:
            what = f"Téléchargement refusé : le serveur annonce {mb(announced)} Mo"
        else:
            what = f"Téléchargement arrêté à {mb(cap)} Mo reçus (fichier partiel supprimé)"
        return DownloadError(
            f"{what}, au-delà de la taille permise ({why}).",
            where=url,
            todo=f"vérifier la source ; si le fichier est vraiment plus gros, relancer « {again} » "
            "avec --max-size (en Mo).",
        )

    # ------------------------------------------------------------ redirects
    def check_redirect(self, src: str, dst: str, again: str) -> None:
        """Follow a redirect to the same scheme, host and port (or http to https), or to an allowed host."""
        a, b = _origin(src), _origin(dst)
        if b[0] not in DEFAULT_PORTS:
            raise DownloadError(
                f"Redirection refusée vers {dst} (seuls http et https sont suivis).", where=src, todo=_ask(again)
            )
        upgrade = a == ("http", b[1], 80) and b == ("https", b[1], 443)
        allowed = self.limits.allow_hosts
        if a == b or upgrade or b[1] in allowed or f"{b[1]}:{b[2]}" in allowed:
            return
        raise DownloadError(
            f"Redirection refusée : {_host(src)} renvoie vers un autre hôte, {_host(dst)}.",
            where=src,
            todo=f"si {b[1]} est un miroir de confiance, relancer « {again} » avec --allow-redirect-host {b[1]} ; "
            "sinon, donner directement la bonne adresse (--source).",
        )

    def too_many_redirects(self, url: str, again: str) -> DownloadError:
        return DownloadError(f"Plus de {MAX_REDIRECTS} redirections.", where=url, todo=_ask(again))


def _origin(url: str) -> tuple[str, str, int | None]:
    p = urlsplit(url)
    return p.scheme.lower(), (p.hostname or "").lower(), p.port or DEFAULT_PORTS.get(p.scheme.lower())


def _host(url: str) -> str:
    scheme, host, port = _origin(url)
    return f"{scheme}://{host}:{port}"


def _ask(again: str) -> str:
    return f"vérifier l'adresse (--source), puis relancer « {again} »."
