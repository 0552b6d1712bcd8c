"""Start the dashboard on 127.0.0.1 for end-to-end tests, and stop it."""

from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path

from serverproc import start_background

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach Google's hosts on this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def dashboard(data_dir: Path | None = None, timeout: float = 60, env: dict[str, str] | None = None):
    """Run the dashboard on a free port and yield its URL once it answers."""
    env = {**({"TERRITOIRES_DATA_DIR": str(data_dir)} if data_dir is not None else {}), **(env or {})}
    proc, url, _ = start_background(env, timeout)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
