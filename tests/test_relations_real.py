"""The shipped relations (data/registry/relations.csv) against the newsletter they come from."""

from __future__ import annotations

import re

import pytest

from territoires.registry.storage import load_registry
from test_registry_real import NEWSLETTER, letters


@pytest.fixture(scope="module")
def reg():
    return load_registry()


def test_every_relation_quote_is_the_newsletters_text(reg):
    if not NEWSLETTER.exists():
        pytest.skip("la lettre (../shared/seed) n'est pas là")
    text = letters(NEWSLETTER.read_text(encoding="utf-8"))
    missing = [
        f"{r.id} : {piece}"
        for r in reg.relations.itertuples(index=False)
        for piece in re.split(r"\[…\]|…", r.source_quote)
        if letters(piece) and letters(piece) not in text
    ]
    assert not missing, missing


def test_the_relations_the_issue_names_are_there(reg):
    r = reg.relations
    have = set(zip(r["from_id"], r["type"], r["to_id"], strict=True))
    for triple in [
        ("m-reg-82", "finance", "init-transmea"),
        ("m-reg-82", "siège au comité de", "init-transmea"),
        ("init-urscop-rhone-alpes", "crée", "init-transmea"),
        ("init-urscop-rhone-alpes", "porte", "init-transmea"),
        ("init-urscop-nord-pas-de-calais-picardie", "porte", "init-replic-npdc"),
        ("m-epci-lille-metropole", "partenaire", "init-replic-npdc"),
        ("m-reg-31", "partenaire", "init-replic-npdc"),
        ("m-dep-59", "partenaire", "init-replic-npdc"),
        ("m-epci-lille-metropole", "finance", "init-replic-npdc"),
        ("partner-caisse-des-depots", "cofinance", "citeslab-tourcoing"),
        ("m-reg-31", "cofinance", "citeslab-wattrelos"),
        ("partner-cg-landes", "soutient", "ptce-sud-aquitaine"),
        ("m-reg-72", "soutient", "ptce-sud-aquitaine"),
        ("m-epci-sicoval", "crée", "init-maison-economie-solidaire"),
        ("partner-ville-ramonville", "crée", "init-maison-economie-solidaire"),
        ("m-epci-grand-toulouse", "associé", "ptce-sicoval"),
        ("partner-cg-haute-garonne", "associé", "ptce-sicoval"),
        ("m-reg-73", "associé", "ptce-sicoval"),
        ("m-epci-saint-etienne-metropole", "partenaire", "ptce-culture-et-cooperation"),
    ]:
        assert triple in have, triple
    money = r.set_index(["from_id", "to_id", "type"])["amount"]
    assert money[("m-reg-82", "init-transmea", "finance")] == 1_000_000
    assert money[("m-epci-lille-metropole", "init-replic-npdc", "finance")] == 20_000


def test_partners_are_placed_at_their_territory_or_national(reg):
    a = reg.actors.set_index("id")
    assert tuple(a.loc["partner-cg-landes", ["level", "code"]]) == ("departement", "40")
    assert tuple(a.loc["partner-caisse-des-depots", ["level", "code"]]) == ("national", "FR")
    assert tuple(a.loc["partner-ville-ramonville", ["level", "code"]]) == ("commune", "31446")
