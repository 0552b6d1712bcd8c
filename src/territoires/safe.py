"""The one escaping helper for every data string that reaches folium, branca or HTML.

folium/branca render map code as a Jinja template (twice): ``{{ 7*7 }}`` in a
name would come out as 49, and worse would run on the server.  Popups and
tooltips are raw HTML in the browser, and folium puts some HTML inside JavaScript
template literals.  So every data string goes through :func:`text`: HTML-escaped,
then ``{``, ``}``, ``$``, backtick and backslash turned into entities, which
neither Jinja, JavaScript nor the browser will execute.
"""

from __future__ import annotations

import html
import re
from typing import Any

# Braces for Jinja; `$`, backtick and backslash because folium puts some HTML in JS template literals.
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;", "$": "&#36;", "`": "&#96;", "\\": "&#92;"})


def text(value: Any, max_len: int = 2000) -> str:
    """A data value as inert HTML text (``None`` → empty); long values are cut with an ellipsis."""
    if value is None:
        return ""
    s = str(value)
    if len(s) > max_len:
        s = s[: max_len - 1] + "…"
    return html.escape(s, quote=True).translate(_BRACES)


def url(value: Any) -> str | None:
    """A website address safe for an ``href``: http(s) only, escaped; anything else → None."""
    if not value:
        return None
    s = str(value).strip()
    if not s.lower().startswith(("http://", "https://")) or any(c in s for c in "<>\"' \n\t"):
        return None
    return text(s)


def script_json(value: Any) -> str:
    """JSON for inclusion inside a ``<script>`` element: no ``</script>`` break-out, no ``<!--``."""
    import json

    return (
        json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """A text cell that a spreadsheet will not run as a formula (« =HYPERLINK(…) » → « '=HYPERLINK(…) »)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def spreadsheet_frame(df):
    """Every text cell of a DataFrame made inert for CSV/XLSX (numbers untouched)."""
    out = df.copy()
    for col in out.columns:
        # pandas 3 reads text as the ``str`` dtype (neither object nor "string…"): any text column counts.
        if out[col].dtype == object or str(out[col].dtype) in ("str",) or str(out[col].dtype).startswith("string"):
            out[col] = out[col].map(spreadsheet_cell)
    return out


# --------------------------------------------------------------- registry files a spreadsheet may open
def stored_cell(value: str) -> str:
    """A text as written in a registry file (``actors.csv``, ``changelog.csv``): never leading a cell
    with a formula character.  A leading apostrophe is added (and to a text that starts with one, so
    that :func:`stored_text` gives back exactly what was written)."""
    if value.startswith((*_FORMULA_START, "'")):
        return "'" + value
    return value


def stored_text(cell: str) -> str:
    """A registry file's cell back to the text as written: :func:`stored_cell` undone."""
    if cell.startswith("'") and cell[1:].startswith((*_FORMULA_START, "'")):
        return cell[1:]
    return cell


# C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings, overrides and isolates
# (which make a name read backwards: « \u202eeliF » shows as « File »).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str) -> tuple[str, int]:
    """``value`` without control characters (see :data:`CONTROL`), and how many were removed."""
    cleaned, n = CONTROL.subn("", value.replace("\r\n", "\n"))  # a Windows line break is not an attack
    return cleaned, n
