"""Small synthetic data built in code (no real data needed): a boundary source and a registry.

The grid in Ain (01) is 3×3 squares of 0.1°, with:
- 01005 split: its bottom strip is a hole no commune covers, next to 01005,
  which absorbed a commune whose outline is missing (a 2025 merger);
- 01009 drawn only through its communes déléguées (no outline of its own);
- 01001 and 01002 overlapping slightly (mismatched edges);
- two communes named « Saint-Martin » (01003 and 2A004): a homonym.
Corse-du-Sud (2A) has one commune; Paris (75) one commune and an arrondissement.
Pyrénées-Orientales (66) has a ring of communes around a hole at Llívia's point.

The registry (:data:`ROWS`, written by :func:`write_registry`) places members and poles on it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from territoires.geo.source import SourceLayers
from territoires.registry import relations as rel
from territoires.registry.schema import COLUMNS

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


# ------------------------------------------------------------------------- registry
# A name that would run code if it were ever evaluated as a template, HTML or a JS template literal.
HOSTILE = '{{ 7*7 }}<img src=x onerror="window.__pwned=1">${alert(1)}'


def row(**kw: object) -> dict[str, str]:
    """A registry row: every column, empty unless given, with a member's defaults."""
    r = dict.fromkeys(COLUMNS, "")
    r.update(
        new_member="false",
        precision="territoire",
        source_section="Adhérents au 31 août 2012",
        source_quote="Villes : … Gex …",
    )
    r.update({k: str(v) for k, v in kw.items()})
    return r


# Members at every level (one homonym, one not placed), a board member, a pole, a national figure.
ROWS = [
    row(id="m-ville-gex", kind="rtes_member", name="Gex", official_name="Gex", level="commune", code="01008"),
    row(
        id="m-ville-ajaccio",
        kind="rtes_member",
        name="Saint-Martin",
        level="commune",
        code="2A004",
        notes="Homonyme : la Corse-du-Sud",
    ),
    row(id="m-dep-01", kind="rtes_member", name="Ain", level="departement", code="01", new_member="true"),
    row(id="m-reg-82", kind="rtes_member", name="Rhône-Alpes", level="region_2012", code="82"),
    row(
        id="m-epci-bugey",
        kind="rtes_member",
        name="Bugey",
        level="epci",
        code="240100001",
        siren_2012="240100001",
        successor_code="200000001",
    ),
    row(
        id="ca-x",
        kind="rtes_board_member",
        name="Une Élue",
        level="commune",
        code="01008",
        represents="m-ville-gex",
        role="Présidente",
    ),
    row(
        id="ptce-x",
        kind="ptce_pole",
        name="Pôle X",
        level="region_2012",
        code="82",
        precision="region",
        test_pole="true",
        figures='[{"label": "emplois", "value": 250, "unit": "emplois"}]',
    ),
    row(
        id="rf-x",
        kind="regional_figure",
        name="Réponses",
        level="national",
        code="FR",
        precision="national",
        figures='[{"label": "Réponses", "value": 150}]',
    ),
    row(id="m-cantal", kind="rtes_member", name="Ceyzériat", level="commune", code="01004"),
    row(
        id="m-none",
        kind="rtes_member",
        name="Pays flou",
        level="none",
        precision="inconnue",
        notes="non localisé : périmètre inconnu",
    ),
]
# The 2012 perimeter of the Bugey EPCI, in communes of today.
PERIMETERS = [
    {
        "siren_2012": "240100001",
        "nom_2012": "CC du Bugey 2012",
        "commune_2012": "01001",
        "nom_commune_2012": "Ambérieu",
        "commune": "01001",
    },
    {
        "siren_2012": "240100001",
        "nom_2012": "CC du Bugey 2012",
        "commune_2012": "01010",
        "nom_commune_2012": "Lompnes",
        "commune": "01009",
    },
]


def relation(id: str, from_id: str, type: str, to_id: str, **kw: object) -> dict[str, str]:
    """A relations row: every column, empty unless given; in place, with a source."""
    r = dict.fromkeys(rel.COLUMNS, "")
    r.update(id=id, from_id=from_id, type=type, to_id=to_id, status="en place")
    r.update(source_section="Une rubrique", source_quote="Une citation de la lettre")
    r.update({k: str(v) for k, v in kw.items()})
    return r


# Relations between the records of ROWS and app_rows(): an amount, a partnership both ways, one under
# study, one from a member to a pole of a wider place, and a hostile quote that must stay text.
RELATIONS = [
    relation("rel-1", "m-reg-82", "finance", "ptce-x", amount="1000000", unit="€", amount_kind="exact", year="2012"),
    relation("rel-2", "m-dep-01", "soutient", "ptce-x", status="à l'étude"),
    relation("rel-3", "m-ville-gex", "partenaire", "m-epci-bugey", source_quote=HOSTILE),
    relation("rel-4", "m-ville-gex", "cofinance", "p1", amount="20000", unit="€", amount_kind="approx"),
    relation("rel-5", "m-reg-82", "soutient", "p3", year="2010"),
    relation("rel-6", "m-epci-bugey", "crée", "p4", source_quote="citation {{ 7*7 }} <b>gras</b>"),
]


def write_relations(d: Path, relations: list[dict]) -> None:
    """``relations.csv`` with these relations."""
    with open(d / "relations.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=rel.COLUMNS)
        w.writeheader()
        w.writerows(relations)


def write_registry(
    base: Path, rows: list[dict] = ROWS, perimeters: list[dict] = PERIMETERS, relations: list[dict] | None = None
) -> Path:
    """Write the registry files under ``base/registry`` and return that directory.

    ``relations``: by default those of :data:`RELATIONS` whose two ends are among ``rows``.
    """
    d = base / "registry"
    d.mkdir(parents=True, exist_ok=True)
    with open(d / "actors.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    with open(d / "perimetres_2012.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(perimeters[0]))
        w.writeheader()
        w.writerows(perimeters)
    (d / "alias_communes.csv").write_text("name,dep,code,reason\nAmbérieu-en-Bugey,01,01001,nom d'usage\n")
    (d / "fusions_communes.csv").write_text("code_2012,nom_2012,code,reason\n01099,Absorbée,01002,fusion\n")
    # An établissement public territorial (a successor the EPCI layer has not).
    (d / "ept.csv").write_text("siren,nom,communes\n200000099,EPT des Monts,01003 01005\n")
    if relations is None:
        ids = {r["id"] for r in rows}
        relations = [r for r in RELATIONS if r["from_id"] in ids and r["to_id"] in ids]
    write_relations(d, relations)
    return d


def app_rows() -> list[dict[str, str]]:
    """The dashboard's test registry: the members of ROWS and four actors, one with a hostile name."""
    extra = [
        row(
            id="p1",
            kind="ptce_pole",
            name="Pôle des Monts",
            level="commune",
            code="01003",
            precision="commune",
            test_pole="true",
            founded="2010",
        ),
        row(id="p2", kind="ptce_pole", name="Pôle du Sud", level="commune", code="66001", precision="commune"),
        row(
            id="p3", kind="ples", name="PLES de Gex", level="commune", code="01008", precision="commune", founded="1997"
        ),
        row(
            id="p4",
            kind="initiative",
            name=HOSTILE,
            level="commune",
            code="01005",
            precision="commune",
            source_quote="citation {% raw %} <script>window.__pwned=2</script>",
        ),
    ]
    return [r for r in ROWS if r["id"] != "ptce-x"] + extra
