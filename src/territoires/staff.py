"""Staff accounts: who may change the registry from the dashboard.

The public dashboard is read-only.  A deployment with an OpenID Connect provider signs staff in
through Streamlit (``st.login``, see :mod:`territoires.ui.staff`); otherwise accounts live in a
local file, one Argon2id hash each (``argon2-cffi``), created by ``territoires staff add NAME``.
Failed sign-ins are counted in a file beside the accounts, so the throttle holds across processes
and restarts: after :data:`FREE_FAILURES` failures in a row for a name from one address, or
:data:`NAME_FREE_FAILURES` from all addresses together, each try waits longer.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from territoires.errors import TerritoiresError
from territoires.io.atomic import write_text_atomic
from territoires.io.lock import locked
from territoires.settings import staff_file

NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # Argon2 hashes anything, but a 1 MB password is a denial of service, not a password
FREE_FAILURES = 3  # failures in a row, for a name from one client, before the throttle starts
# …and for a name from any client: a visitor elsewhere cannot lock a colleague out with 3 tries,
# but many clients together still cannot try more than a few passwords an hour.
NAME_FREE_FAILURES = 20
BASE_WAIT_S = 5.0  # then 5 s, 10 s, 20 s… up to MAX_WAIT_S
MAX_WAIT_S = 15 * 60.0
MAX_TRACKED = 1000  # names whose failures are remembered (unknown names too: no enumeration)
ATTEMPTS_FILE = "tentatives.json"

_hasher = PasswordHasher()  # Argon2id, the library's recommended parameters
# Checked against when the name is unknown, so that an unknown name takes as long as a wrong password.
_DUMMY = _hasher.hash("territoires: pas de compte de ce nom")


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: ``ok``, else a French reason and, when throttled, the seconds to wait."""

    ok: bool
    name: str = ""
    reason: str = ""
    wait_s: float = 0.0


def _key(name: str) -> str:
    return name.strip().lower()


def check_name(name: str) -> str:
    """The account name as stored (lower case), or a French error saying what a name may hold."""
    key = _key(name)
    if not NAME.fullmatch(key):
        raise TerritoiresError(
            f"Nom de compte invalide : « {name[:64]} ».",
            todo="2 à 64 caractères : lettres minuscules sans accent, chiffres, point, tiret, arobase.",
        )
    return key


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TerritoiresError(
            f"Fichier des comptes du personnel illisible ({type(exc).__name__}).",
            where=path,
            todo="le restaurer, ou le supprimer et recréer les comptes avec « territoires staff add NOM ».",
        ) from exc
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict[str, Any]) -> None:
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    os.chmod(path, 0o600)  # hashes are not secrets, but nobody else needs them


def accounts(path: Path | None = None) -> dict[str, dict[str, str]]:
    """The accounts: name → {hash, created}."""
    return _read(path or staff_file()).get("accounts", {})


def configured(path: Path | None = None) -> bool:
    """Whether at least one local staff account exists."""
    try:
        return bool(accounts(path))
    except TerritoiresError:
        return False


def add(name: str, password: str, path: Path | None = None) -> str:
    """Create (or give a new password to) an account; return its name as stored."""
    key = check_name(name)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise TerritoiresError(
            f"Mot de passe trop court : {MIN_PASSWORD} caractères au moins.",
            todo="choisir une phrase de passe plus longue.",
        )
    path = path or staff_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path.parent, what="le fichier des comptes"):
        data = _read(path)
        data.setdefault("accounts", {})[key] = {
            "hash": _hasher.hash(password),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        _write(path, data)
    return key


def remove(name: str, path: Path | None = None) -> bool:
    """Delete an account; whether it existed."""
    key = _key(name)
    path = path or staff_file()
    if not path.exists():
        return False
    with locked(path.parent, what="le fichier des comptes"):
        data = _read(path)
        existed = data.get("accounts", {}).pop(key, None) is not None
        if existed:
            _write(path, data)
    return existed


def _wait(failures: int, free: int = FREE_FAILURES) -> float:
    """Seconds to wait after ``failures`` failures in a row (none for the first ``free`` ones)."""
    if failures < free:
        return 0.0
    return min(BASE_WAIT_S * 2 ** (failures - free), MAX_WAIT_S)


def authenticate(
    name: str, password: str, path: Path | None = None, *, client: str = "local", now: float | None = None
) -> SignIn:
    """Check a name and password from ``client`` (an address); count failures; while the throttle holds
    (for this name from this client, or for this name from everywhere), refuse without checking."""
    path = path or staff_file()
    key, now = _key(name)[:64], time.time() if now is None else now
    if not path.parent.exists():
        return SignIn(False, reason="Aucun compte du personnel n'est configuré.")
    keys = {f"{key}|{client[:64]}": FREE_FAILURES, f"{key}|*": NAME_FREE_FAILURES}
    with locked(path.parent, what="le fichier des comptes"):
        attempts_path = path.parent / ATTEMPTS_FILE
        attempts = _read(attempts_path)
        seen = {k: attempts.get(k, {"failures": 0, "last": 0.0}) for k in keys}
        left = max(seen[k]["last"] + _wait(seen[k]["failures"], free) - now for k, free in keys.items())
        if left > 0:
            return SignIn(False, reason=f"Trop d'essais : réessayer dans {left:.0f} s.", wait_s=left)
        account = accounts(path).get(key) if NAME.fullmatch(key) else None
        ok = _verify(account["hash"] if account else _DUMMY, password) and account is not None
        if ok:
            for k in keys:
                attempts.pop(k, None)
            if _hasher.check_needs_rehash(account["hash"]):
                data = _read(path)
                data["accounts"][key]["hash"] = _hasher.hash(password)
                _write(path, data)
        else:
            for k in keys:
                attempts[k] = {"failures": seen[k]["failures"] + 1, "last": now}
            if len(attempts) > MAX_TRACKED:  # forget the oldest: the file stays small
                for old in sorted(attempts, key=lambda k: attempts[k]["last"])[: len(attempts) - MAX_TRACKED]:
                    del attempts[old]
        _write(attempts_path, attempts)
    if ok:
        return SignIn(True, name=key)
    wait = max(_wait(seen[k]["failures"] + 1, free) for k, free in keys.items())
    later = f" Prochain essai possible dans {wait:.0f} s." if wait else ""
    return SignIn(False, reason="Nom ou mot de passe incorrect." + later, wait_s=wait)


def _verify(hashed: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
