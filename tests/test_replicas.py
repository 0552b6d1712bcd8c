"""``territoires serve --replicas N``: the proxy's configuration, then 2 replicas behind a real HAProxy,
visited by headless Chromium — stickiness, a replica killed under a visitor, the registry, the stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from territoires import replicas
from territoires.errors import TerritoiresError
from territoires.settings import REPO_ROOT

from e2e_server import CHROMIUM, CHROMIUM_ARGS
from serverproc import free_port

CLI = [sys.executable, "-c", "from territoires.cli import main; main()"]
# The console's messages while a replica is killed under the page: the lost connection, said by Chromium.
FAILOVER_NOISE = ("WebSocket", "Failed to load resource", "net::ERR")
# Not an error of ours (as in test_e2e): Streamlit probes a page's sub-path for its endpoints (/donnees/_stcore/…).
BENIGN = ("Failed to load resource: the server responded with a status of 404",)


# ------------------------------------------------------------------ the configuration
def test_config_for_three_replicas_has_their_ports_a_cookie_health_checks_and_long_tunnels(tmp_path):
    reps = [replicas.Replica("r1", 41001), replicas.Replica("r2", 41002), replicas.Replica("r3", 41003)]
    text = replicas.haproxy_config(reps, 8600, "127.0.0.1", tmp_path / "haproxy.sock")
    conf = replicas.parse_config(text)
    assert set(conf) == {"global", "defaults", "frontend tableau_de_bord", "backend repliques"}
    front = conf["frontend tableau_de_bord"]
    assert front[0] == "bind 127.0.0.1:8600" and front[-1] == "default_backend repliques"
    assert "compression algo gzip" in front  # Streamlit's own scripts, gzipped for a room on one link
    kinds = next(d.split()[2:] for d in front if d.startswith("compression type "))
    assert "application/javascript" in kinds and not any("gzip" in k or "json" in k for k in kinds)
    back = conf["backend repliques"]
    servers = [d.split() for d in back if d.startswith("server ")]
    assert [(s[1], s[2]) for s in servers] == [("r1", "127.0.0.1:41001"), ("r2", "127.0.0.1:41002"),
                                                 ("r3", "127.0.0.1:41003")]  # fmt: skip
    for s in servers:  # each checked, each with its own cookie value
        assert "check" in s and s[s.index("cookie") + 1] == s[1]
    cookie = next(d.split() for d in back if d.startswith("cookie "))
    assert cookie[1] == replicas.COOKIE and "insert" in cookie and "indirect" in cookie and "nocache" in cookie
    assert "option httpchk GET /_stcore/health" in back and "http-check expect status 200" in back
    check = next(d.split() for d in back if d.startswith("timeout check "))
    assert _seconds(check[2]) >= 5  # a busy replica is slow to answer, not dead
    defaults = conf["defaults"]
    assert "mode http" in defaults and "option redispatch" in defaults
    assert int(next(d.split()[1] for d in defaults if d.startswith("retries "))) >= 1
    timeouts = {d.split()[1]: d.split()[2] for d in conf["defaults"] if d.startswith("timeout ")}
    assert _seconds(timeouts["tunnel"]) >= 3600  # a websocket is a visitor's whole session
    assert _seconds(timeouts["client"]) >= 30 and _seconds(timeouts["server"]) >= 30
    assert f"stats socket {tmp_path / 'haproxy.sock'} mode 600 level operator" in conf["global"]
    if _haproxy() is not None:  # and HAProxy itself accepts it
        cfg = replicas.write_atomic(tmp_path / "haproxy.cfg", text)
        check = subprocess.run([_haproxy(), "-c", "-f", str(cfg)], capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr


def _seconds(value: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    for unit in sorted(units, key=len, reverse=True):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * units[unit]
    return float(value) / 1000  # HAProxy's default unit: milliseconds


def test_config_is_written_atomically(tmp_path):
    target = tmp_path / "proxy" / "haproxy.cfg"
    replicas.write_atomic(target, "ancien\n")
    replicas.write_atomic(target, "nouveau\n")
    assert target.read_text() == "nouveau\n" and [p.name for p in target.parent.iterdir()] == ["haproxy.cfg"]


def test_without_haproxy_the_cli_names_the_package_to_install(monkeypatch):
    from typer.testing import CliRunner

    from territoires.cli import app

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(replicas, "HAPROXY_DIRS", ())
    with pytest.raises(TerritoiresError, match="HAProxy n'est pas installé") as exc:
        replicas.find_haproxy()
    assert "apt-get install haproxy" in exc.value.message
    result = CliRunner().invoke(app, ["serve", "--replicas", "2", "--port", str(free_port())])
    assert result.exit_code == 1
    assert "HAProxy n'est pas installé" in result.output and "apt-get install haproxy" in result.output
    assert "Traceback" not in result.output


def test_registry_line_says_where_the_replicas_keep_it(monkeypatch, tmp_path):
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    assert "fichiers" in replicas.registry_line(2) and "cette machine" in replicas.registry_line(2)
    monkeypatch.setenv("TERRITOIRES_DATABASE_URL", "postgresql+psycopg://u:secret@db.example:5433/reg")
    line = replicas.registry_line(3)
    assert "PostgreSQL" in line and "db.example:5433/reg" in line and "secret" not in line


# ------------------------------------------------------------------ 2 replicas behind HAProxy
def _haproxy() -> str | None:
    try:
        return replicas.find_haproxy()
    except TerritoiresError:
        return None


def need_haproxy() -> str:
    """HAProxy, installed now if it is missing (as make test does); the tests are skipped only if it cannot be."""
    if _haproxy() is None:
        subprocess.run(["bash", str(REPO_ROOT / "scripts" / "install-proxy.sh")], check=False, timeout=600)
    found = _haproxy()
    if found is None:
        pytest.skip("HAProxy absent et impossible à installer ici (apt-get install haproxy, root requis)")
    return found


def descendants(pid: int) -> set[int]:
    """Every living process under ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(d.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p}
        found |= kids
        todo += list(kids)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def pid_on_port(port: int, within: set[int]) -> int:
    """The replica (among ``within``) started on ``port``."""
    for pid in within:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"territoires.serve" in argv and str(port).encode() in argv:
            return pid
    raise AssertionError(f"aucune réplique sur le port {port}")


def proxy_status(data: Path) -> dict[str, str]:
    """Each replica's state as HAProxy sees it (« show stat » on its socket): UP, DOWN…"""
    import csv
    import io
    import socket

    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(data / "cache" / "proxy" / "haproxy.sock"))
        s.sendall(b"show stat\n")
        raw = b"".join(iter(lambda: s.recv(65536), b""))
    rows = csv.DictReader(io.StringIO(raw.decode().lstrip("# ")))
    return {r["svname"]: r["status"] for r in rows if r["pxname"] == "repliques" and r["svname"].startswith("r")}


class Launched:
    """``territoires serve --replicas N`` running in a child process, on a synthetic data directory."""

    def __init__(self, data: Path, n: int, env: dict[str, str]):
        self.data, self.port, self.env = data, free_port(), {**os.environ, **env, "TERRITOIRES_DATA_DIR": str(data)}
        self.log = (data / "lanceur.log").open("wb")
        args = ["serve", "--replicas", str(n), "--port", str(self.port), "--address", "127.0.0.1"]
        self.proc = subprocess.Popen([*CLI, *args], cwd=REPO_ROOT, env=self.env, stdout=self.log, stderr=self.log)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 240
        while "Tableau de bord :" not in self.output():
            assert self.proc.poll() is None, self.output()
            assert time.monotonic() < deadline, "le proxy ne démarre pas :\n" + self.output()
            time.sleep(0.2)
        conf = replicas.parse_config((data / "cache" / "proxy" / "haproxy.cfg").read_text())
        servers = [d.split() for d in conf["backend repliques"] if d.startswith("server ")]
        self.ports = {s[1]: int(s[2].rsplit(":", 1)[1]) for s in servers}

    def output(self) -> str:
        return (self.data / "lanceur.log").read_text(encoding="utf-8", errors="replace")

    def replica_pid(self, name: str) -> int:
        return pid_on_port(self.ports[name], descendants(self.proc.pid))

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(40)
        finally:
            self.log.close()


def data_dir_with_registry(tmp_path_factory, built) -> Path:
    from territoires.geo import store

    from synthetic import app_rows, make_source, write_registry

    d = tmp_path_factory.mktemp("repliques")
    store.write_store(built, make_source().meta, d)
    write_registry(d, app_rows())
    return d


def database_env() -> dict[str, str]:
    """With a test PostgreSQL server: an empty database, seeded from the files by the first replica."""
    url = os.environ.get("TERRITOIRES_TEST_DATABASE_URL")
    if not url:
        return {}
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)
    engine.dispose()
    return {"TERRITOIRES_DATABASE_URL": url}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, built):
    need_haproxy()
    launched = Launched(data_dir_with_registry(tmp_path_factory, built), 2, database_env())
    yield launched
    launched.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent : make test l'installe (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class Visitor:
    """One browser (its own cookies): its page, its websockets, and every error it shows."""

    def __init__(self, browser, errors: list[str], failover: list[bool]):
        self.ctx = browser.new_context(viewport={"width": 1400, "height": 950})
        self.page = self.ctx.new_page()
        self.sockets: list = []
        self.closed: list = []
        self.urls: list[str] = []  # every request of the page and its frames

        def console(m) -> None:
            if m.type != "error" or m.text.startswith(BENIGN) or (failover[0] and m.text.startswith(FAILOVER_NOISE)):
                return  # a lost connection, said by Chromium while a replica is killed on purpose
            errors.append(f"console: {m.text}")

        def websocket(ws) -> None:
            if "/_stcore/stream" in ws.url:
                self.sockets.append(ws)
                ws.on("close", lambda _ws: self.closed.append(_ws))

        self.page.on("console", console)
        self.page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        self.page.on("websocket", websocket)
        self.page.on("request", lambda r: self.urls.append(r.url))

    def replica(self) -> str:
        """The replica HAProxy's cookie pins this browser to."""
        cookies = {c["name"]: c["value"] for c in self.ctx.cookies()}
        return cookies[replicas.COOKIE]


@pytest.fixture
def visitors(browser):
    errors: list[str] = []
    failover = [False]  # set while a replica is killed on purpose
    made: list[Visitor] = []

    def _new() -> Visitor:
        made.append(Visitor(browser, errors, failover))
        return made[-1]

    yield _new, failover
    for v in made:
        v.ctx.close()
    assert not errors, errors


def drawn_map(page, timeout: float = 60):
    """The map's frame once really drawn: visible, with polygons and markers (looked up afresh: reruns
    replace it)."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for f in page.frames:
            try:
                if "streamlit_folium" not in f.url or f.locator("path.leaflet-interactive").count() == 0:
                    continue
                box = f.frame_element().bounding_box()
                if f.locator(".leaflet-marker-icon").count() and box and box["height"] > 0:
                    return f
            except Error:  # detached by a rerun
                continue
        page.wait_for_timeout(200)
    raise AssertionError("la carte n'est pas dessinée")


def drawing(page) -> tuple[int, int]:
    f = drawn_map(page)
    return f.locator("path.leaflet-interactive").count(), f.locator(".leaflet-marker-icon").count()


def records_count(page) -> int:
    """The count the Données page states (« N enregistrements selon les filtres. »)."""
    line = page.get_by_text("enregistrements selon les filtres")
    line.wait_for(timeout=60_000)
    return int(line.inner_text().split()[0])


@pytest.mark.e2e
@pytest.mark.network
def test_two_browsers_land_on_different_replicas_and_each_keeps_its_own(cluster, visitors):
    new, _ = visitors
    a, b = new(), new()
    a.page.goto(cluster.url)
    b.page.goto(cluster.url)
    first = drawing(a.page)
    assert drawing(b.page) == first
    assert {a.replica(), b.replica()} == {"r1", "r2"}  # one each: the newcomer goes to the least busy
    for v in (a, b):
        pinned = v.replica()
        for _ in range(4):  # reruns: open and close the layers panel
            v.page.get_by_text("Couches et densité", exact=True).click()
            v.page.wait_for_timeout(300)
            assert drawing(v.page) == first
        # Every rerun went over the page's one connection, to one replica, never lost.
        assert (len(v.sockets), v.closed) == (1, [])
        v.page.reload()
        assert drawing(v.page) == first
        assert v.replica() == pinned  # the same replica across reruns and a reload
        assert len(v.sockets) == 2
    # Through the proxy: Streamlit's scripts gzipped, the boundary files kept a year by the browser.
    page = requests.get(cluster.url + "/", timeout=10).text
    script = re.search(r'src="\.?(/?static/js/[^"]+\.js)"', page)
    assert script, page[:500]
    r = requests.get(cluster.url + "/" + script.group(1).lstrip("/"), headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert r.status_code == 200 and r.headers.get("Content-Encoding") == "gzip"
    geo = [u for u in a.urls if "/app/static/geo/" in u and u.endswith(".json.gz")]  # the map's frame's
    assert geo, a.urls[:20]
    r = requests.get(geo[0], timeout=10)
    assert r.status_code == 200 and "immutable" in r.headers.get("Cache-Control", "")
    assert r.headers.get("Content-Encoding") is None  # gzipped once, by the app, not again by the proxy


@pytest.mark.e2e
@pytest.mark.network
def test_a_replica_killed_under_a_visitor_sends_it_to_the_other_and_nothing_is_lost(cluster, visitors, tmp_path):
    new, failover = visitors
    a, b = new(), new()
    a.page.goto(cluster.url + "/donnees")
    b.page.goto(cluster.url + "/donnees")
    n0 = records_count(b.page)
    assert records_count(a.page) == n0 and a.replica() != b.replica()
    dead, survivor = a.replica(), b.replica()
    # An import by another process (the command line) while the replicas run: every replica sees it.
    csv = tmp_path / "pole.csv"
    csv.write_text("type;nom;niveau;code;citation\nptce_pole;Pôle des répliques;commune;01007;Ligne\n", "utf-8")
    imp = [*CLI, "data", "import", str(csv), "--data-dir", str(cluster.data)]
    done = subprocess.run(imp, env=cluster.env, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    failover[0] = True
    os.kill(cluster.replica_pid(dead), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not a.closed:  # the visitor on the killed replica loses its connection…
        assert time.monotonic() < deadline, "la page n'a pas vu la réplique tomber"
        a.page.wait_for_timeout(200)
    while len(a.sockets) < 2:  # …and reconnects by itself, through the proxy, to the living replica…
        assert time.monotonic() < deadline, "la page ne se reconnecte pas"
        a.page.wait_for_timeout(200)
    b.page.wait_for_timeout(2000)
    assert b.closed == []  # …while the one on the other replica never lost its connection
    a.page.goto(cluster.url)  # the visitor reloads: through the proxy, onto the living replica
    drawn_map(a.page)
    assert a.replica() == survivor
    failover[0] = False
    a.page.goto(cluster.url + "/donnees")
    assert records_count(a.page) == n0 + 1
    b.page.reload()
    assert records_count(b.page) == n0 + 1
    # The killed replica is started again by the launcher; a visitor pinned to it sees the import too.
    assert f"Réplique {dead} arrêtée" in cluster.output()
    deadline = time.monotonic() + 180
    while proxy_status(cluster.data).get(dead) != "UP":  # started again, and seen healthy by HAProxy
        assert time.monotonic() < deadline, "la réplique tuée n'est pas relancée"
        time.sleep(0.5)
    c = new()
    c.ctx.add_cookies([{"name": replicas.COOKIE, "value": dead, "url": cluster.url}])
    c.page.goto(cluster.url + "/donnees")
    assert records_count(c.page) == n0 + 1
    assert c.replica() == dead


@pytest.mark.e2e
@pytest.mark.network
def test_stop_leaves_no_process_behind(cluster):
    children = descendants(cluster.proc.pid)
    assert len(children) == 3  # 2 replicas (one started again) and HAProxy
    assert cluster.stop() == 0
    assert not [p for p in children if alive(p)]
    assert "Arrêt du proxy et des répliques" in cluster.output()
    import requests

    with pytest.raises(requests.ConnectionError):
        requests.get(cluster.url + "/_stcore/health", timeout=2)


@pytest.mark.e2e
@pytest.mark.network
def test_a_killed_launcher_takes_its_replicas_and_proxy_with_it(tmp_path_factory, built):
    need_haproxy()
    launched = Launched(data_dir_with_registry(tmp_path_factory, built), 1, {"TERRITOIRES_DATABASE_URL": ""})
    children = descendants(launched.proc.pid)
    assert len(children) == 2
    launched.stop(signal.SIGKILL)  # no clean-up possible: the children die with their parent
    deadline = time.monotonic() + 30
    while [p for p in children if alive(p)]:
        assert time.monotonic() < deadline, "des processus ont survécu au lanceur"
        time.sleep(0.2)
