"""Start ``territoires serve`` in a child process on 127.0.0.1 (end-to-end tests, bench/, scripts/).

Not part of the package: the dashboard itself never starts a copy of itself.  bench/ and scripts/
import this module after putting ``tests/`` on ``sys.path``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time

import requests

from territoires.settings import REPO_ROOT


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_background(env: dict | None = None, timeout: float = 60) -> tuple[subprocess.Popen, str, float]:
    """Start ``territoires serve`` on 127.0.0.1; return (process, url, start time).

    Waits until ``/_stcore/health`` answers; raises if the server exits or does not answer in time.
    """
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
            pass  # not listening yet
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(log.read().decode(errors="replace")[-2000:])
        time.sleep(0.01)
    proc.terminate()
    raise TimeoutError("le tableau de bord n'a pas démarré")
