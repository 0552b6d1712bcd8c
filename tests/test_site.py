"""``territoires export site``: a static website of the synthetic data — every page linked, French,
offline, data escaped; written atomically (a refused or failed build leaves the directory as it was)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from territoires.cli import app
from territoires.dataset import load_dataset
from territoires.errors import TerritoiresError
from territoires.export import site as site_mod
from territoires.export.html import EXTERNAL
from territoires.export.site import write_site
from territoires.export.sitedir import MARKER
from territoires.geo import store
from territoires.storyboard import Slide, Storyboard
from territoires.webmap.geometry import GeometryCache

from synthetic import ROWS, app_rows, make_source, row, write_registry

# Jinja, HTML and a template literal at once: rendered by any of them it would read « …49x ».
HOSTILE = "<script>alert(2012)</script>{{ 7*7 }}{% if 1 %}x{% endif %}"
ESCAPED = (
    "&lt;script&gt;alert(2012)&lt;/script&gt;&#123;&#123; 7*7 &#125;&#125;&#123;% if 1 %&#125;x&#123;% endif %&#125;"
)
SLIDES = [
    Slide(title="Le réseau en France", figure="Les adhérents", view=""),
    Slide(title=HOSTILE, figure="Une vue de Rhône-Alpes", view="region=82"),
    Slide(title="Un territoire : Gex", figure="Gex, ville adhérente", fiche="commune:01008"),
]
STORYBOARD = Storyboard(title="Essai", slides=SLIDES)
HREF = re.compile(r'<a href="([^"]+)"')


def hostile_rows() -> list[dict[str, str]]:
    """The dashboard's registry, with a member commune (Ceyzériat, 01004) named by an attacker."""
    rows = [r for r in app_rows() if r["id"] != "m-cantal"]
    return [*rows, row(id="m-cantal", kind="rtes_member", name=HOSTILE, level="commune", code="01004")]


@pytest.fixture(scope="module")
def cache(tmp_path_factory, built):
    d = tmp_path_factory.mktemp("site-data")
    store.write_store(built, make_source().meta, d)
    write_registry(d, hostile_rows())
    return GeometryCache(load_dataset(d))


@pytest.fixture(scope="module")
def site(cache, tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "public"
    report = write_site(cache, out, storyboard=STORYBOARD)
    return out, report


def pages(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))}


def test_every_page_is_written_and_linked_from_the_index(site):
    out, report = site
    written = pages(out)
    index = written["index.html"]
    links = HREF.findall(index)
    assert set(links) == set(written) - {"index.html"}  # each page once, nothing unlinked
    for group in ("Le diaporama", "Régions de 2012", "Régions d&#x27;aujourd&#x27;hui", "Fiches des territoires"):
        assert group in index
    assert "<title>Territoires — la coopération territoriale en 2012</title>" in index
    assert sum(p.startswith("diaporama/") for p in written) == len(SLIDES)
    # One fiche per member territory placed on a level of its own (not « Pays flou », placed nowhere).
    members = {(r["level"], r["code"]) for r in ROWS if r["kind"] == "rtes_member" and r["level"] != "none"}
    assert {p for p in written if p.startswith("fiches/")} == {f"fiches/{lv}-{c}.html" for lv, c in members}
    assert report.pages == len(written) and report.bytes > 0 and report.skipped == ()
    assert (out / MARKER).is_file()


def test_every_link_of_every_page_resolves_to_a_file(site):
    out, _ = site
    for name, text in pages(out).items():
        for href in HREF.findall(text) + re.findall(r'(?:src|href)="(?!data:)([^"#]+)"', text):
            target = (out / name).parent / urlsplit(href).path
            assert target.resolve().is_file(), (name, href)
        # The popups' « Voir la fiche » (inside the map's script): to the fiche's page, never the dashboard.
        for href in re.findall(r'href=\\"([^"\\]+)\\"', text):
            assert href.startswith("../fiches/") and ((out / name).parent / href).resolve().is_file(), (name, href)
        assert "fiche?fiche=" not in text and "/app/static" not in text, name


def test_every_page_is_french_offline_and_navigable(site):
    out, _ = site
    for name, text in pages(out).items():
        assert text.startswith("<!DOCTYPE html>") and '<html lang="fr">' in text[:100], name
        assert not EXTERNAL.search(text), name
        assert not re.search(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)=["']?(?:https?:)?//""", text), name
        if name != "index.html":
            assert 'href="../index.html">Accueil</a>' in text, name
            assert "leaflet.js" in text and 'class="folium-map"' in text, name
    region = pages(out)["regions-2012/82.html"]
    assert "<h1>Rhône-Alpes</h1>" in region and ("Suivant" in region or "Précédent" in region)


def test_a_hostile_name_is_shown_as_text_everywhere(site):
    out, _ = site
    written = pages(out)
    slide = written["diaporama/02.html"]
    assert ESCAPED in slide and ESCAPED in written["index.html"]
    assert ESCAPED in written["fiches/commune-01004.html"]  # the member's name, in its own fiche's table
    for name, text in written.items():
        assert "<script>alert" not in text, name
        # Evaluated by Jinja or by a browser's template, it would be followed by 49 (and the « if » by x).
        assert not re.search(r"alert\(2012\)(?:</script>|&lt;/script&gt;|\\u0026lt;/script\\u0026gt;)49", text), name
        # Never through Jinja either: wherever the name is, its « endif » is still there as text.
        for m in re.finditer(r"alert\(2012\)", text):
            assert "endif" in text[m.end() : m.end() + 150], (name, text[m.start() : m.end() + 150])


def test_a_fiche_page_shows_the_fiche(site):
    out, _ = site
    gex = pages(out)["fiches/commune-01008.html"]
    assert "<h1>Gex — commune, Ain</h1>" in gex
    for text in ("Adhérent du RTES au 31 août 2012", "Chiffres clés", "Habitants", "Relations citées par la lettre"):
        assert text in gex
    assert '<a href="../fiches/departement-01.html">Ain</a>' in gex  # a member covering it: linked
    # The slide that is Gex's fiche links to the fiche's own page.
    assert 'href="../fiches/commune-01008.html">Voir la fiche de Gex</a>' in pages(out)["diaporama/03.html"]


def test_a_directory_that_is_not_a_site_is_refused_and_untouched(cache, tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "rapport.txt").write_text("à garder")
    with pytest.raises(TerritoiresError) as exc:
        write_site(cache, out, storyboard=None)
    assert "Dossier refusé" in exc.value.message and "À faire" in exc.value.message
    assert [p.name for p in out.iterdir()] == ["rapport.txt"]
    assert (out / "rapport.txt").read_text() == "à garder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents"]  # no temporary left beside it


def test_a_file_is_refused(cache, tmp_path):
    out = tmp_path / "site.html"
    out.write_text("x")
    with pytest.raises(TerritoiresError, match="fichier, pas un dossier"):
        write_site(cache, out, storyboard=None)
    assert out.read_text() == "x"


def test_an_error_mid_build_leaves_the_previous_site(cache, tmp_path, monkeypatch):
    out = tmp_path / "public"
    write_site(cache, out, storyboard=None)
    before = {p: (out / p).read_bytes() for p in pages(out)}
    calls = []

    def broken(site, page):
        calls.append(page.path)
        if len(calls) == 3:
            raise RuntimeError("panne au milieu")
        return "<!DOCTYPE html>"

    monkeypatch.setattr(site_mod, "map_page", broken)
    with pytest.raises(RuntimeError, match="panne"):
        write_site(cache, out, storyboard=STORYBOARD)
    assert len(calls) == 3
    assert {p: (out / p).read_bytes() for p in pages(out)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]  # the temporary directory removed


def test_writing_twice_replaces_the_site(cache, tmp_path):
    out = tmp_path / "public"
    write_site(cache, out, storyboard=STORYBOARD)
    assert (out / "diaporama" / "01.html").is_file()
    (out / "ancienne-page.html").write_text("de la version précédente")
    report = write_site(cache, out, storyboard=None)  # no storyboard this time: no diaporama
    assert not (out / "diaporama").exists() and not (out / "ancienne-page.html").exists()
    assert (out / "index.html").is_file() and report.pages == len(pages(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_an_empty_directory_is_used(cache, tmp_path):
    out = tmp_path / "vide"
    out.mkdir()
    write_site(cache, out, storyboard=None)
    assert (out / "index.html").is_file() and (out / MARKER).is_file()


runner = CliRunner()


def test_the_command_refuses_a_bad_output_in_french(app_dir, tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "rapport.txt").write_text("à garder")
    r = runner.invoke(app, ["export", "site", "-o", str(out), "--data-dir", str(app_dir)])
    assert r.exit_code != 0
    assert "Dossier refusé" in r.output and "Traceback" not in r.output
    assert [p.name for p in out.iterdir()] == ["rapport.txt"]
    r = runner.invoke(app, ["export", "site", "-o", str(tmp_path / "s"), "--format", "pdf"])
    assert r.exit_code != 0 and "ne servent pas au site" in r.output


def test_the_command_writes_the_site(app_dir, tmp_path):
    out = tmp_path / "public"
    args = ["export", "site", "-o", str(out), "--data-dir", str(app_dir)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "Site écrit" in r.output and "pages" in r.output and "Mo" in r.output
    assert (out / "index.html").is_file()
    r = runner.invoke(app, [*args, "--storyboard", "inconnu"])
    assert r.exit_code != 0 and "Pas de diaporama" in r.output
    assert (out / "index.html").is_file()  # the site written before is still there
