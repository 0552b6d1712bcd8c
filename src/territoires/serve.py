"""``territoires serve``: the dashboard, with its data warmed while the server starts.

Streamlit runs the app's script only when a browser connects, so the first
visitor would wait for the imports, the data and the first map.  This launcher
starts a background thread that does that work while Streamlit boots and the
browser loads the page; Streamlit's ``cache_resource`` is per process, so the
first session finds it done.
"""

from __future__ import annotations

import sys
import threading

from territoires.settings import REPO_ROOT


def warm() -> None:
    """Import the pages, load the data and build the default map into the process caches."""
    try:
        import logging

        logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
        logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
        import time

        from streamlit import runtime

        # Start once the server is up: before, the warm-up would slow its boot (one GIL); after,
        # it overlaps the browser loading Streamlit's own page.
        for _ in range(400):
            if runtime.exists():
                break
            time.sleep(0.025)
        import folium  # noqa: F401 — imported now rather than on the first visit

        from territoires.state import MapState
        from territoires.ui import common  # no custom component here (see below)

        common.cached_map(MapState())  # imports, dataset, display geometries, the default map
        # streamlit-folium is not imported here: it registers its component when imported, and
        # outside a script run the server would not know it (404 on the component's files).
    except Exception:  # noqa: S110 — the app reports data problems itself, in French, on the page
        pass


def main(argv: list[str] | None = None) -> None:
    """Start the warm-up thread, then Streamlit on ``app.py`` with the given options."""
    threading.Thread(target=warm, name="territoires-warm", daemon=True).start()
    from streamlit.web import cli as stcli

    sys.argv = ["streamlit", "run", str(REPO_ROOT / "app.py"), *(argv if argv is not None else sys.argv[1:])]
    sys.exit(stcli.main())


if __name__ == "__main__":
    main()
