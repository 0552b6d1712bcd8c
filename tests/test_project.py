"""The project's promises: README commands, CI script, pinned configuration."""

from __future__ import annotations

import ast
import subprocess
import tomllib

from territoires.settings import REPO_ROOT


def test_readme_starts_with_the_two_commands():
    lines = [ln for ln in (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines() if ln.strip()]
    head = "\n".join(lines[:5])
    assert "make run" in head
    assert "make test" in head


def test_ci_runs_the_readme_test_command():
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_make_targets_create_the_venv_in_the_repo():
    mk = (REPO_ROOT / "Makefile").read_text()
    assert "VENV := .venv" in mk
    for target in ("run:", "test:", "setup:"):
        assert target in mk


def test_streamlit_config_is_pinned():
    cfg = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"]["maxUploadSize"] <= 10
    assert cfg["server"]["enableStaticServing"] is True  # Leaflet from ./static/vendor, not a CDN
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["client"]["showErrorDetails"] not in ("full", True, "stacktrace")
    assert cfg["client"]["toolbarMode"] == "minimal"
    assert cfg["server"]["fileWatcherType"] == "none"  # no watcher per session in a deployment
    assert cfg["runner"]["postScriptGC"] is False  # no full collection after every rerun of every session


def test_streamlit_reads_the_pinned_config():
    """Streamlit itself, started in the repository, sees the pinned values."""
    code = (
        "from streamlit import config; config.get_config_options(force_reparse=True);"
        "print(config.get_option('server.enableXsrfProtection'), config.get_option('server.maxUploadSize'),"
        "config.get_option('browser.gatherUsageStats'), config.get_option('client.showErrorDetails'))"
    )
    out = subprocess.run(
        [str(REPO_ROOT / ".venv" / "bin" / "python"), "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["True", "5", "False", "none"]


def test_no_data_reaches_markdown_or_unsafe_html():
    """Pages show data with st.text / st.dataframe; nothing passes unsafe_allow_html."""
    ui = REPO_ROOT / "src" / "territoires" / "ui"
    for path in ui.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in text, path
        assert "st.markdown(f" not in text and "st.write(f" not in text, path


def imported_modules(source: str, package: str = "") -> set[str]:
    """Every module an import statement names, wherever it is (module level, in a function, in ``try``).

    ``from a.b import c`` gives ``a.b`` and ``a.b.c`` (``c`` may be a module); relative imports are
    resolved against ``package``.
    """
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_imported_modules_sees_every_form_of_import():
    source = (
        "import os, streamlit.web.cli as c\n"
        "from streamlit import runtime\n"
        "def f():\n    from streamlit_folium import st_folium\n"
        "try:\n    import folium\nexcept ImportError:\n    pass\n"
        "from . import maps\nfrom ..ui import common\n"
    )
    found = imported_modules(source, "territoires.webmap")
    assert {"os", "streamlit.web.cli", "streamlit", "streamlit.runtime", "streamlit_folium", "folium"} <= found
    assert {"territoires.webmap.maps", "territoires.ui.common"} <= found


# serve.py starts Streamlit (it is the launcher); the pages in ui/ are where Streamlit is used.
MAY_IMPORT_STREAMLIT = ("territoires.ui", "territoires.serve")


def test_domain_modules_never_import_streamlit():
    src = REPO_ROOT / "src"
    offenders = []
    for path in sorted((src / "territoires").rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if any(module == m or module.startswith(f"{m}.") for m in MAY_IMPORT_STREAMLIT):
            continue
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for name in sorted(imported_modules(path.read_text(encoding="utf-8"), package)):
            if name.split(".")[0] in ("streamlit", "streamlit_folium"):
                offenders.append(f"{module} importe {name}")
    assert not offenders, "\n".join(offenders)


def test_cli_help_is_french_and_complete():
    out = subprocess.run(
        [str(REPO_ROOT / ".venv" / "bin" / "territoires"), "geo", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for cmd in ("build", "check", "fetch"):
        assert cmd in out
    assert "Contours officiels" in out


def test_every_command_is_documented_in_the_readme():
    """A command nobody can find is a command nobody uses: each one is in the README's table."""
    import typer.main

    from territoires.cli import app

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    missing = []
    for name, cmd in group.commands.items():
        subs = getattr(cmd, "commands", None)
        for sub in subs or [None]:
            words = f"territoires {name}" + (f" {sub}" if sub else "")
            if words not in readme:
                missing.append(words)
    assert not missing, missing
