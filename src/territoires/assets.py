"""Leaflet and friends, from the XStatic packages: served by the app, or inlined.

Nothing is loaded from a CDN.  At set-up (``territoires assets``, run by
``make setup``) the files are copied from the installed XStatic packages into
``static/vendor/``, which Streamlit serves at ``/app/static/vendor/``; a
standalone HTML export inlines them instead, so it works with no server and no
network.
"""

from __future__ import annotations

import base64
import importlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from territoires.settings import REPO_ROOT

STATIC_DIR = REPO_ROOT / "static" / "vendor"
URL_PREFIX = "/app/static/vendor"


@dataclass(frozen=True)
class Asset:
    package: str  # xstatic.pkg.<package>
    path: str  # inside the package's data directory
    kind: str  # js | css


ASSETS: dict[str, Asset] = {
    "leaflet": Asset("leaflet", "leaflet.js", "js"),
    "leaflet_css": Asset("leaflet", "leaflet.css", "css"),
    "markercluster": Asset("leaflet_markercluster", "leaflet.markercluster.js", "js"),
    "markercluster_css": Asset("leaflet_markercluster", "MarkerCluster.css", "css"),
    "markercluster_default_css": Asset("leaflet_markercluster", "MarkerCluster.Default.css", "css"),
    # Only the solid style: one font file instead of five.
    "fontawesome_css": Asset("font_awesome", "css/fontawesome.min.css", "css"),
    "fontawesome_solid_css": Asset("font_awesome", "css/solid.min.css", "css"),
}
# Whole directories the CSS files refer to (images, fonts).
DIRECTORIES = {"leaflet": ["images"], "font_awesome": ["webfonts"]}


def package_dir(package: str) -> Path:
    """The data directory of an installed XStatic package."""
    mod = importlib.import_module(f"xstatic.pkg.{package}")
    return Path(mod.BASE_DIR)


def install(dest: Path = STATIC_DIR) -> list[Path]:
    """Copy the assets into ``dest`` (idempotent); returns the files written."""
    written = []
    for asset in ASSETS.values():
        src = package_dir(asset.package) / asset.path
        out = dest / asset.package / asset.path
        out.parent.mkdir(parents=True, exist_ok=True)
        if not out.exists() or out.stat().st_size != src.stat().st_size:
            shutil.copyfile(src, out)
            written.append(out)
    for package, dirs in DIRECTORIES.items():
        for d in dirs:
            src = package_dir(package) / d
            out = dest / package / d
            if not out.exists():
                shutil.copytree(src, out)
                written.append(out)
    return written


def installed(dest: Path = STATIC_DIR) -> bool:
    """Whether every asset is in place."""
    return all((dest / a.package / a.path).exists() for a in ASSETS.values())


def url(name: str) -> str:
    """The URL the app serves an asset at."""
    a = ASSETS[name]
    return f"{URL_PREFIX}/{a.package}/{a.path}"


def _inline_css_urls(css: str, base: Path) -> str:
    """Replace ``url(relative)`` in a stylesheet by data URIs, so it needs no server."""

    def repl(m: re.Match) -> str:
        ref = m.group(1).strip("'\"")
        if ref.startswith(("data:", "http:", "https:", "#")):
            return m.group(0)
        path = (base / ref.split("?")[0].split("#")[0]).resolve()
        if not path.exists() or path.suffix not in (".png", ".woff2", ".svg"):
            return "url()"  # e.g. legacy .ttf fallbacks: the woff2 fonts are enough
        mime = {".png": "image/png", ".woff2": "font/woff2", ".svg": "image/svg+xml"}[path.suffix]
        return f"url(data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()})"

    return re.sub(r"url\(([^)]*)\)", repl, css)


def inline(name: str) -> str:
    """An asset's content for inlining in a standalone HTML file."""
    a = ASSETS[name]
    path = package_dir(a.package) / a.path
    text = path.read_text(encoding="utf-8")
    return _inline_css_urls(text, path.parent) if a.kind == "css" else text
