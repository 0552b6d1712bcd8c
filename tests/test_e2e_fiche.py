"""The « Fiche territoire » in real headless Chromium: from the map's popup to the fiche, its PDF, a shared link.

Run alone: pytest -m e2e tests/test_e2e_fiche.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from test_e2e import ARTIFACTS, browser, drawn_map, open_page, server, wait_until  # noqa: F401 — fixtures

pytestmark = pytest.mark.e2e


def _choose(page, label: str, option: str) -> None:
    """Open a select box and pick ``option``, again if a rerun of the page closed the list first
    (the fiche's map image and buttons arrive after its text: the box may be redrawn meanwhile)."""
    select = page.get_by_test_id("stSelectbox").filter(has_text=label)
    select.wait_for(timeout=60_000)
    for _ in range(6):
        select.get_by_role("combobox").click()
        try:
            page.get_by_role("option", name=option).click(timeout=5_000)
            return
        except Exception:  # the list closed under a rerun: open it again
            page.keyboard.press("Escape")
    raise AssertionError(f"option « {option} » jamais proposée")


def _fiche_shown(page, name: str, timeout: float = 60_000) -> None:
    page.get_by_text("Fiche territoire", exact=True).first.wait_for(timeout=timeout)
    page.get_by_test_id("stText").filter(has_text=name).first.wait_for(timeout=timeout)


def test_from_a_member_popup_to_its_fiche_then_its_pdf(open_page, server, tmp_path):  # noqa: F811
    page = open_page(server)
    frame = drawn_map(page)
    # Gex, a member city: its perimeter's popup has the link to its fiche.
    frame.evaluate(
        """() => { for (const k in window) { const m = window[k];
            if (m && m instanceof L.Map) { m.eachLayer(l => {
                if (!(l.getPopup && l.getPopup())) return;
                // A popup's content may be a function of its layer (popups shared in one file).
                let c = l.getPopup().getContent();
                if (typeof c === 'function') c = c(l);
                if (String(c).includes('commune:01008')) l.openPopup(); }); } } }"""
    )
    link = frame.get_by_role("link", name="Voir la fiche")
    link.first.wait_for(timeout=30_000)
    # A new tab (the map's frame may open one, not navigate the whole tab): the map stays.
    with page.context.expect_page(timeout=30_000) as opened:
        link.first.click()
    page = opened.value
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.wait_for_load_state()
    assert "/fiche?fiche=commune:01008" in page.url or "/fiche?fiche=commune%3A01008" in page.url
    _fiche_shown(page, "Gex")
    page.get_by_text("Adhérent du RTES au 31 août 2012.").wait_for(timeout=30_000)
    with page.expect_download(timeout=120_000) as dl:
        page.get_by_role("button", name="Télécharger la fiche (PDF)").click()
    target = tmp_path / "gex.pdf"
    dl.value.save_as(target)
    assert Path(target).read_bytes().startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "fiche-gex.png"), full_page=True)
    assert not errors, errors


def test_search_then_the_shared_link_reopens_in_two_fresh_browsers(open_page, server):  # noqa: F811
    page = open_page(f"{server}/fiche")
    box = page.get_by_label("Rechercher un territoire", exact=False)
    box.fill("Ain")
    box.press("Enter")
    page.get_by_test_id("stSelectbox").last.click()
    page.get_by_role("option", name="Ain — département 01").click()
    wait_until(page, lambda: "fiche=departement" in page.url)
    _fiche_shown(page, "Ain")
    shared = page.url
    for _ in range(2):  # two new visitors, each in a fresh browser context
        other = open_page(shared)
        _fiche_shown(other, "Ain")
        other.get_by_text("nouvel adhérent en 2012", exact=False).first.wait_for(timeout=30_000)
    # The link arriving on the map's address opens the fiche too.
    moved = open_page(f"{server}/?fiche=commune:01008")
    wait_until(moved, lambda: "/fiche" in moved.url)
    _fiche_shown(moved, "Gex")


def test_a_bad_link_is_refused_in_french(open_page, server):  # noqa: F811
    page = open_page(f"{server}/fiche?fiche=commune:%3Cimg%3E")
    page.get_by_text("Lien de fiche invalide", exact=False).wait_for(timeout=60_000)
    page = open_page(f"{server}/fiche?fiche=commune:99999")
    page.get_by_text("Territoire introuvable.").wait_for(timeout=60_000)


def test_from_a_fiche_to_the_fiches_of_the_members_covering_it(open_page, server):  # noqa: F811
    page = open_page(f"{server}/fiche?fiche=commune:01008")
    _fiche_shown(page, "Gex")
    assert "None" not in page.inner_text("body")  # an unknown year or amount is an empty cell
    # Twice in one session: Gex → its département → its région of 2012.
    for option, name, link in (
        ("Ain (Département)", "Ain", "fiche=departement:01"),
        ("Rhône-Alpes (Région (2012))", "Rhône-Alpes", "fiche=region_2012:82"),
    ):
        _choose(page, "Voir la fiche d'un adhérent qui le couvre", option)
        page.get_by_test_id("stText").filter(has_text=link).first.wait_for(timeout=60_000)
        _fiche_shown(page, name)
    assert "None" not in page.inner_text("body")
