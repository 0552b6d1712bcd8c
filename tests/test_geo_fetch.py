"""``territoires geo fetch`` against a local server serving a tiny archive built here."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import py7zr
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from territoires.cli import app
from territoires.errors import DownloadError
from territoires.geo import fetch, ign, reader, store
from territoires.io import download
from territoires.settings import geo_dir

from httpfixture import LocalServer, body, slow, status, truncated

pytestmark = pytest.mark.network
runner = CliRunner()
TITLE = "ADMIN-EXPRESS-COG-CARTO_3-2__SHP_WGS84G_FRA_2025-04-02"


def make_v3_archive(tmp_path, *, version: str = "3") -> bytes:
    """A tiny ADMIN EXPRESS archive: 4 communes in 2 départements, shapefiles (3.x) or GPKG (4.x)."""
    root = tmp_path / "src" / TITLE / "ADMIN-EXPRESS-COG-CARTO" / "1_DONNEES_LIVRAISON" / "ADECOGC_3-2_SHP"
    root.mkdir(parents=True)
    v3 = version == "3"
    c = {
        "code": "INSEE_COM" if v3 else "code_insee",
        "nom": "NOM" if v3 else "nom_officiel",
        "dep": "INSEE_DEP" if v3 else "code_insee_du_departement",
        "reg": "INSEE_REG" if v3 else "code_insee_de_la_region",
        "epci": "SIREN_EPCI" if v3 else "codes_siren_des_epci",
        "pop": "POPULATION" if v3 else "population",
    }
    communes = gpd.GeoDataFrame(
        {
            c["code"]: ["01001", "01002", "2A004", "2A006"],
            c["nom"]: ["Abergement", "Ambérieu", "Ajaccio", "Alata"],
            c["dep"]: ["01", "01", "2A", "2A"],
            c["reg"]: ["84", "84", "94", "94"],
            c["epci"]: ["200000172", "200000172", "200066801/200000172" if not v3 else "200066801", "NC"],
            c["pop"]: [776, 15000, 70000, 3000],
        },
        geometry=[
            box(5.0, 46.0, 5.1, 46.1),
            box(5.1, 46.0, 5.2, 46.1),
            box(8.7, 41.9, 8.8, 42.0),
            box(8.8, 41.9, 8.9, 42.0),
        ],
        crs="EPSG:4326",
    )
    epci = gpd.GeoDataFrame(
        {
            ("CODE_SIREN" if v3 else "code_siren"): ["200000172", "200066801"],
            c["nom"]: ["CC Test", "CA du Pays Ajaccien"],
            ("NATURE" if v3 else "nature"): ["CC", "CA"],
        },
        geometry=[box(5.0, 46.0, 5.2, 46.1), box(8.7, 41.9, 8.8, 42.0)],
        crs="EPSG:4326",
    )
    dep = gpd.GeoDataFrame(
        {
            ("INSEE_DEP" if v3 else "code_insee"): ["01", "2A"],
            c["nom"]: ["Ain", "Corse-du-Sud"],
            ("INSEE_REG" if v3 else "code_insee_de_la_region"): ["84", "94"],
        },
        geometry=[box(5.0, 46.0, 5.2, 46.1), box(8.7, 41.9, 8.9, 42.0)],
        crs="EPSG:4326",
    )
    if v3:
        communes.to_file(root / "COMMUNE.shp")
        epci.to_file(root / "EPCI.shp")
        dep.to_file(root / "DEPARTEMENT.shp")
    else:
        gpkg = root / "ADE-COG-CARTO.gpkg"
        communes.to_file(gpkg, layer="commune")
        epci.to_file(gpkg, layer="epci")
        dep.to_file(gpkg, layer="departement")
    archive = tmp_path / f"{TITLE}.7z"
    with py7zr.SevenZipFile(archive, "w") as z:
        z.writeall(tmp_path / "src" / TITLE, arcname=TITLE)
    return archive.read_bytes()


def feed(base: str, titles: list[str]) -> bytes:
    entries = "".join(
        f"<entry><title>{t}</title><id>{base}/resource/ADMIN-EXPRESS-COG-CARTO/{t}</id>"
        f'<link href="{base}/resource/ADMIN-EXPRESS-COG-CARTO/{t}" rel="alternate"/></entry>'
        for t in titles
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>ADMIN-EXPRESS-COG-CARTO</title>{entries}</feed>"
    ).encode()


def archive_path(title: str = TITLE) -> str:
    return f"/download/ADMIN-EXPRESS-COG-CARTO/{title}/{title}.7z"


@pytest.fixture
def archive(tmp_path):
    return make_v3_archive(tmp_path)


def snapshot(base):
    return {p.name: p.read_bytes() for p in geo_dir(base).rglob("*") if p.is_file()}


def test_reads_the_feed_and_picks_the_newest_france_wgs84_edition():
    titles = [
        "ADMIN-EXPRESS-COG-CARTO_3-2__SHP_LAMB93_FXX_2025-04-02",
        "ADMIN-EXPRESS-COG-CARTO_3-2__SHP_WGS84G_FRA_2024-02-22",
        TITLE,
        "ADMIN-EXPRESS-COG-CARTO_3-2__SHP_RGAF09UTM20_GLP_2025-04-02",
    ]
    import requests

    with LocalServer() as srv, requests.Session() as s:
        srv.routes["/resource/ADMIN-EXPRESS-COG-CARTO"] = body(feed(srv.url, titles), "application/atom+xml")
        eds = fetch.list_editions(f"{srv.url}/resource/ADMIN-EXPRESS-COG-CARTO", s)
    chosen = fetch.choose_edition(eds)
    assert chosen.title == TITLE
    assert chosen.url.endswith(archive_path())
    assert (chosen.zone, chosen.crs, chosen.date) == ("FRA", "WGS84G", "2025-04-02")


def test_fetch_rebuilds_the_store_from_a_local_feed(tmp_path, archive, store_dir):
    with LocalServer() as srv:
        srv.routes["/resource/ADMIN-EXPRESS-COG-CARTO"] = body(feed(srv.url, [TITLE]), "application/atom+xml")
        srv.routes[archive_path()] = body(archive)
        srv.routes[archive_path() + ".md5"] = body(hashlib.md5(archive).hexdigest().encode() + b"  x.7z\n")
        result = runner.invoke(
            app,
            [
                "geo",
                "fetch",
                "--data-dir",
                str(store_dir),
                "--source",
                f"{srv.url}/resource/ADMIN-EXPRESS-COG-CARTO",
            ],
        )
    assert result.exit_code == 0, result.output
    manifest = store.read_manifest(store_dir)
    assert manifest["source"]["edition"] == TITLE
    assert manifest["source"]["archive"]["md5_checked"] is True
    assert manifest["counts"]["communes"] == 4
    com = reader.load_level("communes", base=store_dir).set_index("code")
    assert com.at["2A004", "reg_2012"] == "94"
    assert com.at["2A004", "epci"] == "200066801"
    assert com.at["2A006", "epci"] is None or str(com.at["2A006", "epci"]) in ("<NA>", "None")
    assert store.check_store(store_dir).ok


def test_edition_4_geopackage_is_read_by_the_same_adapter(tmp_path):
    data = make_v3_archive(tmp_path, version="4")
    arch = tmp_path / "a.7z"
    arch.write_bytes(data)
    fetch.extract(arch, tmp_path / "x")
    layers = ign.load(tmp_path / "x")
    com = layers.communes.set_index("code")
    assert com.at["2A004", "epci"] == "200066801"  # first of '200066801/200000172'
    assert com.at["01002", "population"] == 15000
    assert set(layers.departements["code"]) == {"01", "2A"}


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (lambda a: status(500), "HTTP 500"),
        (lambda a: truncated(a), "interrompu"),
        (lambda a: body(a[:-200] + bytes(200)), "corrompue"),
        (lambda a: body(b"not a 7z archive at all"), "corrompue"),
        (lambda a: status(404), "HTTP 404"),
    ],
    ids=["http500", "dropped", "corrupt-tail", "not-7z", "http404"],
)
def test_a_failed_download_leaves_the_store_untouched(store_dir, archive, route, message):
    before = snapshot(store_dir)
    with LocalServer() as srv:
        srv.routes[archive_path()] = route(archive)
        with pytest.raises(DownloadError, match=message):
            fetch.fetch(srv.url + archive_path(), base=store_dir, retries=1, timeout=5)
    assert snapshot(store_dir) == before
    assert not [p for p in store_dir.iterdir() if p.name.startswith(".geo-")]


def test_checksum_and_size_mismatches_are_refused(store_dir, archive):
    before = snapshot(store_dir)
    with LocalServer() as srv:
        srv.routes[archive_path()] = body(archive)
        with pytest.raises(DownloadError, match="sha256"):
            fetch.fetch(srv.url + archive_path(), base=store_dir, retries=0, sha256="0" * 64)
        srv.routes[archive_path() + ".md5"] = body(b"0" * 32)
        with pytest.raises(DownloadError, match="md5"):
            fetch.fetch(srv.url + archive_path(), base=store_dir, retries=0)
    assert snapshot(store_dir) == before


def test_transient_errors_are_retried(store_dir, archive):
    calls = {"n": 0}
    ok = body(archive)
    fail = status(503)

    def flaky(h):
        calls["n"] += 1
        (fail if calls["n"] == 1 else ok)(h)

    with LocalServer() as srv:
        srv.routes[archive_path()] = flaky
        manifest = fetch.fetch(srv.url + archive_path(), base=store_dir, retries=2, timeout=5)
    assert calls["n"] == 2
    assert manifest["counts"]["communes"] == 4


def test_a_slow_server_times_out_with_a_clear_message(store_dir):
    before = snapshot(store_dir)
    with LocalServer() as srv:
        srv.routes[archive_path()] = slow(3)
        result = runner.invoke(
            app,
            [
                "geo",
                "fetch",
                "--data-dir",
                str(store_dir),
                "--retries",
                "0",
                "--timeout",
                "0.5",
                "--source",
                srv.url + archive_path(),
            ],
        )
    assert result.exit_code == 1
    assert "Timeout" in result.output or "timed out" in result.output
    assert "Traceback" not in result.output
    assert snapshot(store_dir) == before


def test_a_feed_that_is_not_xml_is_refused():
    import requests

    with LocalServer() as srv, requests.Session() as s:
        srv.routes["/feed"] = body(b"<html>maintenance", "text/html")
        with pytest.raises(DownloadError, match="Flux Atom illisible"):
            fetch.list_editions(srv.url + "/feed", s)


def cut_then_ranges(data: bytes, seen: list, *, honour_ranges: bool):
    """First answer cut after half the file; then the rest from the asked byte (or the whole file again)."""

    def handle(h) -> None:
        seen.append((h.headers.get("Range"), h.headers.get("If-Range")))
        asked = h.headers.get("Range")
        if len(seen) == 1 or not asked or not honour_ranges:
            h.send_response(200)
            h.send_header("Accept-Ranges", "bytes" if honour_ranges else "none")
            h.send_header("ETag", '"v1"')
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data if len(seen) > 1 else data[: len(data) // 2])
            h.wfile.flush()
            h.close_connection = True
            return
        start = int(asked.removeprefix("bytes=").split("-")[0])
        h.send_response(206)
        h.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        h.send_header("Content-Length", str(len(data) - start))
        h.send_header("ETag", '"v1"')
        h.end_headers()
        h.wfile.write(data[start:])

    return handle


@pytest.mark.parametrize("honour_ranges", [True, False], ids=["resumed", "restarted"])
def test_a_download_cut_midway_is_taken_up_again(store_dir, archive, honour_ranges, monkeypatch):
    monkeypatch.setattr(download, "CHUNK", 64)  # the tiny archive arrives in several blocks, as a real one does
    seen: list = []
    with LocalServer() as srv:
        srv.routes[archive_path()] = cut_then_ranges(archive, seen, honour_ranges=honour_ranges)
        manifest = fetch.fetch(srv.url + archive_path(), base=store_dir, retries=1, timeout=5)
    (first, second) = seen
    assert first == (None, None)
    start = int(second[0].removeprefix("bytes=").rstrip("-"))
    assert 0 < start <= len(archive) // 2  # the second request asks for the rest only…
    assert second[1] == '"v1"'  # …of the same file
    # The checksums run over the two parts as over one file: the archive is the one served.
    assert manifest["source"]["archive"]["sha256"] == hashlib.sha256(archive).hexdigest()
    assert manifest["source"]["archive"]["bytes"] == len(archive)
    assert manifest["counts"]["communes"] == 4


def test_server_errors_are_asked_again_client_errors_are_not(store_dir):
    with LocalServer() as srv:
        srv.routes[archive_path()] = status(502)
        with pytest.raises(DownloadError, match="HTTP 502"):
            fetch.fetch(srv.url + archive_path(), base=store_dir, retries=2, timeout=5)
        assert srv.hits[archive_path()] == 3  # the first request and two more, by urllib3's Retry
        srv.routes[archive_path()] = status(403)
        srv.hits.clear()
        with pytest.raises(DownloadError, match="HTTP 403"):
            fetch.fetch(srv.url + archive_path(), base=store_dir, retries=2, timeout=5)
        assert srv.hits[archive_path()] == 1
