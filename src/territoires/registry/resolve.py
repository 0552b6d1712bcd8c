"""Names to official codes, once, with context: never a first match, never a guess.

- a commune name shared by several communes needs its département; without it
  the name is :class:`Ambiguous` and the candidates are listed;
- a name that is now a commune déléguée or associée (a merger, a renaming)
  resolves to today's commune, saying so;
- a printed name that differs from the official one (« Clichy-la-Garenne » for
  Clichy, a misprint) goes through an explicit alias table with its reason.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from territoires.errors import TerritoiresError


class ResolutionError(TerritoiresError):
    """A name that cannot be turned into one code."""


class Ambiguous(ResolutionError):
    """Several communes carry the name: the département is needed."""

    def __init__(self, name: str, candidates: list[tuple[str, str, str]]):
        self.candidates = candidates
        listed = " ; ".join(f"{c} {n} ({d})" for c, n, d in candidates)
        super().__init__(
            f"Nom de commune ambigu : « {name} » désigne {len(candidates)} communes : {listed}.",
            todo="préciser le département (colonne dep) ou donner le code INSEE.",
        )


class Unknown(ResolutionError):
    """No commune carries the name."""

    def __init__(self, name: str, dep: str | None, suggestions: list[str]):
        self.suggestions = suggestions
        hint = f" Noms proches : {', '.join(suggestions)}." if suggestions else ""
        where = f" dans le département {dep}" if dep else ""
        super().__init__(
            f"Commune inconnue : « {name} »{where}.{hint}",
            todo="vérifier l'orthographe, le département, ou donner le code INSEE.",
        )


_TOKENS = {"st": "saint", "ste": "sainte"}
_HOW = {"COMD": "commune déléguée", "COMA": "commune associée", "ARM": "arrondissement municipal"}


def normalize(name: str) -> str:
    """Comparable form of a place name: no accents, case, hyphens or apostrophes."""
    s = unicodedata.normalize("NFKD", name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    words = re.sub(r"[^0-9a-z]+", " ", s).split()
    return " ".join(_TOKENS.get(w, w) for w in words)


@dataclass(frozen=True)
class Resolution:
    """A resolved commune: its code today, and how it was found."""

    code: str
    nom: str
    dep: str
    how: str  # nom officiel | alias | commune déléguée | commune associée | arrondissement municipal | code | fusion


class CommuneResolver:
    """Resolve commune names or 2012 codes to today's commune codes."""

    def __init__(
        self,
        communes: pd.DataFrame,
        subdivisions: pd.DataFrame,
        aliases: pd.DataFrame | None = None,
        mergers: pd.DataFrame | None = None,
    ):
        com = communes[["code", "nom", "dep"]].copy()
        com["key"] = com["nom"].map(normalize)
        self.communes = com
        self._by_code = com.set_index("code")
        kinds = ["COMD", "COMA", "ARM"]
        sub = subdivisions[subdivisions["type"].isin(kinds)][["code", "nom", "type", "parent"]].copy()
        sub["key"] = sub["nom"].map(normalize)
        sub["dep"] = sub["parent"].map(self._by_code["dep"])
        self.subdivisions = sub
        # 2012 codes of communes merged without a commune déléguée (a « fusion simple »).
        self.mergers: dict[str, str] = {}
        if mergers is not None:
            self.mergers = dict(zip(mergers["code_2012"], mergers["code"], strict=True))
        self.aliases: dict[tuple[str, str | None], tuple[str, str]] = {}
        if aliases is not None:
            for row in aliases.itertuples():
                self.aliases[(normalize(row.name), row.dep or None)] = (row.code, row.reason)

    def _row(self, code: str, how: str) -> Resolution:
        r = self._by_code.loc[code]
        return Resolution(code=code, nom=r["nom"], dep=r["dep"], how=how)

    def commune(self, name: str, dep: str | None = None) -> Resolution:
        """Today's commune for ``name`` (optionally in département ``dep``)."""
        key = normalize(name)
        for k in ((key, dep), (key, None)):
            if k in self.aliases:
                code, _reason = self.aliases[k]
                return self._row(code, "alias")
        com = self.communes[self.communes["key"] == key]
        if dep:
            com = com[com["dep"] == dep]
        if len(com) == 1:
            return self._row(com["code"].iat[0], "nom officiel")
        if len(com) > 1:
            raise Ambiguous(name, list(zip(com["code"], com["nom"], com["dep"], strict=True)))
        sub = self.subdivisions[self.subdivisions["key"] == key]
        if dep:
            sub = sub[sub["dep"] == dep]
        parents = sub.drop_duplicates("parent")
        if len(parents) == 1:
            return self._row(parents["parent"].iat[0], _HOW[parents["type"].iat[0]])
        if len(parents) > 1:
            cands = [(p, self._by_code.at[p, "nom"], self._by_code.at[p, "dep"]) for p in parents["parent"]]
            raise Ambiguous(name, cands)
        pool = self.communes if not dep else self.communes[self.communes["dep"] == dep]
        close = difflib.get_close_matches(key, pool["key"].tolist(), n=3, cutoff=0.8)
        starts = pool.loc[pool["key"].str.startswith(key + " "), "key"].tolist()[:3]
        keys = list(dict.fromkeys(starts + close))[:5]
        suggestions = [f"{n} ({c})" for k in keys for c, n in pool.loc[pool["key"] == k, ["code", "nom"]].values]
        raise Unknown(name, dep, suggestions)

    def current_code(self, code_2012: str) -> Resolution | None:
        """Today's commune for a commune code of 2012 (merged ones map to their new commune)."""
        if code_2012 in self._by_code.index:
            return self._row(code_2012, "code")
        sub = self.subdivisions[self.subdivisions["code"] == code_2012]
        if len(sub):
            return self._row(sub["parent"].iat[0], _HOW[sub["type"].iat[0]])
        if code_2012 in self.mergers:
            return self._row(self.mergers[code_2012], "fusion")
        return None

    def homonyms(self, name: str) -> list[tuple[str, str, str]]:
        """Every commune carrying ``name`` (for the join report)."""
        com = self.communes[self.communes["key"] == normalize(name)]
        return list(zip(com["code"], com["nom"], com["dep"], strict=True))
