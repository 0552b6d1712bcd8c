"""The shipped registry, read against the newsletter and checked against the built store."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from territoires.geo.reader import Boundaries
from territoires.registry import cells, storage
from territoires.registry.check import check_registry
from territoires.registry.figures import parse, readings
from territoires.registry.join import join
from territoires.registry.resolve import normalize

pytestmark = pytest.mark.realdata
# The member list of the newsletter, verbatim from its text (see tests/data/README.md).
SEED = Path(__file__).parent / "data" / "adherents-31-aout-2012.txt"
# The whole newsletter, when the shared seed is there (quotes are checked against it).
NEWSLETTER = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_17c968a1966b435e.txt"


@pytest.fixture(scope="module")
def reg(real_store):
    return storage.load_registry()


@pytest.fixture(scope="module")
def joined(reg, real_store):
    return join(reg, Boundaries(scale="france")).set_index("id")


def test_data_check_passes(real_store):
    rep = check_registry()
    assert rep.ok, rep.problems + rep.unmatched
    assert len(rep.unplaced) == 2  # the pays and the syndicat mixte, declared


def test_member_counts_match_the_printed_list(reg):
    m = reg.actors[reg.actors["kind"] == "rtes_member"]
    by_level = m["level"].value_counts().to_dict()
    assert by_level["region_2012"] == 16
    assert by_level["departement"] == 12
    assert by_level["epci"] + by_level.get("none", 0) == 29  # intercommunalités
    assert by_level["commune"] == 31
    assert m["new_member"].sum() == 9


def squash(name: str) -> str:
    return normalize(name).replace(" ", "")


def printed_member_list() -> dict[str, list[str]]:
    text = SEED.read_text(encoding="utf-8")
    block = text[text.index("Adhérents au 31 août 2012") : text.index("Direction de publication")]
    # Words split across lines by the PDF: « Val-\nlée » is « Vallée ».
    block = re.sub(r"-\n", "-", block).replace("\n", " ")
    parts = re.split(r"(Régions|Départements|Intercommunalités|Villes)\s*:", block)
    return {parts[i]: [n.strip() for n in parts[i + 1].split(";") if n.strip()] for i in range(1, len(parts), 2)}


def test_every_printed_member_is_in_the_registry(reg):
    lists = printed_member_list()
    assert [len(v) for v in lists.values()] == [16, 12, 29, 31]
    names = {squash(n) for n in reg.actors.loc[reg.actors["kind"] == "rtes_member", "name"]}
    for category, printed in lists.items():
        for name in printed:
            assert squash(name) in names, (category, name)


def test_board_members_represent_members(reg):
    board = reg.actors[reg.actors["kind"] == "rtes_board_member"]
    assert len(board) == 17
    members = reg.actors.set_index("id")
    represented = {rid: cells.split(v) for rid, v in zip(board["id"], board["represents"], strict=True)}
    assert all(ids and all(members.at[i, "kind"] == "rtes_member" for i in ids) for ids in represented.values())
    # Two double mandates in the board list, both for two members.
    assert represented["ca-berenice-vincent"] == ["m-reg-72", "m-ville-bergerac"]
    assert represented["ca-jean-paul-hesse"] == ["m-epci-grand-dijon", "m-ville-plombieres-les-dijon"]
    assert sum(len(v) > 1 for v in represented.values()) == 2
    roles = dict(zip(board["name"], board["role"], strict=True))
    assert roles["Christiane Bouchart"] == "Présidente"
    assert roles["Henri Arévalo"] == "Vice-président et trésorier"


def test_rhone_alpes_test_poles_and_call_figures(joined):
    poles = joined[(joined["kind"] == "ptce_pole") & joined["test_pole"].fillna(False).astype(bool)]
    assert set(poles["name"]) == {"Archer", "Culture et Coopération", "Val Horizon", "SMAC 07"}
    assert (poles["reg_2012"] == "82").all()
    fig = joined[joined["kind"] == "regional_figure"]
    (france,) = parse(fig.loc["rf-ptce-reponses-france", "figures"])
    assert (france.value, france.kind) == (150, "exact")
    assert fig.loc["rf-ptce-reponses-rhone-alpes", "reg_2012"] == "82"
    (ra,) = parse(fig.loc["rf-ptce-reponses-rhone-alpes", "figures"])
    assert (ra.value, ra.kind, ra.text) == (12, "approx", "la douzaine de réponses à l'appel à projets")


@pytest.mark.parametrize(
    "name",
    [
        "Transméa",
        "SNT Géry",
        "Scic Replic NPdC",
        "Artis",
        "Culture et Coopération",
        "Maison de l'Économie Solidaire",
        "Pôle de Coopération Sud Aquitaine",
        "Ecopya",
        "Lieu Mutualisé Nantes Métropole",
        "Sicoval",
        "Châteauroux",
        "Chevilly-Larue",
        "Active 71",
        "Pôles d'Initiatives Locales",
        "CitésLab Tourcoing",
        "CitésLab Wattrelos",
        "Le Mixeur",
        "Béganne",
    ],
)
def test_named_actors_are_present(reg, name):
    text = (reg.actors["name"] + " " + reg.actors["official_name"].fillna("") + " " + reg.actors["source_quote"]).map(
        normalize
    )
    assert text.str.contains(normalize(name), regex=False).any(), name


def test_homonyms_and_renamed_communes(joined):
    assert joined.loc["m-ville-saint-denis", "code"] == "93066"
    assert joined.loc["m-ville-merville", "dep"] == "59"
    assert joined.loc["m-ville-fresnes", "dep"] == "94"
    assert joined.loc["m-ville-cherbourg-octeville", "code"] == "50129"
    assert joined.loc["m-ville-clichy-la-garenne", "code"] == "92024"


def test_every_placed_record_has_a_shape(joined):
    placed = joined[~joined["level"].isin(["none", "national"])]
    assert placed.geometry.notna().all()
    assert (~placed.geometry.is_empty).all()
    assert placed.geometry.is_valid.all()
    plaine = joined.loc["m-epci-plaine-commune"]
    assert plaine["successor_code"] == "200057867"  # the EPT Plaine Commune (data/registry/ept.csv)
    assert plaine["n_communes"] == 8  # its 8 communes of 2012 (Saint-Denis and Pierrefitte merged since, in 2025)


def test_registry_manifest_matches_the_files():
    import json

    from territoires.io.checksum import sha256_file
    from territoires.registry.files import EPT_FILE, MANIFEST_FILE, REFERENCE_TABLES, TABLES, registry_dir
    from territoires.registry.manifest import changed_files

    d = registry_dir()
    manifest = json.loads((d / MANIFEST_FILE).read_text(encoding="utf-8"))
    for key in ("source", "vintage", "licence"):
        assert manifest[key]
    assert set(manifest["files"]) == {*TABLES, *REFERENCE_TABLES}
    ept = manifest["files"][EPT_FILE]
    assert "Licence Ouverte 2.0" in ept["licence"] and "2025" in ept["vintage"] and len(ept["archive_sha256"]) == 64
    for name, info in manifest["files"].items():
        assert sha256_file(d / name) == info["sha256"], name
    assert changed_files() == []


def letters(text: str) -> str:
    """Letters and digits only: the PDF's line breaks, hyphenations (« UR-\nSCOP ») and apostrophes left out."""
    return re.sub(r"[\W_]+", "", text.lower())


@pytest.fixture(scope="module")
def newsletter() -> str:
    if not NEWSLETTER.exists():
        pytest.skip("la lettre (../shared/seed) n'est pas là")
    return letters(NEWSLETTER.read_text(encoding="utf-8"))


def test_every_quote_is_the_newsletters_text(reg, newsletter):
    """Source quotes and the quotes of figures, cut at « […] » or « … »: each piece is in the newsletter."""
    missing = []
    for r in reg.actors.itertuples(index=False):
        quotes = [r.source_quote, *(f.quote for f in parse(r.figures) if f.quote)]
        for piece in (p for q in quotes for p in re.split(r"\[…\]|…", q)):
            if letters(piece) and letters(piece) not in newsletter:
                missing.append(f"{r.id} : {piece}")
    assert not missing, missing


def test_both_urscops_carry_what_the_text_says(reg, newsletter):
    a = reg.actors.set_index("id")
    ra, npdc = a.loc["init-urscop-rhone-alpes"], a.loc["init-urscop-nord-pas-de-calais-picardie"]
    assert (ra["level"], ra["code"], ra["precision"]) == ("region_2012", "82", "region")
    assert "Créée et portée en 2007 par l'URSCOP" in ra["source_quote"] and "Transméa" in ra["notes"]
    assert (npdc["level"], npdc["code"], npdc["places"]) == ("region_2012", "31", "region_2012:22")
    assert npdc["source_quote"] == "Elle est portée par l'URSCOP Nord-Pas de Calais / Picardie"
    assert "Replic NPdC" in npdc["notes"]
    assert a.at["init-replic-bourgogne", "status"] == "studied"
    assert a.at["ptce-sicoval", "status"] == "studied"


def test_figures_read_as_the_text_says(reg):
    a = reg.actors.set_index("id")
    assert "332 emplois sauvegardés par 27 reprises depuis 2007" in readings(a.at["init-transmea", "figures"])
    assert any("comité de pilotage stratégique de 10 membres" in r for r in readings(a.at["init-transmea", "figures"]))
    culture = parse(a.at["ptce-culture-et-cooperation", "figures"])
    assert culture[0].text == "une quinzaine d'associations et d'entreprises coopératives culturelles"
    assert (culture[0].value, culture[0].kind) == (15, "approx")
    assert (culture[1].value, culture[1].kind, culture[1].unit) == (3_000_000, "min", "€")
    sud = {f.label: f for f in parse(a.at["ptce-sud-aquitaine", "figures"])}
    assert (sud["acteurs inscrits dans la dynamique"].value_max, sud["bâtiment du pôle"].status) == (300, "planned")
    # A year that is not a launch: Le Fil's 2006 is a joint bid.
    assert pd.isna(a.at["init-le-fil", "launched"])
    (fil,) = parse(a.at["init-le-fil", "figures"])
    assert fil.year == "2006" and fil.value is None
    # No record keeps a figure without saying what it counts.
    assert all(f.label and (f.text or f.unit) for cell in a["figures"].dropna() for f in parse(cell))


def test_successors_are_todays_territories(reg):
    a = reg.actors.set_index("id")
    assert a.at["m-epci-plaine-commune", "successor_code"] == "200057867"
    assert a.at["m-epci-plaine-centrale", "successor_code"] == "200058006"
    assert "Grand Paris Sud Est Avenir" in a.at["m-epci-plaine-centrale", "successor_note"]
    assert "Plaine Commune" in a.at["m-epci-plaine-commune", "successor_note"]


def test_no_control_character_in_any_registry_file():
    from territoires import safe
    from territoires.registry.files import REFERENCE_TABLES, TABLES, registry_dir

    for name in (*TABLES, *REFERENCE_TABLES):
        text = (registry_dir() / name).read_text(encoding="utf-8")
        assert not safe.CONTROL.search(text.replace("\n", "")), name
