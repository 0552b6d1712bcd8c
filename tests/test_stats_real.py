"""What the newsletter says of Rhône-Alpes, reproduced from the shipped data."""

from __future__ import annotations

import pytest

from territoires import stats
from territoires.dataset import load_dataset

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def ds(real_store):
    return load_dataset()


@pytest.mark.parametrize(("by", "leader"), [("region_2012", "Rhône-Alpes"), ("region", "Auvergne-Rhône-Alpes")])
def test_rhone_alpes_concentrates_the_poles(ds, by, leader):
    terr = stats.territories(ds.levels, by)
    table = stats.density_table(ds.placed, terr, "ptce_pole")
    c = stats.concentration(table, "ptce_pole", by)
    assert c.leaders == [leader]
    assert c.leader_count == 4 and c.total == 5
    assert table.iloc[0]["nom"] == leader
    assert table.iloc[0]["location_quotient"] > 5


def test_counted_test_poles_match_the_figure_the_newsletter_gives(ds):
    f = stats.figures(ds.placed).set_index("id")
    assert f.at["rf-ptce-poles-temoins-rhone-alpes", "value"] == 4
    poles = ds.placed[(ds.placed["kind"] == "ptce_pole") & ds.placed["test_pole"].fillna(False).astype(bool)]
    assert (poles["reg_2012"] == "82").sum() == 4
    # the call's figures: Rhône-Alpes, about 12 of the 150 answers
    assert f.at["rf-ptce-reponses-rhone-alpes", "value"] / f.at["rf-ptce-reponses-france", "value"] == 0.08


def test_population_and_area_come_from_the_store_with_their_vintage(ds):
    terr = stats.territories(ds.levels, "region_2012")
    ra = terr.table.loc["82"]
    assert 6_000_000 < ra["population"] < 7_000_000
    assert abs(ra["area_km2"] / 43_698 - 1) < 0.03
    assert "COG 2025" in ds.vintage["millesime"]


def test_members_cover_every_member_region_entirely(ds):
    cov = stats.coverage(ds.placed, ds.registry.perimeters, stats.territories(ds.levels, "region_2012"))
    cov = cov.set_index("code")
    member_regions = ds.placed.loc[(ds.placed["kind"] == "rtes_member") & (ds.placed["level"] == "region_2012"), "code"]
    for code in member_regions:
        assert cov.at[code, "covered_population_share"] == pytest.approx(1.0)
    assert cov.at["41", "covered_population_share"] < 1  # Lorraine: only Meurthe-et-Moselle and Senones
