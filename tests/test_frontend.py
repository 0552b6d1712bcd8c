"""Streamlit's page patched in French (territoires.frontend) and how the launcher serves it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from territoires import frontend

PAGE = (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="UTF-8" />\n<title>Streamlit</title>\n'
    '<script type="module" src="./static/js/index.js"></script>\n</head>\n<body><div id="root"></div></body>\n</html>\n'
)


def fake_static(tmp_path: Path) -> Path:
    """A small copy of Streamlit's static directory: its page, a script, a manifest."""
    d = tmp_path / "streamlit-static"
    (d / "static" / "js").mkdir(parents=True)
    (d / "index.html").write_text(PAGE, encoding="utf-8")
    (d / "static" / "js" / "index.js").write_text("console.log('streamlit')", encoding="utf-8")
    (d / "manifest.json").write_text("{}", encoding="utf-8")
    return d


def test_the_page_is_french_titled_and_carries_the_script_once():
    out = frontend.patch_index(PAGE, "/* fr */")
    assert '<html lang="fr">' in out and 'lang="en"' not in out
    assert f"<title>{frontend.TITLE}</title>" in out
    assert out.count("/* fr */") == 1
    # Before Streamlit's own script: the translation observes the page from its first element.
    assert out.index("/* fr */") < out.index("index.js")
    assert "stCaptionContainer" in out


def test_the_script_is_the_package_file_with_backslashes_kept():
    """The real script goes in verbatim (its regular expressions' backslashes included)."""
    script = frontend.SCRIPT.read_text(encoding="utf-8")
    out = frontend.patch_index(PAGE, script)
    assert script in out
    assert r"/^Limit (\d+)MB per file(.*)$/" in out
    assert "Aller au contenu principal" in out


def test_a_page_of_another_shape_is_refused_not_guessed():
    with pytest.raises(frontend.FrontendError):
        frontend.patch_index("<html><head></head></html>", "")
    with pytest.raises(frontend.FrontendError):
        frontend.patch_index('<html lang="en"><body></body></html>', "")


def test_build_links_streamlit_files_and_is_made_once(tmp_path):
    static = fake_static(tmp_path)
    cache = tmp_path / "cache"
    d = frontend.build(static, cache)
    assert (d / "index.html").read_text(encoding="utf-8").startswith('<!doctype html>\n<html lang="fr">')
    assert (d / "static").is_symlink() and (d / "static" / "js" / "index.js").read_text() == "console.log('streamlit')"
    assert (d / "manifest.json").resolve() == (static / "manifest.json").resolve()
    assert (static / "index.html").read_text(encoding="utf-8") == PAGE  # Streamlit's own page untouched
    assert frontend.build(static, cache) == d
    assert [p.name for p in cache.iterdir()] == [d.name]  # no leftover temporary directory


def test_a_new_streamlit_page_gets_a_new_copy(tmp_path):
    static = fake_static(tmp_path)
    first = frontend.build(static, tmp_path / "cache")
    (static / "index.html").write_text(PAGE.replace("index.js", "index.v2.js"), encoding="utf-8")
    second = frontend.build(static, tmp_path / "cache")
    assert second != first and "index.v2.js" in (second / "index.html").read_text(encoding="utf-8")


def test_servers_starting_at_once_share_one_whole_copy(tmp_path):
    static = fake_static(tmp_path)
    cache = tmp_path / "cache"
    results, errors = [], []

    def start():
        try:
            results.append(frontend.build(static, cache))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(results)) == 1
    assert sorted(p.name for p in cache.iterdir()) == [results[0].name]
    assert '<html lang="fr">' in (results[0] / "index.html").read_text(encoding="utf-8")


def test_the_launcher_points_streamlit_at_the_copy_or_leaves_it(tmp_path, monkeypatch):
    from streamlit import file_util

    from territoires import serve

    original = file_util.get_static_dir
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(file_util, "get_static_dir", lambda: str(fake_static(tmp_path)))
    try:
        patched = serve.french_frontend()
        assert patched is not None and patched.parent == tmp_path / "cache"
        assert file_util.get_static_dir() == str(patched)
        # A Streamlit whose page changed shape: its page is served as it is, the server still starts.
        odd = tmp_path / "odd"
        odd.mkdir()
        (odd / "index.html").write_text("<html><body></body></html>", encoding="utf-8")
        monkeypatch.setattr(file_util, "get_static_dir", lambda: str(odd))
        assert serve.french_frontend() is None
        assert file_util.get_static_dir() == str(odd)
    finally:
        file_util.get_static_dir = original


def test_the_translations_are_fixed_strings_only():
    """No data goes through the script: it holds Streamlit's strings and their French, nothing read
    from the page is ever inserted as HTML."""
    js = frontend.SCRIPT.read_text(encoding="utf-8")
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js
    assert "Skip to main content" in js and "Help for" in js and "Clear all" in js
