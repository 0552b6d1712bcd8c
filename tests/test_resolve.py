"""The resolver on synthetic communes: homonyms, Corsica, mergers, arrondissements, aliases."""

from __future__ import annotations

import pandas as pd
import pytest

from territoires.registry.resolve import Ambiguous, CommuneResolver, Unknown, normalize


@pytest.fixture(scope="module")
def resolver(built):
    aliases = pd.DataFrame({"name": ["Ambérieu-en-Bugey"], "dep": ["01"], "code": ["01001"], "reason": ["nom d'usage"]})
    mergers = pd.DataFrame(
        {"code_2012": ["01099"], "nom_2012": ["Absorbée"], "code": ["01002"], "reason": ["fusion simple"]}
    )
    return CommuneResolver(built.levels["communes"], built.levels["subdivisions"], aliases, mergers)


def test_unique_name(resolver):
    r = resolver.commune("Gex")
    assert (r.code, r.dep, r.how) == ("01008", "01", "nom officiel")


def test_homonym_without_departement_is_an_error_listing_candidates(resolver):
    with pytest.raises(Ambiguous) as exc:
        resolver.commune("Saint-Martin")
    assert {c[0] for c in exc.value.candidates} == {"01003", "2A004"}
    assert "préciser le département" in exc.value.message


def test_homonym_with_departement_including_corsica(resolver):
    assert resolver.commune("Saint-Martin", "2A").code == "2A004"
    assert resolver.commune("saint martin", "01").code == "01003"


def test_never_first_match_even_with_spelling_variants(resolver):
    with pytest.raises(Ambiguous):
        resolver.commune("ST-MARTIN")


def test_merged_commune_resolves_to_its_new_commune(resolver):
    r = resolver.commune("Lompnes")  # now a commune déléguée of 01009
    assert (r.code, r.how) == ("01009", "commune déléguée")
    assert resolver.commune("Cormaranche", "01").code == "01005"


def test_arrondissement_resolves_to_its_commune(resolver):
    r = resolver.commune("Paris 1er Arrondissement")
    assert (r.code, r.how) == ("75056", "arrondissement municipal")
    assert resolver.current_code("75101").code == "75056"


def test_alias_for_a_name_that_is_not_official(resolver):
    r = resolver.commune("Ambérieu-en-Bugey", "01")
    assert (r.code, r.how) == ("01001", "alias")


def test_unknown_name_suggests_close_ones(resolver):
    with pytest.raises(Unknown) as exc:
        resolver.commune("Foissiatt")
    assert any("Foissiat" in s for s in exc.value.suggestions)
    with pytest.raises(Unknown):
        resolver.commune("Gex", "2A")  # exists, but not in that département


def test_codes_of_2012(resolver):
    assert resolver.current_code("01001").how == "code"
    assert resolver.current_code("01010").code == "01009"  # déléguée
    assert resolver.current_code("01099").code == "01002"  # fusion without déléguée
    assert resolver.current_code("01098") is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Saint-Étienne", "St Etienne"),
        ("Villeneuve d'Ascq", "Villeneuve-d'Ascq"),
        ("CŒUR CÔTE FLEURIE", "coeur cote fleurie"),
        ("Châlons sur Saône", "chalons-sur-saone"),
    ],
)
def test_normalize(a, b):
    assert normalize(a) == normalize(b)
