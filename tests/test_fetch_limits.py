"""``territoires geo fetch`` within limits: size, deadline, archive contents, redirects, work directories.

Each test makes a local server misbehave as the probe of issue 14 found real ones could (an endless
body, a trickle, a decompression bomb, a redirect elsewhere, a run killed midway) and checks the
fetch stops early, in French, with the store and the data directory as they were.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler

import py7zr
import pytest
from typer.testing import CliRunner

from territoires.cli import app
from territoires.errors import DownloadError
from territoires.geo import fetch
from territoires.io.limits import MB, Limits
from test_geo_fetch import TITLE, archive_path, make_v3_archive, snapshot

from httpfixture import LocalServer, body, endless, redirect, status, trickle

pytestmark = pytest.mark.network
runner = CliRunner()


def leftovers(data_dir) -> list[str]:
    return sorted(p.name for p in data_dir.iterdir() if p.name.startswith(".geo-"))


def received(calls: list) -> int:
    return max((n for n, _ in calls), default=0)


def feed_declaring(base: str, length: int) -> bytes:
    """A feed of one edition whose archive link declares ``length`` bytes."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        f'<title>{TITLE}</title><link href="{base}{archive_path()}" length="{length}"/></entry></feed>'
    ).encode()


# ------------------------------------------------------------------------------------------- size
@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "no-length"])
def test_an_endless_body_is_cut_at_the_cap(store_dir, chunked):
    before, calls = snapshot(store_dir), []
    with LocalServer() as srv:
        srv.routes[archive_path()] = endless(chunked=chunked)
        t0 = time.perf_counter()
        with pytest.raises(DownloadError, match=r"arrêté à 5,0 Mo reçus .*\(plafond de 5,0 Mo\)") as err:
            fetch.fetch(
                srv.url + archive_path(),
                base=store_dir,
                retries=2,
                timeout=5,
                limits=Limits(max_bytes=5 * MB),
                progress=lambda n, t: calls.append((n, t)),
            )
        elapsed = time.perf_counter() - t0
    assert "--max-size" in str(err.value)
    assert 4 * MB < received(calls) <= 5 * MB  # stopped at the cap, not after it
    assert srv.hits[archive_path()] == 1  # too big is not asked again
    assert elapsed < 5
    assert snapshot(store_dir) == before
    assert leftovers(store_dir) == []  # neither the partial file nor the work directory


def test_the_cap_follows_the_size_the_feed_declares(store_dir):
    calls: list = []
    with LocalServer() as srv:
        srv.routes["/feed"] = body(feed_declaring(srv.url, 100_000), "application/atom+xml")
        srv.routes[archive_path()] = endless(bytes(1000))
        with pytest.raises(DownloadError, match=r"taille permise \(taille déclarée, 0,1 Mo, \+ 10 %\)"):
            fetch.fetch(srv.url + "/feed", base=store_dir, timeout=5, progress=lambda n, t: calls.append((n, t)))
    assert 100_000 <= received(calls) <= 110_000
    assert leftovers(store_dir) == []


def test_an_announced_length_beyond_the_cap_is_refused_before_reading(store_dir):
    def huge(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(50 * 10**9))
        h.end_headers()
        h.wfile.write(bytes(1000))

    calls: list = []
    with LocalServer() as srv:
        srv.routes[archive_path()] = huge
        with pytest.raises(DownloadError, match="le serveur annonce 50\u202f000 Mo"):
            fetch.fetch(srv.url + archive_path(), base=store_dir, progress=lambda n, t: calls.append((n, t)))
    assert calls == []


def test_an_endless_feed_is_cut_too(monkeypatch):
    import requests

    monkeypatch.setattr(fetch, "MAX_FEED_BYTES", 1 * MB)
    with LocalServer() as srv, requests.Session() as s:
        srv.routes["/feed"] = endless()
        with pytest.raises(DownloadError, match="Réponse refusée : plus de 1,0 Mo"):
            fetch.list_editions(srv.url + "/feed", s, timeout=5)


# --------------------------------------------------------------------------------------- deadline
def test_a_trickling_server_is_cut_at_the_deadline(store_dir):
    """One byte every 0.3 s never trips the 5 s read timeout; the 1.5 s deadline cuts it, retries included."""
    before = snapshot(store_dir)
    with LocalServer() as srv:
        srv.routes[archive_path()] = trickle(0.3)
        t0 = time.perf_counter()
        with pytest.raises(DownloadError, match=r"délai total de 1.5 s dépassé") as err:
            fetch.fetch(srv.url + archive_path(), base=store_dir, retries=3, timeout=5, limits=Limits(deadline=1.5))
        elapsed = time.perf_counter() - t0
    assert "--deadline" in str(err.value)
    assert 1.4 < elapsed < 3
    assert snapshot(store_dir) == before
    assert leftovers(store_dir) == []


def test_the_retries_stop_at_the_deadline_whatever_retry_after_says(store_dir):
    def busy(h: BaseHTTPRequestHandler) -> None:
        h.send_response(503)
        h.send_header("Retry-After", "3600")
        h.send_header("Content-Length", "0")
        h.end_headers()

    with LocalServer() as srv:
        srv.routes[archive_path()] = busy
        t0 = time.perf_counter()
        with pytest.raises(DownloadError, match=r"délai total de 1 s dépassé"):
            fetch.fetch(srv.url + archive_path(), base=store_dir, retries=3, timeout=5, limits=Limits(deadline=1))
        elapsed = time.perf_counter() - t0
    assert elapsed < 2.5
    assert srv.hits[archive_path()] == 2  # asked again once, after waiting until the deadline, not an hour


def test_the_deadline_from_the_command_line(store_dir):
    before = snapshot(store_dir)
    with LocalServer() as srv:
        srv.routes[archive_path()] = trickle(0.3)
        args = ["geo", "fetch", "--data-dir", str(store_dir), "--source", srv.url + archive_path()]
        result = runner.invoke(app, [*args, "--deadline", "1", "--timeout", "5"])
    assert result.exit_code == 1
    assert "Téléchargement trop long" in result.output
    assert "Traceback" not in result.output
    assert snapshot(store_dir) == before


# ---------------------------------------------------------------------------------------- archive
@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """A 7z of 7 KB whose one member is 50 MB of zeros."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.7z"
    with py7zr.SevenZipFile(path, "w") as z:
        z.writestr(bytes(50 * MB), f"{TITLE}/zeros.bin")
    return path


def test_an_archive_declaring_too_much_is_refused_before_extraction(bomb, tmp_path):
    dest = tmp_path / "x"
    with pytest.raises(DownloadError, match=r"déclare 50,0 Mo une fois extraite, au-delà de 10,0 Mo") as err:
        fetch.extract(bomb, dest, max_unpacked=10 * MB)
    assert "--max-extract" in str(err.value)
    assert not dest.exists()  # not one byte written


def test_a_decompression_bomb_is_refused_by_its_ratio(bomb, tmp_path, monkeypatch):
    monkeypatch.setattr(fetch, "RATIO_FLOOR", 1 * MB)  # the test bomb is small; real ones are gigabytes
    with pytest.raises(DownloadError, match="bombe de décompression"):
        fetch.extract(bomb, tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_the_extraction_cap_from_the_command_line(bomb, store_dir):
    before = snapshot(store_dir)
    with LocalServer() as srv:
        srv.routes[archive_path()] = body(bomb.read_bytes())
        args = ["geo", "fetch", "--data-dir", str(store_dir), "--source", srv.url + archive_path()]
        result = runner.invoke(app, [*args, "--max-extract", "10"])
    assert result.exit_code == 1
    assert "Archive refusée avant extraction" in result.output
    assert "Traceback" not in result.output
    assert snapshot(store_dir) == before
    assert leftovers(store_dir) == []


def test_members_escaping_the_destination_are_refused(tmp_path, monkeypatch):
    arch = tmp_path / "evil.7z"
    with monkeypatch.context() as m:
        m.setattr(py7zr.py7zr, "check_archive_path", lambda _: True)  # py7zr would not write such names
        with py7zr.SevenZipFile(arch, "w") as z:
            z.writestr(b"x", "../evil.txt")
            z.writestr(b"y", "/tmp/abs.txt")
            z.writestr(b"z", "ok/fine.txt")
    with pytest.raises(DownloadError, match=r"2 membre\(s\) hors du dossier d'extraction.*'\.\./evil\.txt'"):
        fetch.extract(arch, tmp_path / "x" / "y")
    assert not (tmp_path / "x").exists()
    assert not (tmp_path / "evil.txt").exists()


# -------------------------------------------------------------------------------------- redirects
def test_a_redirect_to_another_host_is_refused_unless_allowed(store_dir, tmp_path):
    archive = make_v3_archive(tmp_path)
    before = snapshot(store_dir)
    with LocalServer() as srv:
        port = srv.url.rsplit(":", 1)[1]
        srv.routes["/go.7z"] = redirect(f"http://localhost:{port}{archive_path()}")
        srv.routes[archive_path()] = body(archive)
        with pytest.raises(
            DownloadError, match=r"http://127\.0\.0\.1:\d+ renvoie vers un autre hôte, http://localhost"
        ) as err:
            fetch.fetch(srv.url + "/go.7z", base=store_dir, retries=0, timeout=5)
        assert "--allow-redirect-host localhost" in str(err.value)
        assert archive_path() not in srv.hits  # the other host was never asked
        assert snapshot(store_dir) == before
        manifest = fetch.fetch(
            srv.url + "/go.7z",
            base=store_dir,
            retries=0,
            timeout=5,
            limits=Limits(allow_hosts=frozenset({"localhost"})),
        )
    assert manifest["counts"]["communes"] == 4


def test_redirects_on_the_same_host_are_followed_a_few_times(store_dir, tmp_path):
    archive = make_v3_archive(tmp_path)
    with LocalServer() as srv:
        srv.routes["/a.7z"] = redirect("/b.7z", 301)
        srv.routes["/b.7z"] = redirect(srv.url + archive_path(), 307)
        srv.routes[archive_path()] = body(archive)
        srv.routes["/loop.7z"] = redirect("/loop.7z")
        assert fetch.fetch(srv.url + "/a.7z", base=store_dir, retries=0, timeout=5)["counts"]["communes"] == 4
        with pytest.raises(DownloadError, match="Plus de 5 redirections"):
            fetch.fetch(srv.url + "/loop.7z", base=store_dir, retries=0, timeout=5)


def test_the_redirect_option_from_the_command_line(store_dir):
    with LocalServer() as srv:
        port = srv.url.rsplit(":", 1)[1]
        srv.routes[archive_path()] = redirect(f"http://localhost:{port}/missing.7z")
        args = ["geo", "fetch", "--data-dir", str(store_dir), "--retries", "0", "--source", srv.url + archive_path()]
        refused = runner.invoke(app, args)
        allowed = runner.invoke(app, [*args, "--allow-redirect-host", "localhost"])
    assert refused.exit_code == 1
    assert "Redirection refusée" in refused.output
    assert "--allow-redirect-host localhost" in refused.output
    assert allowed.exit_code == 1  # followed this time: the other host answers 404
    assert "HTTP 404" in allowed.output
    assert "Traceback" not in refused.output + allowed.output


# ------------------------------------------------------------------------------ work directories
def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(proc.stdout)


def test_leftovers_of_dead_runs_are_removed_at_the_start(store_dir):
    dead = store_dir / f".geo-fetch-{dead_pid()}-abcd1234"
    alive = store_dir / f".geo-fetch-{os.getppid()}-efgh5678"  # another fetch, still running
    old_style = store_dir / ".geo-fetch-k2j4h5g6"  # no PID: left alone until a day old
    for d in (dead, alive, old_style):
        (d / "x").mkdir(parents=True)
        (d / "archive.7z.part").write_bytes(bytes(1000))
    with LocalServer() as srv:
        srv.routes[archive_path()] = status(404)
        with pytest.raises(DownloadError, match="HTTP 404"):
            fetch.fetch(srv.url + archive_path(), base=store_dir, retries=0)
    assert not dead.exists()
    assert alive.exists()
    assert old_style.exists()
    os.utime(old_style, (time.time() - 2 * 86400,) * 2)
    assert fetch.clean_work_dirs(store_dir) == [old_style]


def test_sigterm_removes_the_work_directory(store_dir):
    """A fetch killed by SIGTERM in the middle of the download cleans up and says so, in French."""
    before = snapshot(store_dir)
    with LocalServer() as srv:
        srv.routes[archive_path()] = trickle(0.2)
        code = "from territoires.cli import main; main()"
        args = ["geo", "fetch", "--data-dir", str(store_dir), "--source", srv.url + archive_path()]
        proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 8
            while not leftovers(store_dir) or archive_path() not in srv.hits:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()
                time.sleep(0.05)
            time.sleep(0.3)  # in the middle of a read
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=5)
        finally:
            proc.kill()
    stderr = stderr.decode()
    assert proc.returncode == 128 + signal.SIGTERM
    assert "Interrompu" in stderr
    assert "Traceback" not in stderr
    assert leftovers(store_dir) == []
    assert snapshot(store_dir) == before
