"""``territoires serve``: the dashboard, with its data warmed while the server starts.

Streamlit runs the app's script only when a browser connects, so the first
visitor would wait for the imports, the data and the first map.  This launcher
starts a background thread that does that work while Streamlit boots and the
browser loads the page; Streamlit's ``cache_resource`` is per process, so the
first session finds it done.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
from pathlib import Path

from territoires.errors import TerritoiresError
from territoires.settings import REPO_ROOT

log = logging.getLogger("territoires")


def warm() -> None:
    """Import the pages, load the data and build the default map into the process caches."""
    try:
        logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
        logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
        import time

        from streamlit import runtime
        from streamlit.runtime.runtime import RuntimeState

        # Start once the server is up: before, the warm-up would slow its boot (one GIL); after,
        # it overlaps the browser loading Streamlit's own page.
        for _ in range(1000):
            if runtime.exists() and runtime.get_instance().state != RuntimeState.INITIAL:
                break
            time.sleep(0.01)

        from territoires import snapshot
        from territoires.state import MapState
        from territoires.ui import common  # no custom component here (see below)

        common.map_for(MapState())  # imports, dataset (snapshot), display geometries, the default map
        # streamlit-folium is not imported here: it registers its component when imported, and
        # outside a script run the server would not know it (404 on the component's files).
        if not snapshot.is_current():
            try:  # new data or code: the next start is fast again
                snapshot.save(common.geometry_for(""))
            except OSError as exc:  # a read-only data directory: the dashboard works, only slower to start
                log.warning("instantané de démarrage non écrit : %s", exc)
    except TerritoiresError as exc:  # a data problem: the page reports it to the visitor, in French, too
        log.warning("préparation du tableau de bord interrompue : %s", exc)
    except Exception:  # the warm-up is an optimisation: the first visit does the same work and shows the error
        log.exception("préparation du tableau de bord interrompue par une erreur inattendue")


def french_frontend() -> Path | None:
    """Point Streamlit at its page patched in French (:mod:`territoires.frontend`); the patched copy's
    directory, or None when it could not be made (Streamlit's own page is then served, in English)."""
    from streamlit import file_util

    from territoires import frontend
    from territoires.settings import data_dir

    original = Path(file_util.get_static_dir())
    for cache in (data_dir() / "cache", Path(tempfile.gettempdir()) / "territoires"):
        try:
            patched = frontend.build(original, cache)
        except OSError:
            continue  # a read-only data directory: the temporary directory then
        except Exception:  # a translation is never worth a server that does not start
            log.exception("page de Streamlit non traduite")
            return None
        # Read by Streamlit when it creates its routes (starlette_static_routes), after this call.
        file_util.get_static_dir = lambda path=str(patched): path
        return patched
    log.warning("page de Streamlit non traduite : ni %s ni le répertoire temporaire ne sont inscriptibles", cache)
    return None


def long_cache() -> bool:
    """Add :class:`territoires.httpcache.CacheHeaders` to Streamlit's server (files named by their
    content kept a year by the browser); False when this Streamlit builds its server otherwise."""
    try:
        from starlette.middleware import Middleware
        from streamlit import config
        from streamlit.web.server.starlette import starlette_app
    except ImportError:
        log.warning("en-têtes de cache non installés : serveur de Streamlit inattendu")
        return False
    from territoires.httpcache import CacheHeaders

    original = starlette_app.create_streamlit_middleware
    if getattr(original, "territoires", False):
        return True

    def middleware() -> list:
        base = config.get_option("server.baseUrlPath") or ""
        return [*original(), Middleware(CacheHeaders, base_url=base)]

    middleware.territoires = True  # type: ignore[attr-defined]
    starlette_app.create_streamlit_middleware = middleware
    return True


def main(argv: list[str] | None = None) -> None:
    """Start the warm-up thread, then Streamlit on ``app.py`` with the given options."""
    # pandera imports hypothesis (a test dependency, present in the shared .venv) when it first
    # validates, only to offer data-synthesis strategies the server never uses: 0.1 s of every start.
    sys.modules.setdefault("hypothesis", None)
    threading.Thread(target=warm, name="territoires-warm", daemon=True).start()
    french_frontend()
    long_cache()
    from streamlit.web import cli as stcli

    sys.argv = ["streamlit", "run", str(REPO_ROOT / "app.py"), *(argv if argv is not None else sys.argv[1:])]
    sys.exit(stcli.main())


if __name__ == "__main__":
    main()
