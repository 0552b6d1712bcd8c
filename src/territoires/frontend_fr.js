// Streamlit's own interface in French. Its frontend has no French: the skip link, the
// labels of its buttons and the uploader's text are English. This script, inlined in the
// page that Streamlit serves (see territoires/frontend.py), translates them in place as
// they appear. Only Streamlit's fixed strings are listed: no data goes through here.
(function () {
  "use strict";
  var EXACT = {
    "Skip to main content": "Aller au contenu principal",
    "Collapse sidebar": "Replier le panneau latéral (pages et filtres)",
    "Expand sidebar": "Déplier le panneau latéral (pages et filtres)",
    "Sidebar": "Panneau latéral",
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
    "Select all": "Tout sélectionner",
    "Deselect all": "Tout désélectionner",
    "Show data": "Afficher les données",
    "Download as PNG": "Télécharger en PNG",
    "Download as SVG": "Télécharger en SVG",
    "Save as PNG": "Enregistrer en PNG",
    "Save as SVG": "Enregistrer en SVG",
    "View Source": "Voir la source",
    "View Compiled Vega": "Voir la spécification Vega",
    "Open in Vega Editor": "Ouvrir dans l'éditeur Vega",
    "Copy Vega-Lite spec": "Copier la spécification Vega-Lite",
    "Vega visualization": "Graphique",
  };
  var PATTERNS = [
    [/^Help for (.+)$/, "Aide : $1"],
    [/^Remove (.+)$/, "Retirer $1"],
    [/^Limit (\d+)MB per file(.*)$/, "$1 Mo au plus par fichier$2"],
    [/^Fullscreen: (.+)$/, "Plein écran : $1"],
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

// Presentation mode (?presentation=1): a presenter's keys. ← → and Page Up / Page Down (what a
// clicker sends) step through the storyboard (?diaporama=<nom>&diapo=<n>), Home and End go to the first
// and last slide (as in PowerPoint); Escape leaves. They work
// whether the focus is on the page or inside the map's frame: the frame is of the same origin, so
// its window is listened to as well. The slide's number and count are read from the map's band
// (.terr-slide): no data is written here.
(function () {
  "use strict";
  var STEP = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1, Home: -1e6, End: 1e6 };

  function params() {
    return new URLSearchParams(window.location.search);
  }
  function presenting() {
    return params().get("presentation") === "1";
  }
  function here() {
    var p = window.location.pathname;
    return p.charAt(p.length - 1) === "/" ? p : p + "/";
  }
  function slide() {
    var frames = document.querySelectorAll("iframe");
    for (var i = 0; i < frames.length; i++) {
      try {
        var d = frames[i].contentDocument;
        var e = d && d.querySelector(".terr-slide");
        if (e) return { index: +e.getAttribute("data-index"), total: +e.getAttribute("data-total") };
      } catch (err) {
        /* a frame of another origin: not the map */
      }
    }
    return null;
  }
  function leave() {
    var p = params();
    var name = p.get("diaporama");
    if (name) {
      window.location.assign(here() + "diaporama?" + new URLSearchParams({ diaporama: name }).toString());
      return;
    }
    p.delete("presentation");
    var q = p.toString();
    window.location.assign(window.location.pathname + (q ? "?" + q : ""));
  }
  // A clicker pressed twice quickly: the second press comes while the next slide loads. It counts from
  // the slide this page is leaving for (leavingFor), or waits in sessionStorage for the slide to draw.
  var leavingFor = 0;
  var QUEUE = "terrQueuedSteps";
  function step(d) {
    var p = params();
    if (!p.get("diaporama")) return false;
    var s = slide();
    if (!s || !s.total) {
      var q = +(window.sessionStorage.getItem(QUEUE) || 0);
      window.sessionStorage.setItem(QUEUE, String(Math.max(-1e6, Math.min(1e6, q + d))));
      return true;
    }
    var from = leavingFor || s.index;
    var n = Math.min(Math.max(from + d, 1), s.total);
    if (n !== from) {
      leavingFor = n;
      p.set("diapo", String(n));
      window.location.assign(window.location.pathname + "?" + p.toString());
    }
    return true;
  }
  function queued() {
    var q = +(window.sessionStorage.getItem(QUEUE) || 0);
    if (!q || !presenting() || !slide()) return;
    window.sessionStorage.removeItem(QUEUE);
    step(q);
  }
  function onKey(e) {
    if (!presenting() || e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    var typing = /^(TEXTAREA|SELECT)$/.test(t && t.tagName) ||
      (t && t.tagName === "INPUT" && !/^(checkbox|radio|button|submit|range)$/.test(t.type));
    if (t && (t.isContentEditable || typing)) return; // the keys are the field's
    if (e.key === "Escape") {
      e.preventDefault();
      leave();
    } else if (Object.prototype.hasOwnProperty.call(STEP, e.key) && step(STEP[e.key])) {
      e.preventDefault();
    }
  }
  function onClick(e) {
    var t = e.target;
    if (t && t.closest && t.closest(".terr-exit")) {
      e.preventDefault();
      leave();
    }
  }
  function hook() {
    if (!presenting()) return;
    var frames = document.querySelectorAll("iframe");
    for (var i = 0; i < frames.length; i++) {
      try {
        var w = frames[i].contentWindow;
        if (w && w.document && !w.__terrKeys) {
          w.__terrKeys = true;
          w.addEventListener("keydown", onKey, true);
          w.document.addEventListener("click", onClick, true);
        }
      } catch (err) {
        /* another origin: not ours to listen to */
      }
    }
  }
  window.addEventListener("keydown", onKey, true);
  window.setInterval(function () {
    hook();
    queued();
  }, 300);
})();
