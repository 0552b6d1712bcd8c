"""Statistics of cooperation: the relations between records, by région (no streamlit).

For the CLI (``territoires stats --what relations``), the Statistiques page and tests alike.

- A relation counts in a région if either of its ends lies in it (the end's main territory, the
  one the density statistics count it in), once per région even when both ends are there.  An
  end of national scope (the Caisse des Dépôts) lies in no région: its relation counts in the
  other end's région only, and always in the national total.
- The local authorities engaged are the distinct members of the RTES and the ``partner``
  records that *are* a territory's authority (a level of territory and precision
  ``territoire``: the conseil général des Landes), at an end of a relation in the région.  An
  organisation merely placed at a territory (an association of a région, a comité de bassin
  d'emploi) is not an authority.
- Declared amounts are summed by unit: euros apart, with the part that is approximate; other
  units (years, hectares) as text, with how many relations they sum.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from territoires.registry.relations import amount_text
from territoires.safe import spreadsheet_frame

BY = ("region_2012", "region")
# Column of an end (``from_`` / ``to_`` + it) holding its région, per grouping.
KEY = {"region_2012": "reg_2012", "region": "reg"}
LEVEL = {"region_2012": "regions_2012", "region": "regions"}
TERRITORY_LEVELS = frozenset({"region", "region_2012", "departement", "epci", "commune"})
EURO_UNITS = frozenset({"€", "euro", "euros", "eur"})
NATIONAL = ("FR", "France entière")
COLUMNS = ["code", "nom", "relations", "collectivites", "euros", "euros_environ", "autres_montants"]
LABELS_FR = {
    "code": "Code",
    "nom": "Région",
    "relations": "Relations",
    "collectivites": "Collectivités engagées",
    "euros": "Montants en €",
    "euros_environ": "dont montants approchés (€)",
    "autres_montants": "Autres montants déclarés",
}


def is_authority(kind: object, level: object, precision: object) -> bool:
    """Whether a record is a local authority: a member, or a partner that is its territory's authority."""
    if level not in TERRITORY_LEVELS:
        return False
    return kind == "rtes_member" or (kind == "partner" and precision == "territoire")


def _is_euro(unit: object) -> bool:
    return isinstance(unit, str) and unit.strip().lower() in EURO_UNITS


def ends_long(relations: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per end of each relation: ``rel`` (its position), ``id``, ``region`` (None if none), ``authority``."""
    rows = []
    for side in ("from", "to"):
        part = pd.DataFrame(
            {
                "rel": range(len(relations)),
                "id": relations[f"{side}_id"].to_numpy(),
                "region": relations[f"{side}_{KEY[by]}"].to_numpy(),
                "authority": [
                    is_authority(k, lv, p)
                    for k, lv, p in zip(
                        relations[f"{side}_kind"],
                        relations[f"{side}_level"],
                        relations[f"{side}_precision"],
                        strict=True,
                    )
                ],
            }
        )
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    out["region"] = out["region"].where(out["region"].map(lambda v: isinstance(v, str) and v != ""), None)
    return out


def amounts(relations: pd.DataFrame) -> tuple[float, float, str]:
    """The euros declared, the approximate part of them, and the other amounts as text.

    Only euros are added up: a duration or an area is listed (« 3 ans (×3) ; 70 ha »), since three
    posts funded for three years are not nine years of anything."""
    has = relations.loc[relations["amount"].notna()]
    is_euro = has["unit"].map(_is_euro).astype(bool)  # bool even when empty: a mask, not a list of columns
    euro, rest = has.loc[is_euro], has.loc[~is_euro]
    approx = (euro["amount_kind"] == "approx").astype(bool)
    others = []
    for (unit, value, kind), grp in rest.groupby(["unit", "amount", "amount_kind"], sort=True):
        n = f" (×{len(grp)})" if len(grp) > 1 else ""
        others.append(amount_text(float(value), str(unit), str(kind)) + n)
    return float(euro["amount"].sum()), float(euro.loc[approx, "amount"].sum()), " ; ".join(others)


def declared(relations: list[dict] | pd.DataFrame) -> str:
    """The amounts some relations declare, as text: « 20 000 € ; autres : 3 ans (×3) », or ""."""
    if len(relations) == 0:
        return ""
    euros, approx, other = amounts(pd.DataFrame(relations))
    parts = [amount_text(euros, "€", "approx" if approx else "exact")] if euros else []
    return " ; ".join([*parts, *([f"autres : {other}"] if other else [])])


def _row(code: str, nom: str, relations: pd.DataFrame, authorities: set[str]) -> dict:
    euros, approx, other = amounts(relations)
    return {
        "code": code,
        "nom": nom,
        "relations": len(relations),
        "collectivites": len(authorities),
        "euros": euros,
        "euros_environ": approx,
        "autres_montants": other,
    }


def cooperation_table(relations: pd.DataFrame, regions: pd.DataFrame, by: str) -> pd.DataFrame:
    """Every région of the system (``regions``: code, nom), then the national total (:data:`COLUMNS`).

    Sorted by number of relations, then by code; the total is the last row (code ``FR``), each
    relation and each authority counted once there.
    """
    if by not in BY:
        raise ValueError(f"regroupement inconnu : {by!r} (attendu : {', '.join(BY)})")
    rel = relations.reset_index(drop=True)
    long = ends_long(rel, by)
    placed = long[long["region"].notna()]
    rows = []
    for code, nom in zip(regions["code"].astype(str), regions["nom"].astype(str), strict=True):
        here = placed[placed["region"] == code]
        auth = set(here.loc[here["authority"], "id"])
        rows.append(_row(code, nom, rel.iloc[sorted(set(here["rel"]))], auth))
    table = pd.DataFrame(rows, columns=COLUMNS).sort_values(["relations", "code"], ascending=[False, True])
    total = _row(*NATIONAL, rel, set(long.loc[long["authority"], "id"]))
    return pd.concat([table, pd.DataFrame([total], columns=COLUMNS)], ignore_index=True)


def national_ends(relations: pd.DataFrame) -> int:
    """The number of relations one end of which is of national scope."""
    return int(((relations["from_level"] == "national") | (relations["to_level"] == "national")).sum())


def nowhere(relations: pd.DataFrame, by: str) -> int:
    """The number of relations neither end of which lies in a région (counted in the total only)."""
    long = ends_long(relations.reset_index(drop=True), by)
    return len(relations) - long.loc[long["region"].notna(), "rel"].nunique()


@dataclass
class CoopReport:
    """The cooperation table and what it leaves aside, in several formats."""

    by: str
    table: pd.DataFrame
    national_ends: int
    nowhere: int

    def notes(self) -> list[str]:
        """The French lines that go with the table."""
        return [
            f"{self.national_ends} relation(s) ont une extrémité de portée nationale (sans lieu) : "
            "comptées dans la région de l'autre extrémité et dans le total.",
            f"{self.nowhere} relation(s) sans extrémité dans une région : comptées dans le total seulement.",
            "Une relation compte dans chaque région où se trouve l'une de ses extrémités (une fois par région) ; "
            "le total la compte une fois. Montants : ceux que la lettre déclare, « environ » s'ils sont approchés.",
        ]

    def to_csv(self) -> str:
        """The table alone, as CSV (no cell may run as a formula)."""
        # Text as dtype object: territoires.safe.spreadsheet_frame passes over pandas 3's own "str" columns.
        text = self.table.astype({c: object for c in ("code", "nom", "autres_montants")})
        return spreadsheet_frame(text).to_csv(index=False, lineterminator="\n", float_format="%.15g")

    def to_json(self) -> str:
        """The table and the notes, as JSON."""
        doc = {
            "by": self.by,
            "table": json.loads(self.table.to_json(orient="records", force_ascii=False)),
            "relations_de_portee_nationale": self.national_ends,
            "relations_hors_region": self.nowhere,
            "notes": self.notes(),
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"

    def to_markdown(self) -> str:
        """The table with French headers and numbers, then the notes."""
        from territoires import fmt

        def cell(col: str, v: object) -> str:
            if col in ("euros", "euros_environ"):
                return fmt.number(float(v), 0) if v else "–"
            if col in ("relations", "collectivites"):
                return fmt.number(float(v), 0)
            return str(v or "").replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

        head = [LABELS_FR[c] for c in COLUMNS]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        for r in self.table.to_dict(orient="records"):
            lines.append("| " + " | ".join(cell(c, r[c]) for c in COLUMNS) + " |")
        return "\n".join([*lines, "", *self.notes()]) + "\n"


def report(relations: pd.DataFrame, levels: dict[str, pd.DataFrame], by: str = "region_2012") -> CoopReport:
    """:class:`CoopReport` of the relations (``Dataset.relations``) by the régions of ``levels``."""
    if by not in BY:
        raise ValueError(f"regroupement inconnu : {by!r} (attendu : {', '.join(BY)})")
    regions = pd.DataFrame(levels[LEVEL[by]])[["code", "nom"]]
    return CoopReport(
        by=by,
        table=cooperation_table(relations, regions, by),
        national_ends=national_ends(relations),
        nowhere=nowhere(relations, by),
    )
