"""The project's promises: README commands, CI script, pinned configuration."""

from __future__ import annotations

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


def test_domain_modules_never_import_streamlit():
    src = REPO_ROOT / "src" / "territoires"
    for path in src.rglob("*.py"):
        if "ui" in path.relative_to(src).parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert "import streamlit" not in text, path


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
