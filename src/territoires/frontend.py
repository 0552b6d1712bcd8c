"""Streamlit's page, in French: ``<html lang="fr">``, our title, readable captions, French controls.

Streamlit serves one ``index.html`` for every page, with ``lang="en"`` and an English skip link,
and has no setting for either.  At start, :func:`build` makes a copy of Streamlit's static
directory in which ``index.html`` is patched (language, title, a style sheet, and
``frontend_fr.js`` inlined: it translates Streamlit's own fixed strings as they appear) and every
other entry is a symbolic link to the installed package.  ``territoires serve`` points Streamlit
at that copy.  Nothing here imports Streamlit: the caller passes its directory.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

TITLE = "Territoires — ESS et coopération territoriale"
SCRIPT = Path(__file__).with_name("frontend_fr.js")
# RGAA 3.2: text contrast ≥ 4.5:1. Streamlit draws captions at 60 % opacity, a grey of 3.9:1 on
# white (#828180); this grey, opaque, reaches 6.8:1 on white and 6.1:1 on the sidebar. The chips of
# the multiple choices show their whole label (Streamlit cuts them: « Pôle territorial de c… »).
CSS = """
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stMultiSelect"] span[data-tag] {
  max-width: 100% !important; height: auto !important; white-space: normal !important; }
[data-testid="stMultiSelect"] span[data-tag] > span[title] {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * { color: #5c5b57 !important; }
"""


class FrontendError(RuntimeError):
    """Streamlit's page could not be patched (its layout changed): the launcher serves it unchanged."""


def patch_index(html: str, script: str) -> str:
    """``html`` with ``lang="fr"``, our title, the style sheet and the script (before Streamlit's)."""
    out, n = re.subn(r"<html\s+lang=\"[^\"]*\"", '<html lang="fr"', html, count=1)
    if n != 1:
        raise FrontendError("index.html de Streamlit sans <html lang=…> : page laissée telle quelle")
    out = re.sub(r"<title>[^<]*</title>", lambda _: f"<title>{TITLE}</title>", out, count=1)
    head = f"<style>{CSS}</style>\n<script>{script}</script>\n"
    # Before Streamlit's first script (after its <meta charset>), else at the end of <head>; a function
    # as replacement, so that the script's backslashes are not read as escapes.
    where = r"<script" if re.search(r"<script", out[: out.find("</head>")]) else r"</head>"
    out, n = re.subn(where, lambda m: head + m.group(0), out, count=1)
    if n != 1 or "</head>" not in out:
        raise FrontendError("index.html de Streamlit sans </head> : page laissée telle quelle")
    return out


def build(streamlit_static: Path, cache: Path) -> Path:
    """The patched copy of ``streamlit_static`` under ``cache`` (made once per Streamlit and patch).

    The copy's name carries a hash of Streamlit's page and of the patch, so a new Streamlit or a
    new script gets a new copy; it is written under a temporary name and renamed, so two servers
    starting at once never see a half-made copy.
    """
    html = (streamlit_static / "index.html").read_text(encoding="utf-8")
    patched = patch_index(html, SCRIPT.read_text(encoding="utf-8"))
    digest = hashlib.sha256((str(streamlit_static) + patched).encode()).hexdigest()[:16]
    dest = cache / f"frontend-{digest}"
    if (dest / "index.html").is_file():
        return dest
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".frontend-", dir=cache))
    try:
        for entry in streamlit_static.iterdir():
            if entry.name != "index.html":
                os.symlink(entry, tmp / entry.name)
        (tmp / "index.html").write_text(patched, encoding="utf-8")
        os.rename(tmp, dest)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (dest / "index.html").is_file():  # not another server's copy, made at the same time
            raise
    return dest
