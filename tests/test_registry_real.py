"""The shipped registry, read against the newsletter and checked against the built store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from territoires.geo.reader import Boundaries
from territoires.registry import storage
from territoires.registry.check import check_registry
from territoires.registry.join import join
from territoires.registry.resolve import normalize

pytestmark = pytest.mark.realdata
# The member list of the newsletter, verbatim from its text (see tests/data/README.md).
SEED = Path(__file__).parent / "data" / "adherents-31-aout-2012.txt"


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
    assert board["represents"].map(members["kind"]).eq("rtes_member").all()
    roles = dict(zip(board["name"], board["role"], strict=True))
    assert roles["Christiane Bouchart"] == "Présidente"
    assert roles["Henri Arévalo"] == "Vice-président et trésorier"


def test_rhone_alpes_test_poles_and_call_figures(joined):
    poles = joined[(joined["kind"] == "ptce_pole") & joined["test_pole"].fillna(False).astype(bool)]
    assert set(poles["name"]) == {"Archer", "Culture et Coopération", "Val Horizon", "SMAC 07"}
    assert (poles["reg_2012"] == "82").all()
    fig = joined[joined["kind"] == "regional_figure"]
    assert fig.loc["rf-ptce-reponses-france", "figure_value"] == 150
    assert fig.loc["rf-ptce-reponses-rhone-alpes", "reg_2012"] == "82"
    assert fig.loc["rf-ptce-reponses-rhone-alpes", "figure_value"] == 12


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
    assert plaine["successor_code"] == "200054781"  # Métropole du Grand Paris (EPT Plaine Commune)
    assert plaine["n_communes"] == 7  # 8 communes in 2012; Saint-Denis and Pierrefitte merged since


def test_registry_manifest_matches_the_files():
    import json

    from territoires.io.checksum import sha256_file
    from territoires.registry.files import MANIFEST_FILE, TABLES, registry_dir
    from territoires.registry.manifest import changed_files

    d = registry_dir()
    manifest = json.loads((d / MANIFEST_FILE).read_text(encoding="utf-8"))
    for key in ("source", "vintage", "licence"):
        assert manifest[key]
    assert set(manifest["files"]) == set(TABLES)
    for name, info in manifest["files"].items():
        assert sha256_file(d / name) == info["sha256"], name
    assert changed_files() == []
