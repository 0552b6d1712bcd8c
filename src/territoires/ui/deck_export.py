"""The Diaporama page's export: the storyboard as an editable PowerPoint or a PDF, built on demand,
with QR codes that open the dashboard's public address."""

from __future__ import annotations

import streamlit as st

from territoires.errors import TerritoiresError
from territoires.settings import is_local_url, public_url
from territoires.storyboard import Storyboard
from territoires.ui.common import geometry_for, show_error

DECK_FORMATS = {"pptx": "PowerPoint (modifiable)", "pdf": "PDF"}


@st.cache_data(show_spinner=False, max_entries=8)
def _deck(text: str, fmt: str, base_url: str, day: str) -> bytes:
    import datetime as dt

    from territoires.export.deck import build_deck
    from territoires.storyboard import parse

    sb = parse(text, "diaporama")
    return build_deck(geometry_for(""), sb, fmt, base_url, today=dt.date.fromisoformat(day))


def base_url() -> str:
    """The dashboard's address for the slides' QR codes: the deployment's public one
    (``$TERRITOIRES_PUBLIC_URL``), else the one the visitor reached, base path included."""
    from urllib.parse import urlsplit

    if url := public_url():
        return url
    try:
        u = urlsplit(str(st.context.url or ""))
        base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    except Exception:  # an older Streamlit, or no request (tests)
        return "http://localhost:8501"
    if not (u.scheme and u.netloc):
        return "http://localhost:8501"
    return f"{u.scheme}://{u.netloc}" + (f"/{base}" if base else "")


def _qr_address() -> str | None:
    """The address the presenter wants in the QR codes (the dashboard's by default), or None if invalid."""
    from urllib.parse import urlsplit

    default = base_url()
    raw = (
        st.text_input(
            "Adresse du tableau de bord dans les QR codes",
            value=default,
            max_chars=200,
            key="sb_qr_base",
            help="Les QR codes des diapositives ouvrent cette adresse : celle que le public peut atteindre.",
        )
        .strip()
        .rstrip("/")
    )
    u = urlsplit(raw)
    if u.scheme not in ("http", "https") or not u.netloc or u.query:
        st.error("Adresse invalide : donnez une adresse web complète, par exemple https://territoires.exemple.fr.")
        return None
    if is_local_url(raw):
        st.warning(
            "Cette adresse ne s'ouvre que sur l'ordinateur qui fait tourner le tableau de bord : "
            "les téléphones de la salle ne pourront pas suivre les QR codes. Donnez l'adresse publique."
        )
    return raw


def section(sb: Storyboard) -> None:
    """« Exporter le diaporama (PowerPoint / PDF) », built on demand like the map's export."""
    from territoires.storyboard import dumps

    st.header("Exporter le diaporama (PowerPoint / PDF)")
    fmt = st.radio("Format", ["pptx", "pdf"], horizontal=True, key="sb_fmt", format_func=DECK_FORMATS.get)
    base = _qr_address()
    if base is None:
        return
    import datetime as dt

    from territoires import fmt as fmt_fr

    typed = st.text_input(
        "Jour de la présentation, écrit sur chaque page (JJ/MM/AAAA)",
        value=dt.date.today().strftime("%d/%m/%Y"),
        max_chars=10,
        key="sb_day",
    )
    day = fmt_fr.parse_day(typed)
    if day is None:
        st.error("Date invalide : écrivez le jour de la rencontre, par exemple 08/12/2026.")
        return
    wanted = (dumps(sb), fmt, base, day.isoformat())
    if st.button("Préparer l'export", key="sb_prep"):
        st.session_state["sb_ready"] = wanted
    if st.session_state.get("sb_ready") != wanted:
        return
    # Each slide is drawn (a few seconds each, more for a PDF's pages): the wait is said, in French.
    seconds = len(sb.slides) * (8 if fmt == "pdf" else 3)
    wait = f"Préparation du diaporama : {len(sb.slides)} diapositives, environ {seconds} s…"
    try:
        with st.spinner(wait):
            data = _deck(*wanted)
    except TerritoiresError as exc:
        show_error(exc)
        return
    except Exception:  # logged for the operator; the visitor gets French
        import logging

        logging.getLogger("territoires").exception("export du diaporama")
        st.error("L'export du diaporama a échoué : le détail est dans le journal du serveur.")
        return
    mime = {
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pdf": "application/pdf",
    }
    st.download_button("Télécharger le diaporama", data=data, file_name=f"diaporama.{fmt}", mime=mime[fmt], key="sb_dl")
