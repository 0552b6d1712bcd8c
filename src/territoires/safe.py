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
        if out[col].dtype == object or str(out[col].dtype).startswith("string"):
            out[col] = out[col].map(spreadsheet_cell)
    return out
