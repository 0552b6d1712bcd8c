"""How each kind of thing looks and is named on every map: colours, icons, French labels.

One table per thing, read by the web map (``territoires.webmap``) and the image export
(``territoires.export``) alike, so that a legend and a slide never disagree. No folium here.
"""

from __future__ import annotations

# kind -> (colour, Font Awesome icon, legend label)
KIND_STYLE: dict[str, tuple[str, str, str]] = {
    "ptce_pole": ("#d95f02", "fa-diagram-project", "Pôle territorial de coopération (PTCE)"),
    "ptce_project": ("#e6ab02", "fa-seedling", "Projet de PTCE"),
    "ples": ("#7570b3", "fa-people-group", "Pôle local d'économie solidaire (PLES)"),
    "citeslab": ("#e7298a", "fa-lightbulb", "CitésLab"),
    "initiative": ("#1b9e77", "fa-handshake", "Initiative, entreprise de l'ESS"),
    "event": ("#525252", "fa-calendar-days", "Rencontre"),
    "network_office": ("#a6761d", "fa-house", "Siège du RTES"),
    "rtes_board_member": ("#386cb0", "fa-user", "Administrateur·rice du RTES"),
    "partner": ("#666666", "fa-building-columns", "Partenaire cité (collectivité non adhérente, organisme)"),
}
# member level -> (colour, legend label)
LEVEL_STYLE: dict[str, tuple[str, str]] = {
    "region_2012": ("#9ecae1", "Région adhérente"),
    "region": ("#9ecae1", "Région adhérente"),
    "departement": ("#6baed6", "Département adhérent"),
    "epci": ("#2171b5", "Intercommunalité adhérente (périmètre 2012)"),
    "commune": ("#08306b", "Ville adhérente"),
}
STAT_LABELS = {
    "count": "Nombre",
    "per_million": "Par million d'habitants",
    "per_10k_km2": "Pour 10 000 km²",
    "share": "Part du total national",
    "location_quotient": "Quotient de localisation",
}
# Short plural names, for titles made from the filters.
SHORT_KIND = {
    "ptce_pole": "pôles PTCE",
    "ptce_project": "projets de PTCE",
    "ples": "PLES",
    "citeslab": "CitésLab",
    "initiative": "initiatives",
    "event": "rencontres",
    "network_office": "siège du réseau",
    "rtes_board_member": "administrateurs",
    "partner": "partenaires cités",
}
# Legend of the markers of actors placed only in a région or a département (web map; images draw them hollow).
VAGUE_NOTE = "Cercle pointillé : situé seulement dans une région ou un département (position indicative)"
MEMBERS_HEADING = "Adhérents du RTES (août 2012)"
SEA = "#eef3f7"
# Legend of the member territories drawn from an approximate 2012 commune outline (dashed on the web map).
APPROX_NOTE = "Tireté : périmètre approché (contour de 2012 reconstitué)"
APPROX_STYLE = {"dashArray": "5 4", "fillOpacity": 0.2}
# relation type -> (colour, legend label): the « Coopérations » links of the web map. Money flows are
# warm and saturated; « partenaire » and « associé » (no direction, no money) are neutral greys.
RELATION_STYLE: dict[str, tuple[str, str]] = {
    "crée": ("#1b7837", "Création"),
    "porte": ("#2166ac", "Portage"),
    "finance": ("#d7301f", "Financement"),
    "cofinance": ("#f16913", "Cofinancement"),
    "soutient": ("#8c6bb1", "Soutien"),
    "partenaire": ("#7f7f7f", "Partenariat"),
    "associé": ("#a89f91", "Membre associé"),
    "siège au comité de": ("#01665e", "Siège au comité"),
}
