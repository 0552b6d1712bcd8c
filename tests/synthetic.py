"""Small synthetic boundary sources, built in code (no real data needed).

The grid in Ain (01) is 3×3 squares of 0.1°, with:
- 01005 split: its bottom strip is a hole no commune covers, next to 01005,
  which absorbed a commune whose outline is missing (a 2025 merger);
- 01009 drawn only through its communes déléguées (no outline of its own);
- 01001 and 01002 overlapping slightly (mismatched edges);
- two communes named « Saint-Martin » (01003 and 2A004): a homonym.
Corse-du-Sud (2A) has one commune; Paris (75) one commune and an arrondissement.
Pyrénées-Orientales (66) has a ring of communes around a hole at Llívia's point.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from territoires.geo.source import SourceLayers

X0, Y0, S = 5.0, 46.0, 0.1


def cell(i: int, j: int):
    return box(X0 + i * S, Y0 + j * S, X0 + (i + 1) * S, Y0 + (j + 1) * S)


def communes_rows() -> list[dict]:
    rows = []
    names = {
        1: "Ambérieu",
        2: "Bâgé",
        3: "Saint-Martin",
        4: "Ceyzériat",
        5: "Dompierre",
        6: "Échallon",
        7: "Foissiat",
        8: "Gex",
        9: "Hauteville",
    }
    n = 0
    for j in range(3):
        for i in range(3):
            n += 1
            code = f"010{n:02d}"
            g = cell(i, j)
            if n == 1:
                g = box(X0, Y0, X0 + S + 0.002, Y0 + S)  # overlaps 01002 by 0.002°
            if n == 5:
                g = box(X0 + S, Y0 + S + 0.03, X0 + 2 * S, Y0 + 2 * S)  # bottom strip missing
            if n == 9:
                g = None  # drawn through its parts
            epci = "200000001" if i < 2 else "200000002"
            rows.append(dict(code=code, nom=names[n], dep="01", reg="84", epci=epci, population=1000 * n, geometry=g))
    rows.append(
        dict(
            code="2A004",
            nom="Saint-Martin",
            dep="2A",
            reg="94",
            epci="200000003",
            population=500,
            geometry=box(8.7, 41.9, 8.8, 42.0),
        )
    )
    rows.append(
        dict(
            code="75056",
            nom="Paris",
            dep="75",
            reg="11",
            epci="200054781",
            population=2_100_000,
            geometry=box(2.25, 48.8, 2.42, 48.9),
        )
    )
    # A ring of four communes around Llívia's point (1.98, 42.465): a real hole.
    ring = [
        box(1.9, 42.4, 2.06, 42.44),
        box(1.9, 42.49, 2.06, 42.53),
        box(1.9, 42.44, 1.95, 42.49),
        box(2.01, 42.44, 2.06, 42.49),
    ]
    for k, g in enumerate(ring, start=1):
        rows.append(
            dict(
                code=f"6600{k}",
                nom=f"Cerdagne {k}",
                dep="66",
                reg="76",
                epci=None if k == 4 else "200000004",
                population=100,
                geometry=g,
            )
        )
    return rows


def make_source() -> SourceLayers:
    """The synthetic source, as an adapter would return it."""
    com = pd.DataFrame(communes_rows())
    com["population"] = com["population"].astype("Int64")
    com["epci"] = com["epci"].astype("string")
    communes = gpd.GeoDataFrame(com, geometry="geometry", crs="EPSG:4326")
    parts = gpd.GeoDataFrame(
        {
            "code": ["01009", "01010", "01011", "75101"],
            "nom": ["Hauteville", "Lompnes", "Cormaranche", "Paris 1er Arrondissement"],
            "type": ["COMD", "COMD", "COMD", "ARM"],
            "parent": ["01009", "01009", "01005", "75056"],
            "population": pd.array([600, 400, None, 16000], dtype="Int64"),
        },
        geometry=[
            box(X0 + 2 * S, Y0 + 2 * S, X0 + 2.5 * S, Y0 + 3 * S),
            box(X0 + 2.5 * S, Y0 + 2 * S, X0 + 3 * S, Y0 + 3 * S),
            None,  # 01011 absorbed by 01005 in 2025: no outline
            box(2.33, 48.85, 2.35, 48.87),
        ],
        crs="EPSG:4326",
    )
    epci = pd.DataFrame(
        {
            "code": ["200000001", "200000002", "200000003", "200000004", "200054781", "992367730"],
            "nom": [
                "CC du Bugey",
                "CA du Revermont",
                "CC du Sud Corse",
                "CC Pyrénées catalanes",
                "Métropole du Grand Paris",
                "Agglo provisoire",
            ],
            "nature": ["CC", "CA", "CC", "CC", "ME", "CA"],
        }
    )
    deps = pd.DataFrame(
        {
            "code": ["01", "2A", "75", "66"],
            "nom": ["Ain", "Corse-du-Sud", "Paris", "Pyrénées-Orientales"],
            "reg": ["84", "94", "11", "76"],
        }
    )
    regs = pd.DataFrame(
        {
            "code": ["84", "94", "11", "76"],
            "nom": ["Auvergne-Rhône-Alpes", "Corse", "Île-de-France", "Occitanie"],
        }
    )
    return SourceLayers(
        communes=communes,
        parts=parts,
        epci=epci,
        departements=deps,
        regions=regs,
        meta={"source": "synthétique (tests)", "vintage": "test", "licence": "CC0"},
        merged_parents=frozenset({"01005"}),
    )
