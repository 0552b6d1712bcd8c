"""The storyboard as a deck: an editable PowerPoint and a PDF, and ``territoires export deck``."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from PIL import Image

from territoires.dataset import load_dataset
from territoires.export.deck import LAST_TITLE, QR_NAME, build_deck
from territoires.storyboard.model import Slide, Storyboard, dumps
from territoires.webmap.geometry import GeometryCache

BASE = "https://rtes.example.org/tableau"
TODAY = dt.date(2026, 12, 1)
SB = Storyboard(
    title="Essai",
    slides=[
        Slide(title="La France", figure="Tout le réseau", notes="Dire bonjour.", view="cooperations=-"),
        Slide(title="Ain", figure="3 acteurs", notes="Les pôles de l'Ain.", view="region=82&cooperations=-"),
        Slide(title="Les pôles", figure="2 pôles", notes="Pôles seulement.", view="acteurs=ptce_pole"),
        Slide(title="Gex", figure="Gex, ville adhérente", notes="La fiche.", fiche="commune:01008"),
        Slide(title="Coopérations", figure="4 relations", notes="Qui coopère.", view=""),
    ],
)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from territoires.geo import build, store

    from synthetic import app_rows, make_source, write_registry

    d = tmp_path_factory.mktemp("deck")
    store.write_store(build.build(make_source()), make_source().meta, d)
    write_registry(d, app_rows())
    (d / "storyboards").mkdir()
    (d / "storyboards" / "essai.json").write_text(dumps(SB), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def cache(base):
    return GeometryCache(load_dataset(base))


def decode(blob: bytes) -> list[str]:
    from pyzbar.pyzbar import decode as zbar

    return [d.data.decode("utf-8") for d in zbar(Image.open(io.BytesIO(blob)).convert("L"))]


def pdf_pages(data: bytes) -> int:
    try:
        import pypdf
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def check_pptx(data: bytes, sb: Storyboard, base_url: str) -> None:
    """≥ one slide per view and the last; each a title, the map, notes and a QR code that opens its view."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    prs = Presentation(io.BytesIO(data))
    assert prs.slide_width * 9 == prs.slide_height * 16  # 16:9
    slides = list(prs.slides)
    assert len(slides) == len(sb.slides) + 1
    for s, view in zip(slides, sb.slides, strict=False):
        assert s.shapes.title.text_frame.text == view.title
        texts = [sh.text_frame.text for sh in s.shapes if sh.has_text_frame]
        if view.figure:
            assert view.figure in texts  # a real text box, editable
        assert any(t.startswith("Sources :") for t in texts)
        pics = [sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pics) >= 2  # the map and the QR code
        qr = [p for p in pics if p.name == QR_NAME]
        assert len(qr) == 1 and decode(qr[0].image.blob) == [base_url.rstrip("/") + view.link]
        assert s.has_notes_slide and s.notes_slide.notes_text_frame.text == (view.notes or view.title)
    last = slides[-1]
    assert last.shapes.title.text_frame.text == LAST_TITLE
    qr = [sh for sh in last.shapes if getattr(sh, "name", "") == QR_NAME]
    assert decode(qr[0].image.blob) == [base_url]
    assert any(sh.has_text_frame and sh.text_frame.text == base_url for sh in last.shapes)


def test_pptx_deck_is_editable_and_its_qr_codes_open_the_views(cache):
    check_pptx(build_deck(cache, SB, "pptx", BASE, today=TODAY), SB, BASE)


def test_pdf_deck_has_a_page_per_slide_and_the_last(cache):
    data = build_deck(cache, SB, "pdf", BASE, today=TODAY)
    assert data.startswith(b"%PDF")
    assert pdf_pages(data) == len(SB.slides) + 1


def test_hostile_text_stays_text_in_pptx(cache):
    evil = "<a:t>x</a:t>{{7*7}} $x$ ${bad}"
    sb = Storyboard(title=evil, slides=[Slide(title=evil, figure=evil, notes=evil, view="")])
    from pptx import Presentation

    prs = Presentation(io.BytesIO(build_deck(cache, sb, "pptx", BASE, today=TODAY)))
    assert prs.slides[0].shapes.title.text_frame.text == evil


def test_unknown_format_is_refused(cache):
    with pytest.raises(ValueError, match="format de diaporama inconnu"):
        build_deck(cache, SB, "docx", BASE)


def test_the_default_storyboard_on_real_data(real_store):
    from territoires.storyboard import DEFAULT_NAME, open_storyboards

    sb, _ = open_storyboards().load(DEFAULT_NAME)
    real = GeometryCache(load_dataset(None))
    check_pptx(build_deck(real, sb, "pptx", "http://localhost:8501", today=TODAY), sb, "http://localhost:8501")
    assert pdf_pages(build_deck(real, sb, "pdf", "http://localhost:8501", today=TODAY)) == len(sb.slides) + 1


# --------------------------------------------------------------------------- command line
def run(*args: str):
    from typer.testing import CliRunner

    from territoires.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_writes_the_deck(base, tmp_path):
    out = tmp_path / "d.pptx"
    r = run(
        "export",
        "deck",
        "--storyboard",
        "essai",
        "--format",
        "pptx",
        "-o",
        str(out),
        "--lien",
        BASE,
        "--data-dir",
        str(base),
    )
    assert r.exit_code == 0, r.output
    check_pptx(out.read_bytes(), SB, BASE)
    pdf = tmp_path / "d.pdf"
    r = run("export", "deck", "--storyboard", "essai", "--format", "pdf", "-o", str(pdf), "--data-dir", str(base))
    assert r.exit_code == 0, r.output
    assert pdf_pages(pdf.read_bytes()) == len(SB.slides) + 1


def test_cli_unknown_storyboard_fails_in_french_and_writes_nothing(base, tmp_path):
    out = tmp_path / "d.pptx"
    r = run("export", "deck", "--storyboard", "absent", "--format", "pptx", "-o", str(out), "--data-dir", str(base))
    assert r.exit_code != 0
    assert "Pas de diaporama « absent »" in r.output
    assert not out.exists()


def test_cli_bad_name_and_bad_path_fail_and_write_nothing(base, tmp_path):
    (tmp_path / "fichier").write_text("garde")
    r = run(
        "export",
        "deck",
        "--storyboard",
        "../x",
        "--format",
        "pdf",
        "-o",
        str(tmp_path / "a.pdf"),
        "--data-dir",
        str(base),
    )
    assert r.exit_code != 0 and "Nom de diaporama invalide" in r.output
    r = run("export", "deck", "--storyboard", "essai", "--format", "pdf", "-o", str(tmp_path), "--data-dir", str(base))
    assert r.exit_code != 0 and "Impossible d'écrire" in r.output
    r = run(
        "export",
        "deck",
        "--storyboard",
        "essai",
        "--format",
        "pdf",
        "-o",
        str(tmp_path / "fichier" / "x.pdf"),  # under a file: no folder can be made there
        "--data-dir",
        str(base),
    )
    assert r.exit_code != 0 and "Impossible d'écrire" in r.output
    assert (tmp_path / "fichier").read_text() == "garde" and not (tmp_path / "a.pdf").exists()


def test_cli_deck_options_need_deck(base, tmp_path):
    r = run("export", "png", "--format", "pptx", "-o", str(tmp_path / "a.png"), "--data-dir", str(base))
    assert r.exit_code != 0 and "diaporama" in r.output
    r = run("export", "deck", "-o", str(tmp_path / "a.pptx"), "--data-dir", str(base))
    assert r.exit_code != 0 and "--format" in r.output
    assert not (tmp_path / "a.png").exists() and not (tmp_path / "a.pptx").exists()


# --------------------------------------------------------------------------- the address in the QR codes
@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://localhost:8501", True),
        ("http://127.0.0.1:8501/base", True),
        ("http://[::1]:8501", True),
        ("http://0.0.0.0:8501", True),
        ("http://app.localhost", True),
        ("https://territoires.rtes.fr", False),
        ("http://192.168.1.20:8501", False),  # a room's own network: reachable by phones on it
        ("https://localhost-rtes.fr", False),
    ],
)
def test_a_local_address_is_told_apart(url, local):
    from territoires.settings import is_local_url

    assert is_local_url(url) is local


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://territoires.rtes.fr/", "https://territoires.rtes.fr"),
        ("  https://rtes.fr/carte  ", "https://rtes.fr/carte"),
        ("territoires.rtes.fr", None),  # no scheme: never printed on a slide
        ("https://", None),
        ("javascript:alert(1)", None),
        ("https://rtes.fr/?x=1", None),
        ("", None),
    ],
)
def test_the_public_address_setting_is_checked(monkeypatch, raw, expected):
    from territoires.settings import public_url

    monkeypatch.setenv("TERRITOIRES_PUBLIC_URL", raw)
    assert public_url() == expected


def test_cli_uses_the_public_address_and_warns_of_a_local_one(base, tmp_path, monkeypatch):
    out = tmp_path / "d.pptx"
    args = ("export", "deck", "--storyboard", "essai", "--format", "pptx", "-o", str(out), "--data-dir", str(base))
    monkeypatch.setenv("TERRITOIRES_PUBLIC_URL", "https://territoires.exemple.fr")
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert "Attention" not in r.output
    check_pptx(out.read_bytes(), SB, "https://territoires.exemple.fr")
    monkeypatch.delenv("TERRITOIRES_PUBLIC_URL")
    r = run(*args)  # no address given: localhost, and the presenter is told
    assert r.exit_code == 0, r.output
    assert "ne marche que sur cet ordinateur" in " ".join(r.output.split())
    check_pptx(out.read_bytes(), SB, "http://localhost:8501")


def test_cli_date_is_the_meetings_not_the_exports(base, tmp_path):
    from pptx import Presentation

    out = tmp_path / "d.pptx"
    args = ["export", "deck", "--storyboard", "essai", "--format", "pptx", "-o", str(out), "--data-dir", str(base)]
    r = run(*args, "--lien", BASE, "--date", "08/12/2026")
    assert r.exit_code == 0, r.output
    sources = [sh.text_frame.text for s in Presentation(str(out)).slides for sh in s.shapes if sh.name == "Source"]
    assert sources and all("Présenté le 8 décembre 2026." in t for t in sources)
    before = out.read_bytes()
    r = run(*args, "--lien", BASE, "--date", "2026-13-45")
    assert r.exit_code != 0 and "Date de présentation invalide" in " ".join(r.output.split())
    assert out.read_bytes() == before  # nothing written
    r = run("export", "png", "-o", str(tmp_path / "c.png"), "--date", "2026-12-08", "--data-dir", str(base))
    assert r.exit_code != 0 and "ne servent qu'au diaporama" in " ".join(r.output.split())
