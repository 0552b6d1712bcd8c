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
        from streamlit.runtime.runtime import RuntimeState

        # Start once the server is up: before, the warm-up would slow its boot (one GIL); after,
        # it overlaps the browser loading Streamlit's own page.
        for _ in range(1000):
            if runtime.exists() and runtime.get_instance().state != RuntimeState.INITIAL:
                break
            time.sleep(0.01)
        import folium  # noqa: F401 — imported now rather than on the first visit

        from territoires import snapshot
        from territoires.state import MapState
        from territoires.ui import common  # no custom component here (see below)

        common.cached_map(MapState())  # imports, dataset (snapshot), display geometries, the default map
        # streamlit-folium is not imported here: it registers its component when imported, and
        # outside a script run the server would not know it (404 on the component's files).
        if not snapshot.is_current():
            try:  # new data or code: the next start is fast again
                snapshot.save(common.mapdata_for(""))
            except OSError as exc:  # a read-only data directory: the dashboard works, only slower to start
                logging.getLogger("territoires").warning("instantané de démarrage non écrit : %s", exc)
    except Exception:  # noqa: S110 — the app reports data problems itself, in French, on the page
        pass


def main(argv: list[str] | None = None) -> None:
    """Start the warm-up thread, then Streamlit on ``app.py`` with the given options."""
    # pandera imports hypothesis (a test dependency, present in the shared .venv) when it first
    # validates, only to offer data-synthesis strategies the server never uses: 0.1 s of every start.
    sys.modules.setdefault("hypothesis", None)
    threading.Thread(target=warm, name="territoires-warm", daemon=True).start()
    from streamlit.web import cli as stcli

    sys.argv = ["streamlit", "run", str(REPO_ROOT / "app.py"), *(argv if argv is not None else sys.argv[1:])]
    sys.exit(stcli.main())


if __name__ == "__main__":
    main()


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_background(env: dict | None = None, timeout: float = 60) -> tuple:
    """Start ``territoires serve`` on 127.0.0.1 (tests, benchmarks); return (process, url, start time).

    Waits until ``/_stcore/health`` answers; raises if the server exits or does not answer in time.
    """
    import os
    import subprocess
    import tempfile
    import time

    import requests

    port = free_port()
    t0 = time.perf_counter()
    # The server's log goes to a file, never to a pipe nobody reads: a full pipe would block the server.
    log = tempfile.TemporaryFile()  # noqa: SIM115 — lives as long as the server, closed with the process
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "territoires.serve",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() - t0 < timeout:
        try:
            if requests.get(f"{url}/_stcore/health", timeout=0.5).ok:
                return proc, url, t0
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(log.read().decode(errors="replace")[-2000:])
        time.sleep(0.01)
    proc.terminate()
    raise TimeoutError("le tableau de bord n'a pas démarré")
