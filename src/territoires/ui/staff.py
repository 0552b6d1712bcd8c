"""Who may write: the staff sign-in of the dashboard (the public one is read-only).

With an OpenID Connect provider configured in ``.streamlit/secrets.toml`` (``[auth]``), staff sign
in through Streamlit's ``st.login`` and are those whose address is in ``TERRITOIRES_STAFF_EMAILS``.
Otherwise, local accounts (:mod:`territoires.staff`, Argon2 hashes) with a name and a password.

A signed-in session is remembered here, on the server, by Streamlit's session id — never in a
widget's state, which the browser could send.
"""

from __future__ import annotations

import threading
import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from territoires import staff
from territoires.settings import staff_emails

SESSION_TTL_S = 8 * 3600  # a working day; then sign in again
_signed_in: dict[str, tuple[str, float]] = {}  # session id → (account, signed in at)
_lock = threading.Lock()


def _session_id() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def _oidc() -> bool:
    """Whether an OpenID Connect provider is configured (``[auth]`` in the secrets)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises rather than answering False
        return False


def current() -> str | None:
    """The staff account of this session, or None (anonymous, or not staff)."""
    if _oidc():
        user = st.user
        email = str(user.get("email") or "").lower() if user.get("is_logged_in") else ""
        return email if email and email in staff_emails() else None
    sid = _session_id()
    now = time.time()
    with _lock:
        for key in [k for k, (_, at) in _signed_in.items() if now - at > SESSION_TTL_S]:
            del _signed_in[key]  # expired, or a browser closed long ago
        who = _signed_in.get(sid) if sid else None
    return who[0] if who else None


def sign_out() -> None:
    """Forget this session's sign-in."""
    if _oidc():
        st.logout()
        return
    sid = _session_id()
    with _lock:
        _signed_in.pop(sid, None)


def _client() -> str:
    """The visitor's address as Streamlit sees it (behind a proxy, the proxy's: see the README)."""
    try:
        return str(st.context.ip_address or "inconnue")
    except Exception:  # an older Streamlit, or no request in this context
        return "inconnue"


def _sign_in_form() -> None:
    with st.form("staff_sign_in", clear_on_submit=True):
        name = st.text_input("Nom du compte", max_chars=64)
        password = st.text_input("Mot de passe", type="password", max_chars=staff.MAX_PASSWORD)
        submitted = st.form_submit_button("Se connecter")
    if not submitted:
        return
    result = staff.authenticate(name, password, client=_client())
    if not result.ok:
        st.error(result.reason)
        return
    sid = _session_id()
    if sid:
        with _lock:
            _signed_in[sid] = (result.name, time.time())
    st.rerun()


def panel() -> str | None:
    """The staff corner: who is signed in (and a way out), or how to sign in, or how to enable it."""
    st.header("Espace du personnel")
    who = current()
    if who:
        st.text(f"Connecté·e : {who}")
        st.button("Se déconnecter", key="staff_out", on_click=sign_out)
        return who
    if _oidc():
        if st.user.get("is_logged_in"):
            st.warning("Ce compte n'est pas celui d'un membre du personnel : lecture seule.")
            st.button("Se déconnecter", key="staff_out", on_click=sign_out)
        elif st.button("Se connecter (compte de l'organisation)", key="staff_oidc"):
            st.login()
        return None
    if not staff.configured():
        st.info(
            "Le tableau de bord public est en lecture seule. Pour importer des adhérents ou des pôles, "
            "le personnel du réseau demande un compte à l'administrateur du tableau de bord."
        )
        return None
    st.caption("L'import de fichiers est réservé au personnel du réseau.")
    _sign_in_form()
    return None
