"""``territoires serve --replicas N``: N dashboards behind HAProxy, for a room that opens the link at once.

One Streamlit process computes on one core (one GIL): a national meeting needs several.  Each replica
is the launcher of ``territoires serve`` (:mod:`territoires.serve`) on a free port of 127.0.0.1; HAProxy
(Debian's package) on the public port keeps each browser on its replica (a cookie: sessions live in
one process), tunnels the websockets, checks each ``/_stcore/health`` and sends the visitors of a dead
replica to another (``option redispatch``). This module never imports Streamlit: it starts processes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from territoires.errors import TerritoiresError
from territoires.settings import REPO_ROOT, data_dir, database_url

COOKIE = "territoires_replique"
HEALTH = "/_stcore/health"
HAPROXY_DIRS = ("/usr/sbin", "/usr/local/sbin")  # not on a user's PATH on Debian
INSTALL_TODO = (
    "installer le paquet Debian « haproxy » : sudo apt-get install haproxy (ou bash scripts/install-proxy.sh)."
)
MAX_REPLICAS = 16
START_TIMEOUT = 180.0  # N replicas load their data at once on few cores
RESTARTS = 5  # a replica that keeps dying is left dead: its visitors are on the others
# Before a dead replica is started again: HAProxy marks it down (≤ 7 s), its visitors get a living one's
# cookie instead of a process still loading its data; and a replica that crashes at once does not spin.
RESTART_DELAY = 15.0


@dataclass(frozen=True)
class Replica:
    """One dashboard process as the proxy knows it: its name (also its cookie value) and its port."""

    name: str
    port: int


def free_ports(n: int) -> list[int]:
    """``n`` distinct free TCP ports on 127.0.0.1 (all sockets held open together, so no port twice)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def haproxy_config(replicas: list[Replica], port: int, address: str = "0.0.0.0", stats: Path | None = None) -> str:  # noqa: S104 -- a meeting's room reaches it
    """HAProxy's configuration for ``replicas`` behind ``address:port``."""
    lines = [
        "# Écrit par « territoires serve --replicas » à chaque lancement : toute modification serait perdue.",
        "global",
        "    log stderr format short local0 notice",  # replicas going DOWN/UP, not every request
        "    maxconn 4096",
        "    hard-stop-after 10s",
    ]
    if stats is not None:  # the state of each replica, for the operator (and the tests): « show stat »
        lines.append(f"    stats socket {stats} mode 600 level operator")
    lines += [
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option dontlognull",
        "    option forwardfor",
        "    timeout connect 5s",
        "    timeout client 60s",
        "    timeout server 60s",
        "    timeout http-request 15s",
        "    timeout http-keep-alive 15s",
        "    timeout queue 30s",
        # A websocket is a Streamlit session: it lasts as long as the visitor's tab stays open.
        "    timeout tunnel 8h",
        "    timeout client-fin 30s",
        # A replica that refuses the connection (dead, restarting): the last retry goes to another one.
        "    retries 3",
        "    option redispatch",
        "",
        "frontend tableau_de_bord",
        f"    bind {address}:{port}",
        # Streamlit's own 3 MB of scripts go uncompressed: gzipped here (boundary files are gzipped already).
        "    compression algo gzip",
        "    compression type text/html text/css text/javascript application/javascript",
        "    default_backend repliques",
        "",
        "backend repliques",
        # Sessions last long: a newcomer goes to the replica holding the fewest connections.
        "    balance leastconn",
        f"    cookie {COOKIE} insert indirect nocache httponly attr SameSite=Lax",
        f"    option httpchk GET {HEALTH}",
        "    http-check expect status 200",
        # A replica busy with a room's reruns answers late (one GIL): 10 s, 3 failures, else a busy room
        # sees every replica out (503). A dead one refuses at once: redispatched before it is marked down.
        "    timeout check 10s",
        "    default-server inter 5s fastinter 1s fall 3 rise 2",
    ]
    lines += [f"    server {r.name} 127.0.0.1:{r.port} check cookie {r.name}" for r in replicas]
    return "\n".join(lines) + "\n"


def parse_config(text: str) -> dict[str, list[str]]:
    """HAProxy's configuration as {section header: its directives}, comments and blank lines left out."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not line[0].isspace():
            current = sections.setdefault(line.strip(), [])
        elif current is not None:
            current.append(" ".join(line.split()))
    return sections


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` under a temporary name, then rename: HAProxy never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def find_haproxy() -> str:
    """The ``haproxy`` program; a French error naming the package when it is not installed."""
    path = os.pathsep.join([os.environ.get("PATH", ""), *HAPROXY_DIRS])
    found = shutil.which("haproxy", path=path)
    if found is None:
        raise TerritoiresError(
            "HAProxy n'est pas installé : il répartit les visiteurs entre les répliques.", todo=INSTALL_TODO
        )
    return found


def runtime_dir() -> Path:
    """Where the proxy's configuration, socket and the replicas' logs go: ``<data>/cache/proxy``."""
    return data_dir() / "cache" / "proxy"


def registry_line(n: int) -> str:
    """One line saying where the ``n`` replicas keep the registry."""
    url = database_url()
    if url:
        from urllib.parse import urlsplit

        u = urlsplit(url)  # never the password
        return f"Registre : PostgreSQL ({u.hostname}:{u.port or 5432}{u.path}), partagé par les {n} répliques."
    return (
        f"Registre : fichiers de {data_dir() / 'registry'}, partagés par les {n} répliques de cette machine "
        "seulement (TERRITOIRES_DATABASE_URL pour PostgreSQL)."
    )


def _die_with_parent() -> None:
    """In a child, before it runs: die when the launcher dies, even killed (no orphan replica)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _healthy(port: int, host: str = "127.0.0.1") -> bool:
    """Whether Streamlit's health endpoint answers 200 at ``host:port`` (a replica, or through the proxy)."""
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 -- compared
    try:
        with urllib.request.urlopen(f"http://{host}:{port}{HEALTH}", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def _port_taken(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
        except OSError:
            return True
    return False


@dataclass
class Cluster:
    """N replicas and their proxy: :meth:`start`, then :meth:`wait` (foreground) or :meth:`stop`."""

    n: int
    port: int = 8501
    address: str = "0.0.0.0"  # noqa: S104 -- the proxy is what the room reaches
    streamlit_args: list[str] = field(default_factory=list)
    quiet: bool = False
    replicas: list[Replica] = field(default_factory=list)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    proxy: subprocess.Popen | None = None
    restarts: dict[str, int] = field(default_factory=dict)
    died: dict[str, float] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def config_path(self) -> Path:
        return runtime_dir() / "haproxy.cfg"

    @property
    def url(self) -> str:
        host = "localhost" if self.address in ("0.0.0.0", "::") else self.address  # noqa: S104 -- compared
        return f"http://{host}:{self.port}"

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)

    def _env(self) -> dict[str, str]:
        """The replicas' environment: the launcher's code first on the path, one cookie secret for all
        (Streamlit signs its XSRF cookie with it: a visitor sent to another replica keeps a valid one)."""
        import territoires

        src = str(Path(territoires.__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p)
        secret = os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or secrets.token_urlsafe(32)
        return {**os.environ, "PYTHONPATH": path, "STREAMLIT_SERVER_COOKIE_SECRET": secret}

    def _spawn(self, r: Replica, env: dict[str, str]) -> subprocess.Popen:
        args = [*self.streamlit_args, "--server.port", str(r.port), "--server.address", "127.0.0.1"]
        log = open(runtime_dir() / f"{r.name}.log", "ab")  # noqa: SIM115 -- the child holds it
        try:
            return subprocess.Popen(
                [sys.executable, "-m", "territoires.serve", *args, "--server.headless", "true"],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=_die_with_parent,  # the launcher runs no other thread: safe
            )
        finally:
            log.close()

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the replicas, wait until each answers, then the proxy; on any failure, stop all."""
        if not 1 <= self.n <= MAX_REPLICAS:
            raise TerritoiresError(
                f"Nombre de répliques impossible : {self.n}.", todo=f"choisir --replicas entre 1 et {MAX_REPLICAS}."
            )
        haproxy = find_haproxy()
        if _port_taken(self.address, self.port):
            raise TerritoiresError(
                f"Le port {self.port} est déjà pris sur cette machine.",
                where=f"{self.address}:{self.port}",
                todo="arrêter l'autre serveur, ou choisir un autre port avec --port.",
            )
        try:
            runtime_dir().mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TerritoiresError(
                f"Répertoire de travail du proxy impossible à créer ({exc.strerror}).",
                where=runtime_dir(),
                todo="vérifier les droits sur le répertoire des données (TERRITOIRES_DATA_DIR).",
            ) from exc
        self.replicas = [Replica(f"r{i}", p) for i, p in enumerate(free_ports(self.n), 1)]
        self.env = self._env()  # once: a replica started again keeps the others' cookie secret
        try:
            for r in self.replicas:
                self.procs[r.name] = self._spawn(r, self.env)
            self._wait_healthy(timeout)
            self._start_proxy(haproxy)
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(self.replicas)
        while waiting:
            for r in list(waiting):
                code = self.procs[r.name].poll()
                if code is not None:
                    raise TerritoiresError(
                        f"La réplique {r.name} s'est arrêtée au démarrage (code {code}).",
                        where=runtime_dir() / f"{r.name}.log",
                        todo="lire la fin de ce journal ; « territoires serve » seul montre la même erreur.",
                    )
                if _healthy(r.port):
                    waiting.remove(r)
            if waiting and time.monotonic() > deadline:
                raise TerritoiresError(
                    f"Répliques sans réponse après {timeout:.0f} s : {', '.join(r.name for r in waiting)}.",
                    where=runtime_dir(),
                    todo="lire leurs journaux (rN.log) ; essayer moins de répliques.",
                )
            time.sleep(0.2)

    def _start_proxy(self, haproxy: str) -> None:
        text = haproxy_config(self.replicas, self.port, self.address, runtime_dir() / "haproxy.sock")
        cfg = write_atomic(self.config_path, text)
        check = subprocess.run([haproxy, "-c", "-q", "-f", str(cfg)], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise TerritoiresError(
                f"Configuration de HAProxy refusée : {check.stderr.strip()[-500:]}",
                where=cfg,
                todo="signaler ce problème (le fichier est écrit par Territoires).",
            )
        # -db: in the foreground, its log on our terminal; it dies with the launcher, like the replicas.
        self.proxy = subprocess.Popen(
            [haproxy, "-db", "-f", str(cfg)], stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent
        )
        deadline = time.monotonic() + 10
        while not _healthy(self.port, self.address):
            if self.proxy.poll() is not None or time.monotonic() > deadline:
                raise TerritoiresError(
                    "HAProxy ne démarre pas (son message est juste au-dessus).",
                    where=cfg,
                    todo="vérifier que le port est libre, ou choisir --port.",
                )
            time.sleep(0.1)

    def wait(self) -> int:
        """Run until the proxy stops (or Ctrl-C, SIGTERM): a replica that dies is started again."""
        while True:
            if self.proxy is not None and self.proxy.poll() is not None:
                self._say(f"HAProxy s'est arrêté (code {self.proxy.returncode}) : arrêt des répliques.")
                return 1
            for r in self.replicas:
                code = self.procs[r.name].poll()
                if code is None or self.restarts.get(r.name, 0) >= RESTARTS:
                    continue
                if r.name not in self.died:
                    self.died[r.name] = time.monotonic()
                    self._say(
                        f"Réplique {r.name} arrêtée (code {code}) : ses visiteurs passent sur les autres ; "
                        f"elle sera relancée dans {RESTART_DELAY:.0f} s."
                    )
                elif time.monotonic() - self.died.get(r.name, 0) >= RESTART_DELAY:
                    del self.died[r.name]
                    self.restarts[r.name] = self.restarts.get(r.name, 0) + 1
                    self.procs[r.name] = self._spawn(r, self.env)
            time.sleep(0.5)

    def stop(self, grace: float = 15) -> None:
        """SIGTERM to the proxy and every replica, SIGKILL to those still there after ``grace`` s."""
        procs = [p for p in [self.proxy, *self.procs.values()] if p is not None]
        for p in procs:
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + grace
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def run(n: int, port: int = 8501, address: str = "0.0.0.0", streamlit_args: list[str] | None = None) -> int:  # noqa: S104
    """``territoires serve --replicas N``: start everything, serve in the foreground, stop everything."""
    cluster = Cluster(n, port, address, list(streamlit_args or []))

    def _terminate(signum, frame):  # SIGTERM, SIGHUP: the same clean stop as Ctrl-C
        raise KeyboardInterrupt

    find_haproxy()  # before anything is said or started
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    print(registry_line(n), file=sys.stderr, flush=True)
    print(f"Démarrage de {n} répliques (journaux : {runtime_dir()})…", file=sys.stderr, flush=True)
    try:
        cluster.start()
        print(
            f"Tableau de bord : {cluster.url} ({n} répliques derrière HAProxy ; Ctrl-C pour arrêter).",
            file=sys.stderr,
            flush=True,
        )
        return cluster.wait()
    except KeyboardInterrupt:
        print("Arrêt du proxy et des répliques…", file=sys.stderr, flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not leave replicas behind
        cluster.stop()
