"""What bench/abuse.py needs around its cases: a copy of the data, the CLI under /usr/bin/time, a server
whose memory is watched, a browser, and the checks of the registry and the store after each case.

Nothing here ever touches the repository's own data/ directory: everything runs on a copy in a
temporary directory (``Workspace``), restored from a pristine copy after a case that wrote to it.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # httpfixture, e2e_server (Chromium arguments)

from e2e_server import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

REAL_DATA = ROOT / "data"
VENV_BIN = Path(sys.executable).parent
TERRITOIRES = str(VENV_BIN / "territoires")
GNU_TIME = "/usr/bin/time"
PASSWORD = "une phrase de passe assez longue"
ACCOUNTS = ("alice", "bob")  # alice imports through the form; bob is the one whose password is guessed
SERVE = [sys.executable, "-m", "territoires.serve"]
BENIGN = ("Failed to load resource: the server responded with a status of 404",)


def sha_tree(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (dot files and sub-directories included), by relative path."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def log_records(path: Path) -> int:
    """Records of a CSV change log (0 when it does not exist); a quoted field may hold newlines."""
    if not path.exists():
        return 0
    with path.open(encoding="utf-8", newline="") as fh:
        return max(0, sum(1 for _ in csv.reader(fh)) - 1)


def shown(text: str, n: int = 200) -> str:
    """What the user saw, on one line: whitespace collapsed, the first ``n`` characters."""
    return re.sub(r"\s+", " ", text).strip()[:n]


# ----------------------------------------------------------------------------------- the data copy
class Workspace:
    """A temporary data directory (geo/, registry/, cache/), a pristine copy to restore, staff accounts."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="territoires-abuse-"))
        self.data = self.root / "data"
        self.pristine = self.root / "pristine"
        self.files = self.root / "files"  # the hostile inputs
        self.files.mkdir()
        for sub in ("geo", "registry"):
            shutil.copytree(REAL_DATA / sub, self.pristine / sub, symlinks=True)
            shutil.copytree(REAL_DATA / sub, self.data / sub, symlinks=True)
        if (REAL_DATA / "cache").is_dir():  # the start-up snapshot: a faster server start, not checked
            shutil.copytree(REAL_DATA / "cache", self.data / "cache")
        self.staff_file = self.root / "staff" / "comptes.json"
        from territoires import staff

        for name in ACCOUNTS:
            staff.add(name, PASSWORD, self.staff_file)
        self.real_before = self.real_sha()
        self.base = {sub: sha_tree(self.pristine / sub) for sub in ("geo", "registry")}

    def real_sha(self) -> dict[str, dict[str, str]]:
        return {sub: sha_tree(REAL_DATA / sub) for sub in ("geo", "registry")}

    def sha(self, sub: str) -> dict[str, str]:
        return sha_tree(self.data / sub)

    def restore(self) -> None:
        """Put back geo/ and registry/ as they were copied, if a case changed them."""
        for sub in ("geo", "registry"):
            if self.sha(sub) != self.base[sub]:
                shutil.rmtree(self.data / sub)
                shutil.copytree(self.pristine / sub, self.data / sub, symlinks=True)
        for left in self.data.glob(".geo-fetch-*"):
            shutil.rmtree(left, ignore_errors=True)

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in (*self.data.glob(".geo-*"), *REAL_DATA.glob(".geo-*")))

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "TERRITOIRES_DATABASE_URL"}
        env.update(TERRITOIRES_STAFF_FILE=str(self.staff_file), PYTHONWARNINGS="ignore", COLUMNS="200")
        return env

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


# ------------------------------------------------------------------------------------- the CLI
@dataclass
class Run:
    code: int
    out: bytes
    err: bytes
    seconds: float
    peak_mb: float

    @property
    def text(self) -> str:
        return (self.err + b"\n" + self.out).decode("utf-8", "replace")


def _time_prefix(report: Path) -> list[str]:
    return [GNU_TIME, "-v", "-o", str(report)] if Path(GNU_TIME).exists() else []


def _max_rss(report: Path) -> float | None:
    if not report.exists():
        return None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text(errors="replace"))
    return round(int(m.group(1)) / 1024, 1) if m else None


def start_cli(ws: Workspace, args: list[str], tag: str) -> tuple[subprocess.Popen, Path, RssPoller | None, float]:
    report = ws.root / f"time-{tag}-{time.monotonic_ns()}.txt"
    proc = subprocess.Popen(
        [*_time_prefix(report), TERRITOIRES, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ws.env(),
        cwd=ws.root,
    )
    poller = None if _time_prefix(report) else RssPoller(proc.pid).begin()
    return proc, report, poller, time.perf_counter()


def finish_cli(started: tuple, timeout: float = 180) -> Run:
    proc, report, poller, t0 = started
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        err += f"\n[abuse] arrêté après {timeout} s".encode()
    seconds = time.perf_counter() - t0
    peak = poller.end() if poller else _max_rss(report)
    return Run(proc.returncode, out, err, round(seconds, 2), peak if peak is not None else float("nan"))


def cli(ws: Workspace, *args: str, timeout: float = 180) -> Run:
    """Run ``territoires ARGS`` (its own process, the data copy's env), its wall time and peak RSS."""
    return finish_cli(start_cli(ws, list(args), args[0] if args else "x"), timeout)


def data_check(ws: Workspace) -> Run:
    return cli(ws, "data", "check", "--data-dir", str(ws.data))


# ------------------------------------------------------------------------------------ memory
def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (VmRSS)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
        todo += _children(p)
    return round(total / 1024, 1)


class RssPoller:
    """The peak of ``tree_rss_mb(pid)``, sampled every 50 ms in a thread, between begin() and end()."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.pid, self.every, self.peak = pid, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mb(self.pid))
            self._stop.wait(self.every)

    def begin(self) -> RssPoller:
        self.peak = tree_rss_mb(self.pid)
        self._thread.start()
        return self

    def end(self) -> float:
        self._stop.set()
        self._thread.join(2)
        return round(max(self.peak, tree_rss_mb(self.pid)), 1)


# ------------------------------------------------------------------------------ server, browser
class Server:
    """``python -m territoires.serve`` on 127.0.0.1 on the data copy, its log in the workspace."""

    def __init__(self, ws: Workspace, timeout: float = 120) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.log = ws.root / "server.log"
        self._fh = self.log.open("wb")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [*SERVE, "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT,
            env={**ws.env(), "TERRITOIRES_DATA_DIR": str(ws.data)},
            stdout=self._fh,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{port}"
        while True:
            try:
                if requests.get(f"{self.url}/_stcore/health", timeout=0.5).ok:
                    break
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.perf_counter() - t0 > timeout:
                self.stop()
                raise RuntimeError("le tableau de bord n'a pas démarré :\n" + self.log.read_text()[-2000:])
            time.sleep(0.05)
        self.start_s = round(time.perf_counter() - t0, 1)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._fh.close()


class Ctx:
    """Shared by the cases: the workspace, and a server and a browser started at first use."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._server: Server | None = None
        self._pw = self._browser = None
        self.stale = True  # the server has not yet loaded the registry as it is now (first visit, or a case wrote)
        self.warmups: list[dict] = []

    @property
    def server(self) -> Server:
        if self._server is None:
            self._server = Server(self.ws)
        return self._server

    @property
    def browser(self):
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._pw = sync_playwright().start()
            self._browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        return self._browser

    def page(self, errors: list[str], console: list[str], height: int = 1600):
        """A page in a fresh context (a new visitor); its uncaught errors and console errors collected."""
        ctx = self.browser.new_context(viewport={"width": 1400, "height": height})
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)[:300]))
        page.on(
            "console",
            lambda m: console.append(m.text[:300]) if m.type == "error" and not m.text.startswith(BENIGN) else None,
        )
        return page

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._pw.stop()
        if self._server is not None:
            self._server.stop()
