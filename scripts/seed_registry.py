"""Write data/registry/actors.csv and perimetres_2012.csv from the 2012 newsletter, once.

This is the provenance of the registry, like the script that makes a golden file:
each record below transcribes what the newsletter (../shared/seed/…) says, with
its section and a short quote.  Commune codes are never typed here: names go
through the tested resolver (with the département where a name is shared);
2012 intercommunalités are looked up by SIREN in the DGCL compositions of
1 January 2012 (../shared/reference/epci-composition-2012.csv), their
perimeter mapped to today's communes and their successor computed.

After this first run the CSV files are the source of truth that staff edit;
re-running overwrites them (it refuses to, unless --force).  Since issue 15 the shipped
actors.csv says more than this first version: labelled figures (what each number counts, exact
or approached, announced or under study), ``status``, ``places``, several represented bodies, the
EPT successors and the two URSCOPs were written by reading the newsletter again, record by record.
This script still runs and writes the current columns (its numbers become unlabelled figures
through territoires.registry.legacy), but re-running it would lose those readings.

    .venv/bin/python scripts/seed_registry.py [--force]
"""

from __future__ import annotations

import csv
import io
import re
import sys

import pandas as pd

from territoires.geo import reader
from territoires.io.atomic import write_text_atomic
from territoires.registry import legacy, loader, manifest
from territoires.registry.resolve import CommuneResolver
from territoires.registry.schema import COLUMNS
from territoires.settings import REPO_ROOT

SHARED = REPO_ROOT.parent / "shared"
COMPOSITION = SHARED / "reference" / "epci-composition-2012.csv"

S_MEMBERS = "Adhérents au 31 août 2012 (p. 8)"
S_NEW = "Vie du réseau : Bienvenue aux nouveaux adhérents (p. 8)"
S_BOARD = "Vie du réseau : Le nouveau Conseil d'administration (p. 8)"
S_PTCE = "Les PTCE : retour sur la journée de lancement du 25 juin (p. 4-6)"
S_SUDAQ = "Le Pôle de Coopération Sud Aquitaine (p. 5)"
S_CULTURE = "Culture et Coopération, un cluster culturel à Saint-Étienne (p. 7)"
S_SICOVAL = "Pôle de Coopération Économie Solidaire du Sicoval : un rôle moteur de la collectivité (p. 7)"
S_PLES = "Les pôles locaux d'économie solidaire (PLES) impulsés par le REAS (p. 7)"
S_TRANSMEA = "Rhône-Alpes : une société de capital-risque pour investir dans les coopératives (p. 2)"
S_LILLE = "Lille Métropole : soutien à l'émergence de projets (p. 2-3)"
S_TABLE = "Quelle politique nationale d'ESS en lien avec les politiques locales ? (p. 2)"
S_EDITO = "Édito : Réussir le changement d'échelle (p. 1)"
S_AGENDA = "Vie du réseau : À vos agendas ! (p. 8)"
S_ABO = "Abonnement (p. 8)"

NEW_MEMBERS = {
    "m-epci-albigeois",
    "m-epci-accm",
    "m-epci-pays-voironnais",
    "m-epci-rhone-pluriel",
    "m-dep-22",
    "m-dep-33",
    "m-dep-35",
    "m-dep-38",
    "m-dep-66",
}

REGIONS = [  # (code 2012, name as printed, official name)
    ("72", "Aquitaine", "Région Aquitaine"),
    ("83", "Auvergne", "Région Auvergne"),
    ("26", "Bourgogne", "Région Bourgogne"),
    ("53", "Bretagne", "Région Bretagne"),
    ("21", "Champagne-Ardenne", "Région Champagne-Ardenne"),
    ("94", "Collectivité Territoriale de Corse", "Collectivité territoriale de Corse"),
    ("43", "Franche-Comté", "Région Franche-Comté"),
    ("23", "Haute-Normandie", "Région Haute-Normandie"),
    ("11", "Île-de-France", "Région Île-de-France"),
    ("74", "Limousin", "Région Limousin"),
    ("73", "Midi-Pyrénées", "Région Midi-Pyrénées"),
    ("31", "Nord-Pas de Calais", "Région Nord-Pas-de-Calais"),
    ("52", "Pays de la Loire", "Région Pays de la Loire"),
    ("22", "Picardie", "Région Picardie"),
    ("93", "Provence-Alpes-Côte d'Azur", "Région Provence-Alpes-Côte d'Azur"),
    ("82", "Rhône-Alpes", "Région Rhône-Alpes"),
]
DEPARTEMENTS = [  # (code, name as printed)
    ("22", "Côtes d'Armor"),
    ("79", "Deux Sèvres"),
    ("24", "Dordogne"),
    ("33", "Gironde"),
    ("35", "Ille-et-Vilaine"),
    ("38", "Isère"),
    ("54", "Meurthe-et-Moselle"),
    ("59", "Nord"),
    ("60", "Oise"),
    ("75", "Paris"),
    ("66", "Pyrénées-Orientales"),
    ("94", "Val-de-Marne"),
]
# (id suffix, name as printed, SIREN at 1 January 2012 or None, note)
EPCIS = [
    ("albigeois", "Albigeois", "248100737", None),
    ("amiens-metropole", "Amiens Métropole", "248000531", None),
    ("angers-loire-metropole", "Angers Loire Métropole", "244900015", None),
    ("accm", "Arles Crau Camargue Montagnette", "241300417", None),
    ("artois-comm", "Artois Comm", "246200141", "Artois Comm. est le nom d'usage de la CA de l'Artois."),
    ("brest-metropole-oceane", "Brest Métropole Océane", "242900314", None),
    ("carene", "Carene", "244400644", "CARENE : CA de la Région Nazairienne et de l'Estuaire."),
    ("caux-vallee-de-seine", "Caux Vallée de Seine", "200010700", None),
    ("creusot-montceau", "Creusot-Montceau", "247100290", None),
    ("grand-dijon", "Grand Dijon", "242100410", None),
    ("grand-roanne", "Grand Roanne Agglomération", "244200341", None),
    ("grand-toulouse", "Grand Toulouse", "243100518", None),
    ("grenoble-alpes-metropole", "Grenoble-Alpes Métropole", "243800901", None),
    ("lille-metropole", "Lille Métropole Communauté Urbaine", "245900410", None),
    ("montbeliard", "Montbéliard", "242503886", "CA du Pays de Montbéliard."),
    ("nantes-metropole", "Nantes Métropole", "244400404", None),
    ("niort", "Niort", "247900806", "CA de Niort (la ville de Niort est aussi adhérente)."),
    (
        "lys-romane",
        "Pays de la Lys Romane",
        None,
        "Un pays, pas un EPCI : ni la lettre ni la composition DGCL des EPCI au 1er janvier 2012 n'en "
        "donnent le périmètre ; aucun lieu n'est inventé. Périmètre à compléter par l'équipe.",
    ),
    ("pau-pyrenees", "Pau-Pyrénées", "246401723", "Nommée « Pau-Porte des Pyrénées » dans la liste du CA."),
    ("pays-voironnais", "Pays Voironnais", "243800984", None),
    ("plaine-centrale", "Plaine Centrale Val-de-Marne", "249400094", None),
    ("plaine-commune", "Plaine Commune", "249300088", None),
    ("poitiers", "Poitiers", "248600157", "CA Grand Poitiers."),
    ("rennes-metropole", "Rennes Métropole", "243500139", None),
    ("saint-etienne-metropole", "Saint-Etienne Métropole", "244200770", None),
    ("sicoval", "Sicoval", "243100633", None),
    ("strasbourg", "Strasbourg", "246700488", "Communauté urbaine de Strasbourg."),
    (
        "rhone-pluriel",
        "Syndicat Mixte Rhône Pluriel",
        None,
        "Un syndicat mixte, pas un EPCI à fiscalité propre : ni la lettre ni la composition DGCL des EPCI "
        "au 1er janvier 2012 n'en donnent le périmètre ou le SIREN ; aucun lieu n'est inventé. "
        "Périmètre à compléter par l'équipe.",
    ),
    ("val-de-drome", "Val de Drôme", "242600252", None),
]
# EPCIs of 2012 that are not members but place an actor (SIREN at 1 January 2012).
OTHER_EPCI_2012 = {"seignanx": "244000659", "coeur-cote-fleurie": "241400415"}
# Today's names of successors that are not EPCIs in the boundary store (EPT of the MGP).
EPT_NOTES = {
    "249300088": "Devenue en 2016 l'établissement public territorial Plaine Commune (T6), "
    "au sein de la Métropole du Grand Paris.",
    "249400094": "Fondue en 2016 dans l'établissement public territorial Grand Paris Sud Est Avenir "
    "(T11), au sein de la Métropole du Grand Paris.",
}
# (id suffix, name as printed, département where the name is shared or for safety)
VILLES = [
    ("argentan", "Argentan", "61"),
    ("audincourt", "Audincourt", "25"),
    ("aulnay-sous-bois", "Aulnay-sous-Bois", "93"),
    ("bergerac", "Bergerac", "24"),
    ("caen", "Caen", "14"),
    ("canejan", "Canéjan", "33"),
    ("champigny-sur-marne", "Champigny-sur-Marne", "94"),
    ("cherbourg-octeville", "Cherbourg-Octeville", "50"),
    ("chevilly-larue", "Chevilly-Larue", "94"),
    ("clichy-la-garenne", "Clichy-la-Garenne", "92"),
    ("coulounieix-chamiers", "Coulounieix-Chamiers", "24"),
    ("fresnes", "Fresnes", "94"),
    ("grenoble", "Grenoble", "38"),
    ("hem", "Hem", "59"),
    ("lille", "Lille", "59"),
    ("lorient", "Lorient", "56"),
    ("lyon", "Lyon", "69"),
    ("merville", "Merville", "59"),
    ("niort", "Niort", "79"),
    ("pessac", "Pessac", "33"),
    ("plombieres-les-dijon", "Plombières-lès-Dijon", "21"),
    ("revin", "Revin", "08"),
    ("saint-fargeau-ponthierry", "Saint-Fargeau-Ponthierry", "77"),
    ("saint-denis", "Saint-Denis", "93"),
    ("saint-herblain", "Saint-Herblain", "44"),
    ("seclin", "Seclin", "59"),
    ("senones", "Senones", "88"),
    ("tourcoing", "Tourcoing", "59"),
    ("tours", "Tours", "37"),
    ("villeneuve-d-ascq", "Villeneuve d'Ascq", "59"),
    ("wattrelos", "Wattrelos", "59"),
]
# Why a département is given where the name alone is shared by several communes.
HOMONYM_CONTEXT = {
    "saint-denis": "Homonymes (Aude, Gard, Seine-Saint-Denis, La Réunion…) : la Seine-Saint-Denis, "
    "où est Plaine Commune, également adhérente.",
    "merville": "Homonymes (Haute-Garonne, Nord) : Merville (Nord), de la CC Flandre Lys en 2012, "
    "dans le Nord-Pas-de-Calais où se concentrent les villes adhérentes.",
    "fresnes": "Homonymes (Côte-d'Or, Loir-et-Cher, Yonne, Val-de-Marne) : le Val-de-Marne, département "
    "adhérent, voisin de Chevilly-Larue et Champigny-sur-Marne.",
}


def rec(**kw) -> dict:
    # The first version's number columns (jobs=…, figure_value=…) become figures of the current shape.
    old = {c: kw.pop(c) for c in legacy.LEGACY_COLUMNS if c in kw}
    row = dict.fromkeys(COLUMNS)
    row["new_member"] = False
    row.update(kw)
    if old:
        row["figures"] = legacy.merged(row.get("figures"), legacy.to_figures(old))
    return row


def main(force: bool = False) -> int:
    out = loader.registry_dir()
    if (out / loader.ACTORS_FILE).exists() and not force:
        print("data/registry/actors.csv existe déjà : relancer avec --force pour l'écraser.", file=sys.stderr)
        return 1
    if not COMPOSITION.exists():
        print(f"Fichier de référence absent : {COMPOSITION}", file=sys.stderr)
        return 1
    communes = reader.load_level("communes")
    subdivisions = reader.load_level("subdivisions")
    epci_today = reader.load_level("epci").set_index("code")
    aliases = pd.read_csv(out / loader.ALIASES_FILE, dtype=str, keep_default_na=False)
    aliases["dep"] = aliases["dep"].replace("", None)
    mergers = pd.read_csv(out / loader.MERGERS_FILE, dtype=str)
    res = CommuneResolver(communes, subdivisions, aliases, mergers)
    comp = pd.read_csv(COMPOSITION, sep=";", dtype=str)
    # The file lost the leading zeros of 3,156 INSEE codes ('7121' for '07121').
    comp["insee"] = comp["insee"].str.zfill(5)
    # …and holds Windows-1252 bytes read as Latin-1: « C\x9cur » is « Cœur » (0x9c is « œ » in cp1252).
    c1 = re.compile("[\x80-\x9f]")
    for col in ("nom", "nom_com"):
        comp[col] = comp[col].map(lambda s: c1.sub(lambda m: m[0].encode("latin-1").decode("cp1252", "replace"), s))
    com_pop = communes.set_index("code")["population"]
    com_epci = communes.set_index("code")["epci"]

    rows: list[dict] = []
    perimeters: list[dict] = []

    def commune(name: str, dep: str | None) -> str:
        return res.commune(name, dep).code

    def epci_2012(actor_id: str, siren: str) -> dict:
        """2012 perimeter rows and today's successor (the EPCI holding most of its population)."""
        grp = comp[comp["siren"] == siren]
        if grp.empty:
            raise SystemExit(f"SIREN {siren} absent de la composition 2012")
        today = []
        for r in grp.itertuples():
            cur = res.current_code(r.insee)
            if cur is None:
                raise SystemExit(f"{actor_id}: commune 2012 {r.insee} {r.nom_com} introuvable aujourd'hui")
            perimeters.append(
                {
                    "siren_2012": siren,
                    "nom_2012": r.nom,
                    "commune_2012": r.insee,
                    "nom_commune_2012": r.nom_com,
                    "commune": cur.code,
                }
            )
            today.append(cur.code)
        pop = com_pop.reindex(sorted(set(today))).fillna(0)
        succ = com_epci.reindex(pop.index).to_frame("epci").assign(pop=pop).groupby("epci")["pop"].sum()
        successor = succ.idxmax()
        share = succ.max() / max(succ.sum(), 1)
        note = EPT_NOTES.get(siren)
        if note is None:
            same = "même SIREN" if successor == siren else "SIREN différent"
            note = (
                f"Aujourd'hui : {epci_today.at[successor, 'nom']} ({same}), qui compte "
                f"{share:.0%} de la population du périmètre de 2012."
            )
        return {
            "siren_2012": siren,
            "successor_code": successor,
            "successor_note": note,
            "official_name": grp["nom"].iat[0],
        }

    for code, printed, official in REGIONS:
        rows.append(
            rec(
                id=f"m-reg-{code}",
                kind="rtes_member",
                name=printed,
                official_name=official,
                level="region_2012",
                code=code,
                precision="territoire",
                source_section=S_MEMBERS,
                source_quote=f"Régions : … {printed} …",
            )
        )
    dep_names = reader.load_level("departements").set_index("code")["nom"]
    for code, printed in DEPARTEMENTS:
        rows.append(
            rec(
                id=f"m-dep-{code}",
                kind="rtes_member",
                name=printed,
                official_name=f"Département : {dep_names[code]}",
                level="departement",
                code=code,
                precision="territoire",
                source_section=S_MEMBERS,
                source_quote=f"Départements : … {printed} …",
            )
        )
    for suffix, printed, siren, note in EPCIS:
        rid = f"m-epci-{suffix}"
        if siren is None:
            rows.append(
                rec(
                    id=rid,
                    kind="rtes_member",
                    name=printed,
                    level="none",
                    precision="inconnue",
                    source_section=S_MEMBERS,
                    source_quote=f"Intercommunalités : … {printed} …",
                    notes=note,
                )
            )
            continue
        info = epci_2012(rid, siren)
        rows.append(
            rec(
                id=rid,
                kind="rtes_member",
                name=printed,
                level="epci",
                code=siren,
                precision="territoire",
                source_section=S_MEMBERS,
                source_quote=f"Intercommunalités : … {printed} …",
                notes=note,
                **info,
            )
        )
    for suffix, printed, dep in VILLES:
        r = res.commune(printed, dep)
        note = HOMONYM_CONTEXT.get(suffix)
        if r.how != "nom officiel":
            note = ((note + " ") if note else "") + f"Résolu par {r.how} : aujourd'hui {r.nom} ({r.code})."
        rows.append(
            rec(
                id=f"m-ville-{suffix}",
                kind="rtes_member",
                name=printed,
                official_name=r.nom,
                level="commune",
                code=r.code,
                precision="territoire",
                source_section=S_MEMBERS,
                source_quote=f"Villes : … {printed} …",
                notes=note,
            )
        )
    for row in rows:
        if row["id"] in NEW_MEMBERS:
            row["new_member"] = True
            row["source_section"] = f"{S_MEMBERS} ; {S_NEW}"

    board = [  # (slug, name, role/mandate as printed, represented member id, RTES role, quote)
        (
            "patricia-andriot",
            "Patricia Andriot",
            "vice-présidente en charge de l'ESS",
            "m-reg-21",
            "Membre du bureau",
            "Patricia Andriot, vice-présidente en charge de l'ESS, conseil régional Champagne-Ardenne.",
        ),
        (
            "henri-arevalo",
            "Henri Arévalo",
            "vice-président",
            "m-epci-sicoval",
            "Vice-président et trésorier",
            "Henri Arévalo, vice-président, Sicoval. Vice-président et trésorier du RTES.",
        ),
        (
            "annie-berger",
            "Annie Berger",
            "conseillère municipale déléguée à l'ESS",
            "m-ville-caen",
            "Secrétaire",
            "Annie Berger, conseillère municipale déléguée à l'ESS, ville de Caen. Secrétaire du RTES.",
        ),
        (
            "morad-bachir-cherif",
            "Morad Bachir-Cherif",
            "vice-président en charge de l'ESS et de l'Insertion Économique",
            "m-epci-grenoble-alpes-metropole",
            "Administrateur (nouveau)",
            "Morad Bachir-Cherif, vice-président en charge de l'ESS et de l'Insertion Économique, Grenoble Alpes Métropole.",
        ),
        (
            "corinne-bord",
            "Corinne Bord",
            "conseillère régionale",
            "m-reg-11",
            "Administratrice (depuis juillet 2012)",
            "Corinne Bord, conseillère régionale, conseil régional Île-de-France.",
        ),
        (
            "christiane-bouchart",
            "Christiane Bouchart",
            "conseillère municipale, déléguée à l'ESS et au commerce équitable",
            "m-ville-lille",
            "Présidente",
            "Christiane Bouchart, conseillère municipale, déléguée à l'ESS et au commerce équitable, ville de Lille. "
            "Présidente du RTES.",
        ),
        (
            "bity-dieng",
            "Bity Dieng",
            "conseillère municipale déléguée à l'ESS",
            "m-ville-grenoble",
            "Administratrice",
            "Bity Dieng, conseillère municipale déléguée à l'ESS, ville de Grenoble.",
        ),
        (
            "michel-dinet",
            "Michel Dinet",
            "président",
            "m-dep-54",
            "Administrateur",
            "Michel Dinet, président, conseil général de Meurthe-et-Moselle.",
        ),
        (
            "karine-fougeray",
            "Karine Fougeray",
            "adjointe au maire",
            "m-ville-aulnay-sous-bois",
            "Administratrice",
            "Karine Fougeray, adjointe au maire, ville d'Aulnay-sous-Bois.",
        ),
        (
            "jean-paul-hesse",
            "Jean-Paul Hesse",
            "vice-président ; maire de Plombières-lès-Dijon",
            "m-epci-grand-dijon",
            "Vice-président",
            "Jean-Paul Hesse, vice-président, Grand Dijon et Maire de Plombières-lès-Dijon. Vice-président du RTES.",
        ),
        (
            "nicole-juyoux",
            "Nicole Juyoux",
            "conseillère déléguée à l'ESS",
            "m-epci-pau-pyrenees",
            "Administratrice",
            "Nicole Juyoux, conseillère déléguée à l'ESS, Pau-Porte des Pyrénées.",
        ),
        (
            "cyril-kretzschmar",
            "Cyril Kretzschmar",
            "conseiller régional délégué à la nouvelle économie, nouveaux emplois, artisanat, et à l'ESS",
            "m-reg-82",
            "Administrateur",
            "Cyril Kretzschmar, conseiller régional délégué à la nouvelle économie, nouveaux emplois, artisanat, "
            "et à l'ESS, conseil régional Rhône Alpes.",
        ),
        (
            "francois-lafourcade",
            "François Lafourcade",
            "adjoint au maire délégué à l'exemplarité environnementale, le développement durable, l'économie solidaire",
            "m-ville-tours",
            "Administrateur",
            "François Lafourcade, adjoint au maire délégué à l'exemplarité environnementale, le développement "
            "durable, l'économie solidaire, ville de Tours.",
        ),
        (
            "frederic-leveille",
            "Frédéric Léveillé",
            "conseiller municipal délégué au Développement durable et l'agenda 21",
            "m-ville-argentan",
            "Administrateur",
            "Frédéric Léveillé, conseiller municipal délégué au Développement durable et l'agenda 21, ville d'Argentan.",
        ),
        (
            "jean-philippe-magnen",
            "Jean-Philippe Magnen",
            "conseiller communautaire",
            "m-epci-nantes-metropole",
            "Vice-président",
            "Jean-Philippe Magnen, conseiller communautaire, Nantes Métropole. Vice-président du RTES.",
        ),
        (
            "marie-christine-pons",
            "Marie-Christine Pons",
            "conseillère régionale, présidente de la Commission ESS",
            "m-reg-73",
            "Administratrice",
            "Marie-Christine Pons, conseillère régionale, présidente de la Commission ESS, conseil régional Midi-Pyrénées.",
        ),
        (
            "berenice-vincent",
            "Bérénice Vincent",
            "vice-présidente en charge de l'Économie solidaire et de "
            "l'innovation sociale ; adjointe au maire de Bergerac",
            "m-reg-72",
            "Administratrice",
            "Bérénice Vincent, vice-présidente en charge de l'Économie solidaire et de l'innovation sociale, "
            "conseil régional d'Aquitaine et adjointe au maire […] ville de Bergerac.",
        ),
    ]
    by_id = {r["id"]: r for r in rows}
    for slug, name, mandate, rep, role, quote in board:
        m = by_id[rep]
        rows.append(
            rec(
                id=f"ca-{slug}",
                kind="rtes_board_member",
                name=name,
                official_name=mandate,
                level=m["level"],
                code=m["code"],
                precision="territoire",
                role=role,
                represents=rep,
                joined="2012-07" if "nouveau" in role or "depuis" in role else None,
                source_section=S_BOARD,
                source_quote=quote[:400],
            )
        )

    seignanx = epci_2012("ptce-sud-aquitaine", OTHER_EPCI_2012["seignanx"])
    ccf = epci_2012("ptce-ecopya", OTHER_EPCI_2012["coeur-cote-fleurie"])
    sicoval = OTHER_EPCI_2012 | {"sicoval": "243100633"}
    poles = [
        rec(
            id="ptce-archer",
            kind="ptce_pole",
            name="Archer",
            level="region_2012",
            code="82",
            precision="region",
            test_pole=True,
            source_section=S_PTCE,
            source_quote="l'existence de 4 pôles témoins en région (Archer, Culture et Coopération, Val Horizon et "
            "SMAC 07 en Ardèche)",
            notes="La lettre ne situe Archer qu'en Rhône-Alpes (son directeur, Christophe Chevalier, intervient le 25 juin).",
        ),
        rec(
            id="ptce-culture-et-cooperation",
            kind="ptce_pole",
            name="Culture et Coopération",
            official_name="Association Culture et Coopération",
            level="commune",
            code=commune("Saint-Étienne", "42"),
            precision="commune",
            test_pole=True,
            founded="2010-10",
            jobs=50,
            members=15,
            source_section=S_CULTURE,
            source_quote="Culture et Coopération regroupe une quinzaine d'associations et d'entreprises coopératives "
            "culturelles de l'agglomération stéphanoise.",
            notes="Pôle témoin (p. 6). 50 salariés et 250 intermittents ; plus de 3 millions d'euros de chiffre "
            "d'affaires annuel.",
        ),
        rec(
            id="ptce-val-horizon",
            kind="ptce_pole",
            name="Val Horizon",
            level="region_2012",
            code="82",
            precision="region",
            test_pole=True,
            source_section=S_PTCE,
            source_quote="4 pôles témoins en région (Archer, Culture et Coopération, Val Horizon et SMAC 07 en Ardèche)",
        ),
        rec(
            id="ptce-smac-07",
            kind="ptce_pole",
            name="SMAC 07",
            level="departement",
            code="07",
            precision="departement",
            test_pole=True,
            source_section=S_PTCE,
            source_quote="4 pôles témoins en région (… Val Horizon et SMAC 07 en Ardèche)",
        ),
        rec(
            id="ptce-sud-aquitaine",
            kind="ptce_pole",
            name="Pôle de Coopération Sud Aquitaine",
            level="epci",
            code=seignanx["siren_2012"],
            siren_2012=seignanx["siren_2012"],
            successor_code=seignanx["successor_code"],
            successor_note=seignanx["successor_note"],
            official_name="Pôle de Coopération Sud Aquitaine (porté par le Comité de Bassin d'Emploi du Seignanx)",
            precision="epci",
            members=15,
            source_section=S_SUDAQ,
            source_quote="Le pôle Sud Aquitaine, porté par le Comité de Bassin d'Emploi du Seignanx, s'inscrit dans "
            "la continuité de 15 à 20 ans de développement local",
            notes="Une quinzaine de structures de l'ESS ; 250 à 300 acteurs ; bâtiment prévu fin 2013 dans une zone "
            "industrialo-portuaire de 350 ha. Placé dans la CC du Seignanx de 2012.",
        ),
        rec(
            id="ptce-ecopya",
            kind="ptce_project",
            name="Ecodomaine en Pays d'Auge (Ecopya)",
            level="epci",
            code=ccf["siren_2012"],
            siren_2012=ccf["siren_2012"],
            successor_code=ccf["successor_code"],
            successor_note=ccf["successor_note"],
            precision="epci",
            surface_m2=700_000,
            source_section=S_PTCE,
            source_quote="Pour le pôle Ecodomaine en Pays d'Auge (Ecopya), c'est par exemple suite à un entretien avec "
            "un élu de la communauté de communes Coeur Côte Fleurie que le projet a pris sa dimension "
            "actuelle : un terrain de 70 ha",
            notes="Terrain de 70 ha proposé ; placé dans la CC Cœur Côte Fleurie de 2012.",
        ),
        rec(
            id="ptce-lieu-mutualise-nantes",
            kind="ptce_project",
            name="Lieu Mutualisé Nantes Métropole",
            level="commune",
            code=commune("Nantes", "44"),
            precision="commune",
            source_section=S_PTCE,
            source_quote="Dans le cas du Lieu Mutualisé Nantes Métropole, celui-ci est intégré dans l'important projet "
            "de rénovation urbaine de l'Ile de Nantes.",
            notes="Sur l'île de Nantes.",
        ),
        rec(
            id="ptce-sicoval",
            kind="ptce_project",
            name="Pôle de Coopération Économie Solidaire du Sicoval",
            level="epci",
            code=sicoval["sicoval"],
            precision="epci",
            surface_m2=1_500,
            source_section=S_SICOVAL,
            source_quote="l'implantation d'un pôle de coopération ESS d'envergure plus importante est à l'étude, sur la "
            "base d'un projet immobilier mutualisé",
            notes="Étude de faisabilité en cours ; besoins estimés à 1 500 m² de locaux, dont 800 m² d'accueil permanent.",
        ),
    ]
    rows += poles
    for r in poles:
        if r["id"] == "ptce-sicoval":
            info = next(x for x in rows if x["id"] == "m-epci-sicoval")
            r.update(
                siren_2012=info["siren_2012"],
                successor_code=info["successor_code"],
                successor_note=info["successor_note"],
            )

    lille_m = "245900410"
    stem = "244200770"
    gam = "243800901"
    rows += [
        rec(
            id="ples-chateauroux",
            kind="ples",
            name="Pôle d'économie solidaire de Châteauroux",
            level="commune",
            code=commune("Châteauroux", "36"),
            precision="commune",
            founded="1996",
            source_section=S_PLES,
            source_quote="les deux pôles « historiques », celui de Châteauroux, né en 1996",
        ),
        rec(
            id="ples-chevilly-larue",
            kind="ples",
            name="Pôle d'économie solidaire de Chevilly-Larue",
            level="commune",
            code=commune("Chevilly-Larue", "94"),
            precision="commune",
            founded="1997",
            source_section=S_PLES,
            source_quote="et celui de Chevilly-Larue, créé en 1997",
        ),
        rec(
            id="ples-active-71",
            kind="ples",
            name="Active 71",
            level="commune",
            code=commune("Châlons sur Saône", "71"),
            precision="commune",
            founded="1998",
            source_section=S_PLES,
            source_quote="On peut également citer Active 71 à Châlons sur Saône, créée en 1998",
            notes="« Châlons sur Saône » dans la lettre : Chalon-sur-Saône (table des alias).",
        ),
        rec(
            id="ples-pil-paca",
            kind="ples",
            name="Réseau des Pôles d'Initiatives Locales en PACA (APEAS)",
            level="region_2012",
            code="93",
            precision="region",
            source_section=S_PLES,
            source_quote="le réseau des Pôles d'Initiatives Locales en PACA animé par l'APEAS",
        ),
        rec(
            id="citeslab-tourcoing",
            kind="citeslab",
            name="CitésLab Tourcoing",
            level="commune",
            code=commune("Tourcoing", "59"),
            precision="commune",
            source_section=S_LILLE,
            source_quote="Tourcoing et Wattrelos, en partenariat avec LMCU, mettent en place le dispositif CitésLab "
            "dans leurs quartiers.",
            website="https://www.citeslab.fr",
            notes="Quartiers de la politique de la ville, non nommés par la lettre.",
        ),
        rec(
            id="citeslab-wattrelos",
            kind="citeslab",
            name="CitésLab Wattrelos",
            level="commune",
            code=commune("Wattrelos", "59"),
            precision="commune",
            source_section=S_LILLE,
            source_quote="Tourcoing et Wattrelos, en partenariat avec LMCU, mettent en place le dispositif CitésLab "
            "dans leurs quartiers.",
            website="https://www.citeslab.fr",
            notes="Quartiers de la politique de la ville, non nommés par la lettre.",
        ),
        rec(
            id="init-transmea",
            kind="initiative",
            name="Transméa",
            official_name="Transméa (société de capital-risque)",
            level="region_2012",
            code="82",
            precision="region",
            founded="2007",
            capital_eur=5_500_000,
            jobs=332,
            members=10,
            website="https://www.transmea.coop",
            source_section=S_TRANSMEA,
            source_quote="Transméa est la première société de capital-risque dédiée à la reprise d'entreprises par les "
            "salariés. Créée et portée en 2007 par l'URSCOP, en partenariat avec le conseil régional "
            "Rhône-Alpes",
            notes="Capital de 5,5 M€ dont 1 M€ de la Région ; 27 reprises soutenues, 332 emplois sauvegardés ; "
            "comité de pilotage de 10 membres.",
        ),
        rec(
            id="init-snt-gery",
            kind="initiative",
            name="SNT Géry",
            official_name="SNT Géry (SCOP de transport)",
            level="region_2012",
            code="82",
            precision="region",
            jobs=28,
            launched="2011",
            source_section=S_TRANSMEA,
            source_quote="Parmi les entreprises financées, l'entreprise de transport SNT Géry. […] les salariés se sont "
            "mobilisés pour reprendre leur entreprise en SCOP, et sauvegarder ainsi 28 emplois.",
            notes="La lettre ne la situe qu'en Rhône-Alpes (financée par Transméa). Reprise en SCOP début 2011.",
        ),
        rec(
            id="init-artis",
            kind="initiative",
            name="Artis (Artisanat et Innovation sociale)",
            official_name="Hôtel d'activités Artis",
            level="epci",
            code=gam,
            precision="epci",
            surface_m2=1_000,
            jobs=250,
            source_section=S_TABLE,
            source_quote="L'hôtel d'activités Artis (Artisanat et Innovation sociale), 1 000 m2 de locaux dédiés aux "
            "activités économiques du secteur de l'ESS et de l'artisanat, représentant 250 emplois",
            notes="Sur le territoire de l'agglomération grenobloise, dans un quartier en rénovation urbaine.",
        ),
        rec(
            id="init-replic-npdc",
            kind="initiative",
            name="Scic Replic NPdC",
            official_name="Replic Nord-Pas de Calais (SCIC)",
            level="region_2012",
            code="31",
            precision="region",
            launched="2012-04",
            capital_eur=150_000,
            source_section=S_LILLE,
            source_quote="Replic Nord-Pas de Calais a vu le jour en avril 2012. Elle est portée par l'URSCOP Nord-Pas de "
            "Calais / Picardie, en partenariat avec Lille Métropole",
            notes="Capital de 150 000 € au démarrage ; participation de Lille Métropole de 20 000 € (délibération du 29 juin).",
        ),
        rec(
            id="init-replic-lr",
            kind="initiative",
            name="Scic Replic (Languedoc-Roussillon)",
            level="region_2012",
            code="91",
            precision="region",
            founded="2005",
            source_section=S_LILLE,
            source_quote="Sur le principe de la Scic Replic créée en Languedoc-Roussillon en 2005",
        ),
        rec(
            id="init-replic-bourgogne",
            kind="initiative",
            name="Projet d'implantation de Replic en Bourgogne",
            level="region_2012",
            code="26",
            precision="region",
            source_section=S_LILLE,
            source_quote="un projet d'implantation est à l'étude en Bourgogne",
        ),
        rec(
            id="init-instep",
            kind="initiative",
            name="Instep",
            official_name="Instep (coopérative de formation en restauration)",
            level="epci",
            code=lille_m,
            siren_2012=lille_m,
            precision="epci",
            source_section=S_LILLE,
            source_quote="un traiteur d'insertion dont le principal acteur sera une coopérative de formation en "
            "restauration, Instep",
            notes="Groupe projet de la Scic Replic NPdC, sur le territoire métropolitain.",
        ),
        rec(
            id="init-lille-sud-insertion",
            kind="initiative",
            name="Lille sud Insertion",
            official_name="Régie de quartier Lille sud Insertion",
            level="commune",
            code=commune("Lille", "59"),
            precision="commune",
            source_section=S_LILLE,
            source_quote="une activité de location/vente de vélos électriques dont le principal acteur local pourrait "
            "être la régie de quartier Lille sud Insertion",
            notes="Quartier de Lille-Sud.",
        ),
        rec(
            id="init-maillage",
            kind="initiative",
            name="Association Maillage",
            level="epci",
            code=lille_m,
            siren_2012=lille_m,
            precision="epci",
            source_section=S_LILLE,
            source_quote="c'est l'association Maillage qui a recruté récemment un nouvel agent d'amorçage",
            notes="Agent d'amorçage du dispositif CitésLab de Tourcoing et Wattrelos.",
        ),
        rec(
            id="init-maison-economie-solidaire",
            kind="initiative",
            name="Maison de l'Économie Solidaire",
            level="commune",
            code=commune("Ramonville", "31"),
            precision="commune",
            founded="2002",
            source_section=S_SICOVAL,
            source_quote="Une Maison de l'Économie Solidaire a été créée en 2002 à l'initiative de la commune de "
            "Ramonville et du Sicoval.",
        ),
        rec(
            id="init-le-mixeur",
            kind="initiative",
            name="Le Mixeur",
            official_name="Le Mixeur (lieu créatif)",
            level="epci",
            code=stem,
            precision="epci",
            launched="2011-11",
            source_section=S_CULTURE,
            source_quote="En partenariat avec Saint-Étienne Métropole, […] Culture et Coopération travaille depuis "
            "novembre 2011 sur un lieu créatif (Le Mixeur)",
        ),
        rec(
            id="init-le-fil",
            kind="initiative",
            name="Le Fil",
            official_name="Le Fil (scène de musiques actuelles)",
            level="epci",
            code=stem,
            precision="epci",
            launched="2006",
            source_section=S_CULTURE,
            source_quote="une réponse collective a été élaborée en 2006 pour répondre à une délégation de service public "
            "d'une scène de musiques actuelles (Le Fil)",
        ),
        rec(
            id="init-le-france",
            kind="initiative",
            name="Le France",
            official_name="Le France (cinéma art et essai, SCIC)",
            level="epci",
            code=stem,
            precision="epci",
            launched="2010",
            source_section=S_CULTURE,
            source_quote="une salle de cinéma art et essai (Le France) est reprise en 2010 en SCIC",
        ),
        rec(
            id="init-scic-interstices",
            kind="initiative",
            name="SCIC Interstices",
            official_name="Coopérative d'Activités et d'Emplois SCIC Interstices",
            level="epci",
            code=seignanx["siren_2012"],
            siren_2012=seignanx["siren_2012"],
            successor_code=seignanx["successor_code"],
            precision="epci",
            source_section=S_SUDAQ,
            source_quote="une Coopérative d'Activités et d'Emplois sous forme de SCIC (SCIC Interstices)",
        ),
        rec(
            id="init-scic-eole",
            kind="initiative",
            name="SCIC Eole",
            official_name="Restaurant interentreprises d'insertion (SCIC Eole)",
            level="epci",
            code=seignanx["siren_2012"],
            siren_2012=seignanx["siren_2012"],
            successor_code=seignanx["successor_code"],
            precision="epci",
            source_section=S_SUDAQ,
            source_quote="un restaurant interentreprises d'insertion (SCIC Eole)",
        ),
        rec(
            id="init-pole-aeronautique-tarnos",
            kind="initiative",
            name="Pôle aéronautique de Tarnos",
            level="commune",
            code=commune("Tarnos", "40"),
            precision="commune",
            source_section=S_SUDAQ,
            source_quote="un pôle aéronautique en lien avec les entreprises du secteur et la commune de Tarnos",
        ),
        rec(
            id="init-eoliennes-beganne",
            kind="initiative",
            name="Éoliennes en Pays de Vilaine",
            official_name="Association Éoliennes en Pays de Vilaine",
            level="commune",
            code=commune("Béganne", "56"),
            precision="commune",
            source_section=S_PTCE,
            source_quote="Actionnaires des éoliennes de Béganne © Association Éoliennes en Pays de Vilaine",
            notes="Seule une légende de photographie l'évoque, dans l'article sur les PTCE.",
        ),
    ]
    for r in rows:
        if r["id"] in ("init-le-mixeur", "init-le-fil", "init-le-france"):
            m = next(x for x in rows if x["id"] == "m-epci-saint-etienne-metropole")
            r.update(siren_2012=m["siren_2012"], successor_code=m["successor_code"])
        if r["id"] == "init-artis":
            m = next(x for x in rows if x["id"] == "m-epci-grenoble-alpes-metropole")
            r.update(siren_2012=m["siren_2012"], successor_code=m["successor_code"])
        if r["id"] in ("init-instep", "init-maillage"):
            m = next(x for x in rows if x["id"] == "m-epci-lille-metropole")
            r.update(successor_code=m["successor_code"])

    rows += [
        rec(
            id="rf-ptce-reponses-france",
            kind="regional_figure",
            name="Réponses à l'appel à candidatures PTCE",
            level="national",
            code="FR",
            precision="national",
            launched="2011-11",
            figure_label="Réponses à l'appel à candidatures (pôles existants, en projet, manifestations d'intérêt)",
            figure_value=150,
            figure_approx=False,
            source_section=S_PTCE,
            source_quote="l'intérêt soulevé a conduit à lancer un appel à candidatures en novembre 2011. Les 150 réponses "
            "reçues, pôles existants, pôles en projet ou manifestations d'intérêt",
        ),
        rec(
            id="rf-ptce-collectivites-france",
            kind="regional_figure",
            name="Collectivités ayant répondu elles-mêmes à l'appel PTCE",
            level="national",
            code="FR",
            precision="national",
            figure_label="Collectivités candidates à l'appel PTCE",
            figure_value=20,
            figure_approx=True,
            source_section=S_PTCE,
            source_quote="une vingtaine de collectivités ont répondu elles-mêmes à l'appel à candidatures",
        ),
        rec(
            id="rf-ptce-reponses-rhone-alpes",
            kind="regional_figure",
            name="Réponses à l'appel PTCE en Rhône-Alpes",
            level="region_2012",
            code="82",
            precision="region",
            figure_label="Réponses à l'appel à projets PTCE",
            figure_value=12,
            figure_approx=True,
            source_section=S_PTCE,
            source_quote="la douzaine de réponses à l'appel à projets",
        ),
        rec(
            id="rf-ptce-territoires-rhone-alpes",
            kind="regional_figure",
            name="Territoires engagés dans la coopération territoriale en Rhône-Alpes",
            level="region_2012",
            code="82",
            precision="region",
            figure_label="Territoires engagés dans des dynamiques de coopération territoriale",
            figure_value=20,
            figure_approx=True,
            source_section=S_PTCE,
            source_quote="le repérage d'une vingtaine de territoires engagés dans des dynamiques de coopération territoriale",
        ),
        rec(
            id="rf-ptce-poles-temoins-rhone-alpes",
            kind="regional_figure",
            name="Pôles témoins PTCE en Rhône-Alpes",
            level="region_2012",
            code="82",
            precision="region",
            figure_label="Pôles témoins",
            figure_value=4,
            figure_approx=False,
            source_section=S_PTCE,
            source_quote="l'existence de 4 pôles témoins en région",
        ),
        rec(
            id="rf-ples-territoires-france",
            kind="regional_figure",
            name="Territoires dotés d'un PLES",
            level="national",
            code="FR",
            precision="national",
            figure_label="Territoires dotés de pôles (PLES)",
            figure_value=20,
            figure_approx=True,
            source_section=S_PLES,
            source_quote="Une vingtaine de territoires se sont dotés de pôles.",
        ),
        rec(
            id="ev-rencontre-2012-03-30",
            kind="event",
            name="Première Rencontre nationale des collectivités locales autour de l'ESS",
            level="commune",
            code=commune("Paris", "75"),
            precision="commune",
            launched="2012-03-30",
            source_section=S_EDITO,
            source_quote="la PremièreRencontre Nationale des Collectivités locales autour de l'ESS, organisée le 30 mars "
            "2012 à Paris",
        ),
        rec(
            id="ev-ptce-2012-06-25",
            kind="event",
            name="Journée nationale de lancement des PTCE",
            level="national",
            code="FR",
            precision="national",
            launched="2012-06-25",
            source_section=S_PTCE,
            source_quote="L'auditorium de la Macif était comble pour la journée de lancement le 25 juin",
            notes="La lettre ne donne pas la ville.",
        ),
        rec(
            id="ev-ag-rtes-2012-07-04",
            kind="event",
            name="Assemblée générale du RTES et table ronde",
            level="region_2012",
            code="11",
            precision="region",
            launched="2012-07-04",
            members=55,
            source_section=S_TABLE,
            source_quote="une centaine de personnes, représentant 55 collectivités différentes",
            notes="Accueillie dans les locaux du conseil régional d'Île-de-France ; 55 collectivités représentées.",
        ),
        rec(
            id="ev-cnfpt-2012-11-20",
            kind="event",
            name="L'ESS au cœur des politiques locales (CNFPT et RTES)",
            level="commune",
            code=commune("Lille", "59"),
            precision="commune",
            launched="2012-11-20",
            source_section=S_AGENDA,
            source_quote="Mardi 20 novembre – Lille. L'ESS au cœur des politiques locales",
        ),
        rec(
            id="ev-10-ans-rtes-2012-12-07",
            kind="event",
            name="Les 10 ans du RTES",
            level="commune",
            code=commune("Paris", "75"),
            precision="commune",
            launched="2012-12-07",
            source_section=S_AGENDA,
            source_quote="Vendredi 7 décembre 2012 – Paris. Les 10 ans du RTES",
        ),
        rec(
            id="rtes-siege",
            kind="network_office",
            name="RTES",
            official_name="Réseau des collectivités Territoriales pour une Économie Solidaire",
            level="commune",
            code=commune("Lille", "59"),
            precision="commune",
            founded="2002",
            website="https://www.rtes.fr",
            source_section=S_ABO,
            source_quote="Hôtel de Ville, BP 667 - 59 033 Lille cedex",
        ),
    ]

    # Members that are today's EPCIs with the same SIREN still carry their 2012 perimeter.
    df = pd.DataFrame(rows, columns=COLUMNS)
    buf = io.StringIO()
    df.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    write_text_atomic(out / loader.ACTORS_FILE, buf.getvalue())
    per = pd.DataFrame(perimeters).drop_duplicates(["siren_2012", "commune_2012"])
    per = per.sort_values(["siren_2012", "commune_2012"])
    buf = io.StringIO()
    per.to_csv(buf, index=False, lineterminator="\n")
    write_text_atomic(out / loader.PERIMETERS_FILE, buf.getvalue())
    manifest.write_manifest()
    print(f"{len(df)} enregistrements, {len(per)} lignes de périmètres 2012.")
    print(df.groupby(["kind", "level"]).size().to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main(force="--force" in sys.argv))
