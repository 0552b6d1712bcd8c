"""The one reader of the boundary files: attributes without geometry, codes alone, Boundaries' cache."""

from __future__ import annotations

import pickle

import geopandas as gpd
import pandas as pd
import pytest

from territoires.errors import DataFileError
from territoires.geo import reader, store
from territoires.geo.layout import SCHEMAS, level_path


@pytest.fixture
def columns_read(monkeypatch):
    """The columns each ``pd.read_parquet`` call of the reader asked for (None: all of them)."""
    asked: list = []
    real = pd.read_parquet

    def spy(path, *args, columns=None, **kw):
        asked.append(None if columns is None else list(columns))
        return real(path, *args, columns=columns, **kw)

    monkeypatch.setattr(reader.pd, "read_parquet", spy)
    return asked


def test_attributes_are_read_without_the_geometry_column(store_dir, columns_read):
    df = reader.load_attributes("communes", base=store_dir)
    assert columns_read == [list(SCHEMAS["communes"])]
    assert "geometry" not in df.columns
    full = reader.load_level("communes", base=store_dir).drop(columns="geometry")
    pd.testing.assert_frame_equal(df, full[df.columns])


def test_codes_are_read_alone(store_dir, columns_read):
    codes = reader.load_codes("departements", base=store_dir)
    assert columns_read == [["code"]]
    assert codes == set(reader.load_level("departements", base=store_dir)["code"])
    assert {"01", "2A"} <= codes


def test_a_subset_of_columns_and_an_unknown_one(store_dir):
    df = reader.load_attributes("communes", ["code", "dep"], base=store_dir)
    assert list(df.columns) == ["code", "dep"]
    with pytest.raises(ValueError, match="geometry"):
        reader.load_attributes("communes", ["code", "geometry"], base=store_dir)


def test_attributes_refuse_a_file_in_another_crs(store_dir):
    path = level_path("regions", base=store_dir)
    gpd.read_parquet(path).to_crs(3857).to_parquet(path)
    with pytest.raises(DataFileError, match="EPSG:4326") as exc:
        reader.load_codes("regions", base=store_dir)
    assert "regions.parquet" in exc.value.message and "territoires geo build" in exc.value.message


@pytest.mark.parametrize("damage", ["missing", "empty", "truncated"])
def test_attributes_of_a_damaged_file_name_it(store_dir, damage):
    path = level_path("epci", base=store_dir)
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(b"" if damage == "empty" else path.read_bytes()[:100])
    with pytest.raises(DataFileError) as exc:
        reader.load_attributes("epci", base=store_dir)
    assert "epci.parquet" in exc.value.message and "territoires geo build" in exc.value.message


def test_boundaries_read_each_level_once_on_first_use(store_dir, monkeypatch):
    calls: list[str] = []
    real = reader.load_level
    monkeypatch.setattr(reader, "load_level", lambda level, **kw: calls.append(level) or real(level, **kw))
    b = reader.Boundaries(store_dir, scale="france")
    assert b.loaded() == {}
    assert b.departements.index.name == "code" and "01" in b.departements.index
    assert b.departements is b.departements
    assert calls == ["departements"]
    assert list(b.loaded()) == ["departements"]
    with pytest.raises(AttributeError):
        _ = b.arrondissements  # not a display level


def test_boundaries_start_from_levels_already_read(store_dir, monkeypatch):
    first = reader.Boundaries(store_dir, scale="france")
    kept = {"regions": first.regions, "departements": first.departements}
    monkeypatch.setattr(reader, "load_level", lambda *a, **kw: pytest.fail("read again"))
    b = reader.Boundaries(first.base, scale=first.scale, levels=kept)
    assert b.regions is kept["regions"] and b.departements is kept["departements"]
    assert b.loaded() == kept and b.loaded() is not b.loaded()  # a new dict each time: the cache stays its own
    copy = pickle.loads(pickle.dumps(b))
    assert (copy.base, copy.scale, sorted(copy.loaded())) == (store_dir, "france", ["departements", "regions"])
    with pytest.raises(ValueError, match="subdivisions"):
        reader.Boundaries(store_dir, levels={"subdivisions": first.regions})


def test_repair_notes_say_each_repair_once():
    repairs = {
        "outline_held_by": [{"code": "15031", "nom": "Celles", "contour_de": "15141"}],
        "without_outline": [{"code": "01099", "nom": "Nulle"}],
        "rebuilt_from_parts": [{"code": "01009", "nom": "Plateau", "parties": ["01010", "01011"]}],
        "holes_filled": [{"area_km2": 1.25}, {"area_km2": 2.0}],
        "placeholder_sirens": [{"siren": "992367730", "nom": "CC Provisoire"}],
        "enclaves_kept": [{"nom": "Llívia (Espagne)", "area_km2": 12.8}],
    }
    notes = store.repair_notes(repairs)
    assert notes == [
        "Celles (commune 15031) : pas de contour propre dans la source ; "
        "son territoire est couvert par le contour de la commune 15141.",
        "Nulle (commune 01099) : aucun contour dans la source.",
        "Plateau (commune 01009) : contour reconstruit à partir de ses 2 communes déléguées.",
        "2 lacunes comblées (3,2 km²), attribuées chacune à une commune voisine.",
        "CC Provisoire (intercommunalité 992367730) : numéro SIREN provisoire dans la source.",
    ]
    named = store.repair_notes(repairs, names={"15141": "Neussargues-Moissac"})
    assert "couvert par le contour de Neussargues-Moissac (15141)." in named[0]
    assert store.repair_notes({}) == []


def test_the_check_notes_are_the_repair_notes(store_dir):
    assert store.check_store(store_dir).notes == store.repair_notes(store.read_manifest(store_dir)["repairs"])
