"""How each kind of thing looks and is named on every map: colours, icons, French labels.

One table per thing, read by the web map (``territoires.webmap``) and the image export
(``territoires.export``) alike, so that a legend and a slide never disagree. No folium here.
"""

from __future__ import annotations

from territoires.registry.schema import KINDS

# kind -> (colour, Font Awesome icon); the label is the registry's (schema.KINDS): one name per kind,
# the same in the filters, the legends, the tables and the exports.
_KIND_LOOK: dict[str, tuple[str, str]] = {
    "ptce_pole": ("#d95f02", "fa-diagram-project"),
    "ptce_project": ("#e6ab02", "fa-seedling"),
    "ples": ("#7570b3", "fa-people-group"),
    "citeslab": ("#e7298a", "fa-lightbulb"),
    "initiative": ("#1b9e77", "fa-handshake"),
    "event": ("#525252", "fa-calendar-days"),
    "network_office": ("#a6761d", "fa-house"),
    "rtes_board_member": ("#386cb0", "fa-user"),
    "partner": ("#666666", "fa-building-columns"),
}
# kind -> (colour, Font Awesome icon, legend label)
KIND_STYLE: dict[str, tuple[str, str, str]] = {k: (c, icon, KINDS[k]) for k, (c, icon) in _KIND_LOOK.items()}
# member level -> (colour, legend label)
LEVEL_STYLE: dict[str, tuple[str, str]] = {
    "region_2012": ("#9ecae1", "Région adhérente"),
    "region": ("#9ecae1", "Région adhérente"),
    "departement": ("#6baed6", "Département adhérent"),
    "epci": ("#2171b5", "Intercommunalité adhérente (périmètre 2012)"),
    "commune": ("#08306b", "Ville adhérente"),
}
# Density shading (choropleth), light to dark: 7 steps of matplotlib's « magma » (0.98 → 0.20), a
# perceptually uniform scheme readable with colour-vision deficiencies. Not blue, so that it never
# reads as member fills (LEVEL_STYLE); its darkest end stops short of black, so that boundaries and
# markers stay visible, and every step stays apart from the marker and link colours (ΔE*ab ≥ 25).
DENSITY_PALETTE = ["#fcf4b6", "#feb77e", "#f9795d", "#db476a", "#a5317e", "#701f81", "#3b0f70"]
NO_DATA_COLOR = "#d9d9d9"
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

# The outlined place: « searched » on the dashboard; in presentation mode, the territory shown to the room.
PLACE_LABELS = {False: "Lieu recherché", True: "Territoire présenté"}
# The members the newsletter welcomes as new (« Bienvenue aux nouveaux adhérents »): a thick dark outline
# over their fill, stroke only, so that hovering and clicking inside still reach the member below.
NEW_MEMBER_LABEL = "Nouvel adhérent en 2012 (contour épais)"
NEW_MEMBER_COLOR = "#1a1a1a"
NEW_MEMBER_STYLE = {"fill": False, "color": NEW_MEMBER_COLOR, "weight": 3.5, "opacity": 0.9}
