"""Where things are. Settings are data: one place, overridable by environment."""

from __future__ import annotations

import os
from pathlib import Path

# The repository root when running from a checkout (src/territoires/settings.py).
REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The data directory: ``$TERRITOIRES_DATA_DIR`` or ``data/`` at the repo root."""
    env = os.environ.get("TERRITOIRES_DATA_DIR")
    return Path(env) if env else REPO_ROOT / "data"


def geo_dir(base: Path | None = None) -> Path:
    """The boundary store, ``<data>/geo``."""
    return (Path(base) if base is not None else data_dir()) / "geo"


REBUILD_COMMAND = "territoires geo build"


def database_url() -> str | None:
    """Where a shared deployment keeps the registry: ``$TERRITOIRES_DATABASE_URL`` (SQLAlchemy URL), or None."""
    return os.environ.get("TERRITOIRES_DATABASE_URL") or None


def staff_file() -> Path:
    """The local staff accounts (Argon2 hashes): ``$TERRITOIRES_STAFF_FILE`` or ``<data>/staff/comptes.json``.

    Outside the repository's tracked files (see .gitignore): each deployment creates its own
    with ``territoires staff add NAME``.
    """
    env = os.environ.get("TERRITOIRES_STAFF_FILE")
    return Path(env) if env else data_dir() / "staff" / "comptes.json"


def staff_emails() -> frozenset[str]:
    """With OpenID Connect (``st.login``): the addresses that are staff, ``$TERRITOIRES_STAFF_EMAILS``
    (comma-separated).  Empty: nobody signed in through the provider may write."""
    raw = os.environ.get("TERRITOIRES_STAFF_EMAILS", "")
    return frozenset(e.strip().lower() for e in raw.split(",") if e.strip())


def public_url() -> str | None:
    """The dashboard's public address, ``$TERRITOIRES_PUBLIC_URL`` (``https://…``), or None.

    The QR codes of the slides and decks open it: the address the presenter's browser shows may be
    ``localhost``, which a phone in the room cannot reach.  A value that is not an http(s) address is
    ignored (None), so that a typo never ends up printed on a slide.
    """
    from urllib.parse import urlsplit

    raw = os.environ.get("TERRITOIRES_PUBLIC_URL", "").strip().rstrip("/")
    u = urlsplit(raw)
    return raw if u.scheme in ("http", "https") and u.netloc and not u.query else None


def is_local_url(url: str) -> bool:
    """Whether ``url`` only works on the machine that serves it (localhost, 127.x): useless in a QR code."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    loopback = host.startswith("127.") or host in ("", "localhost", "::1", "0.0.0.0")  # noqa: S104 -- compared
    return loopback or host.endswith(".localhost")
