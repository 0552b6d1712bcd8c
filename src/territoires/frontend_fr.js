// Streamlit's own interface in French. Its frontend has no French: the skip link, the
// labels of its buttons and the uploader's text are English. This script, inlined in the
// page that Streamlit serves (see territoires/frontend.py), translates them in place as
// they appear. Only Streamlit's fixed strings are listed: no data goes through here.
(function () {
  "use strict";
  var EXACT = {
    "Skip to main content": "Aller au contenu principal",
    "Collapse sidebar": "Replier le panneau des filtres",
    "Expand sidebar": "Déplier le panneau des filtres",
    "Sidebar": "Panneau des filtres",
    "App pages": "Pages du tableau de bord",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Link to heading": "Lien vers ce titre",
    "Open": "Ouvrir",
    "Close": "Fermer",
    "Selected values": "Valeurs choisies",
    "No results": "Aucun résultat",
    "Choose an option": "Choisir",
    "Choose options": "Choisir",
    "Press Enter to apply": "Entrée pour valider",
    "Press Enter to submit form": "Entrée pour envoyer",
    "Drag and drop file here": "Glissez-déposez un fichier ici",
    "Drag and drop files here": "Glissez-déposez des fichiers ici",
    "Browse files": "Parcourir les fichiers",
    "Upload": "Envoyer un fichier",
    "Remove file": "Retirer le fichier",
    "Delete": "Supprimer",
    "Download as CSV": "Télécharger en CSV",
    "Download": "Télécharger",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    "Connecting": "Connexion…",
    "Please wait...": "Veuillez patienter…",
    "Main menu": "Menu principal",
    "View fullscreen": "Plein écran",
    "Exit fullscreen": "Quitter le plein écran",
    "streamlit_folium.st_folium": "Carte interactive",
  };
  var PATTERNS = [
    [/^Help for (.+)$/, "Aide : $1"],
    [/^Remove (.+)$/, "Retirer $1"],
    [/^Limit (\d+)MB per file(.*)$/, "$1 Mo au plus par fichier$2"],
  ];
  var ATTRIBUTES = ["aria-label", "title", "placeholder"];

  function tr(s) {
    if (!s) return null;
    var t = s.trim();
    if (Object.prototype.hasOwnProperty.call(EXACT, t)) return s.replace(t, EXACT[t]);
    for (var i = 0; i < PATTERNS.length; i++) {
      if (PATTERNS[i][0].test(t)) return s.replace(t, t.replace(PATTERNS[i][0], PATTERNS[i][1]));
    }
    return null;
  }

  function fixElement(el) {
    for (var i = 0; i < ATTRIBUTES.length; i++) {
      var v = el.getAttribute(ATTRIBUTES[i]);
      var f = tr(v);
      if (f !== null && f !== v) el.setAttribute(ATTRIBUTES[i], f);
    }
  }

  function fix(root) {
    if (root.nodeType === 3) {
      var f = tr(root.data);
      if (f !== null && f !== root.data) root.data = f;
      return;
    }
    if (root.nodeType !== 1) return;
    fixElement(root);
    var els = root.querySelectorAll("[aria-label],[title],[placeholder]");
    for (var i = 0; i < els.length; i++) fixElement(els[i]);
    var w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var n;
    while ((n = w.nextNode())) {
      var g = tr(n.data);
      if (g !== null && g !== n.data) n.data = g;
    }
  }

  document.documentElement.lang = "fr";
  new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++) {
      var r = records[i];
      if (r.type === "childList") {
        for (var j = 0; j < r.addedNodes.length; j++) fix(r.addedNodes[j]);
      } else if (r.type === "characterData") {
        fix(r.target);
      } else if (r.type === "attributes") {
        fixElement(r.target);
      }
    }
  }).observe(document.documentElement, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ATTRIBUTES,
  });
  document.addEventListener("DOMContentLoaded", function () {
    fix(document.body);
  });
})();
