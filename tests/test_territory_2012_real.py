"""The shipped members drawn as they were in 2012, on the real store (Saint-Denis, Cherbourg, Voironnais)."""

from __future__ import annotations

import numpy as np
import pytest

from territoires.geo.build import equal_area_km2
from territoires.geo.reader import Boundaries
from territoires.registry import extent, storage
from territoires.registry.join import Units, attribute_tables, record_shape

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def reg(real_store):
    return storage.load_registry()


@pytest.fixture(scope="module")
def units(reg):
    return Units.build(attribute_tables()[0], reg.perimeters)


@pytest.fixture(scope="module")
def full(real_store):
    return Boundaries(scale=None)


def _member(reg, member_id: str):
    return next(reg.actors[reg.actors["id"] == member_id].itertuples(index=False))


def _area(g, dep: str) -> float:
    return float(equal_area_km2(np.array([g], dtype=object), np.array([dep]))[0])


def _point_of(full: Boundaries, code: str):
    return full.communes_2012.at[code, "geometry"].representative_point()


def test_saint_denis_is_drawn_without_pierrefitte(reg, units, full):
    a = _member(reg, "m-ville-saint-denis")
    assert units.of_record(a) == ["93066"]
    g = record_shape(a, units, full)
    assert _area(g, "93") == pytest.approx(12.4, rel=0.1)
    assert not g.contains(_point_of(full, "93059"))  # Pierrefitte-sur-Seine, merged in 2025


def test_cherbourg_octeville_is_drawn_without_tourlaville(reg, units, full):
    a = _member(reg, "m-ville-cherbourg-octeville")
    g = record_shape(a, units, full)
    assert _area(g, "50") == pytest.approx(16.0, rel=0.15)  # not today's 68.7 km² Cherbourg-en-Cotentin
    for former in ("50602", "50173", "50203", "50416"):  # Tourlaville, Équeurdreville-H., La Glacerie, Querqueville
        assert not g.contains(_point_of(full, former)), former


def test_the_pays_voironnais_holds_la_batie_divisin_but_not_les_abrets_nor_fitilieu(reg, units, full):
    a = _member(reg, "m-epci-pays-voironnais")
    codes = units.of_record(a)
    assert "38028" in codes  # La Bâtie-Divisin (now in Les Abrets en Dauphiné)
    assert "38001" not in codes and "38165" not in codes  # Les Abrets, Fitilieu
    g = record_shape(a, units, full)
    assert g.contains(_point_of(full, "38028"))
    assert not g.contains(_point_of(full, "38001")) and not g.contains(_point_of(full, "38165"))


def test_no_member_is_drawn_more_than_two_percent_larger_than_its_2012_communes(reg, units):
    areas = extent.member_areas(reg, units=units)
    assert len(areas) >= 86  # every placed member is measured
    assert (areas["gap"].abs() <= extent.TOLERANCE).all(), areas[areas["gap"].abs() > extent.TOLERANCE]
    assert extent.perimeter_problems(reg, units) == []


def test_a_commune_of_2012_can_be_searched_and_today_s_commune_is_partly_covered(real_store):
    from territoires import search
    from territoires.dataset import load_dataset
    from territoires.state import MapState

    ds = load_dataset()
    key, label = search.find_places(ds, "Tourlaville")[0]
    assert key == "commune2012:50602" and "aujourd'hui dans Cherbourg-en-Cotentin" in label
    assert search.covering_members(ds, "commune2012:50602").empty  # Tourlaville was not a member
    today = search.covering_members(ds, "commune:50129").set_index("id")
    assert today.at["m-ville-cherbourg-octeville", "couverture"] == "partielle (1/5 communes de 2012)"
    assert MapState(place="commune2012:50602").validated().place == "commune2012:50602"


def test_downloads_read_the_figures_as_the_newsletter_says(real_store):
    from territoires.dataset import load_dataset
    from territoires.registry import downloads

    t = downloads.table(load_dataset().placed).set_index("id")
    assert "332 emplois sauvegardés par 27 reprises depuis 2007" in t.at["init-transmea", "chiffres"]
    assert t.at["ptce-culture-et-cooperation", "chiffres"].startswith("une quinzaine")
    assert t.at["ptce-sicoval", "statut"] == "à l'étude"
    # Pommiers-la-Placette has no outline of its own, but the Voironnais holds all of today's Sure en Chartreuse
    assert not t.at["m-epci-pays-voironnais", "perimetre_approche"]
    assert not t.at["m-ville-cherbourg-octeville", "perimetre_approche"]
    # Gernicourt (Aisne, Picardie), merged into Cormicy (Marne) in 2017, has a reconstructed outline
    assert t.at["init-urscop-nord-pas-de-calais-picardie", "perimetre_approche"]
