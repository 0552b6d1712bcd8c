"""Files named by their content are kept a year by the browser (issue 19: geometry sent once)."""

from __future__ import annotations

import asyncio

from territoires import serve
from territoires.httpcache import IMMUTABLE, CacheHeaders, cache_control


def test_only_content_named_files_get_a_long_cache():
    assert cache_control("/app/static/geo/departements-france-fa12147f3e46d7d12d17.json.gz") == IMMUTABLE
    assert cache_control("/app/static/geo/territoires-597bbb0399068e14e0a5.js") == IMMUTABLE
    assert cache_control("/component/streamlit_folium.st_folium/static/js/main.521860b0.js") == IMMUTABLE
    # Pages, Streamlit's own routes, the vendor files (same name across versions) keep the server's.
    for path in (
        "/",
        "/fiche",
        "/app/static/geo/",
        "/app/static/vendor/leaflet/leaflet.js",
        "/component/streamlit_folium.st_folium/index.html",
        "/_stcore/health",
        "/app/static/geo/../vendor/x.js",
    ):
        assert cache_control(path) is None, path
    # Behind a base URL (server.baseUrlPath): the same rules under it.
    assert cache_control("/carte/app/static/geo/a-1.json.gz", "carte") == IMMUTABLE
    assert cache_control("/carte/app/static/geo/a-1.json.gz", "/carte/") == IMMUTABLE
    assert cache_control("/autre/app/static/vendor/x.js", "carte") is None


def _call(path: str, status: int, method: str = "GET") -> list[dict]:
    sent: list[dict] = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": status, "headers": [(b"cache-control", b"public")]})
        await send({"type": "http.response.body", "body": b"x"})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "method": method, "path": path}
    asyncio.run(CacheHeaders(app)(scope, receive, send))
    return sent


def _header(sent: list[dict]) -> list[bytes]:
    return [v for k, v in sent[0]["headers"] if k == b"cache-control"]


def test_the_middleware_replaces_the_header_of_successful_answers_only():
    url = "/app/static/geo/popups-b17c7c7febca14e77bdf.json.gz"
    assert _header(_call(url, 200)) == [IMMUTABLE.encode()]  # one header, not two
    assert _header(_call(url, 304)) == [IMMUTABLE.encode()]
    assert _header(_call(url, 404)) == [b"public"]  # a missing file is asked again later
    assert _header(_call(url, 200, "POST")) == [b"public"]
    assert _header(_call("/fiche", 200)) == [b"public"]
    assert _call(url, 200)[1]["body"] == b"x"  # the body passes untouched


def test_the_launcher_installs_it_in_streamlits_server(monkeypatch):
    from streamlit.web.server.starlette import starlette_app

    monkeypatch.setattr(starlette_app, "create_streamlit_middleware", starlette_app.create_streamlit_middleware)
    assert serve.long_cache()
    assert serve.long_cache()  # twice: installed once
    stack = starlette_app.create_streamlit_middleware()
    assert [m.cls for m in stack].count(CacheHeaders) == 1
