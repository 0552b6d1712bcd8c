#!/usr/bin/env bash
# Debian's packages for the tests: Chromium for the end-to-end tests (Playwright drives
# /usr/bin/chromium; it never downloads a browser of its own) and libzbar0, with which the
# tests read back the QR codes of the deck (pyzbar).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
ldconfig -p 2>/dev/null | grep -q "libzbar.so.0" || need+=(libzbar0)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Paquets absents (${need[*]}) : installez-les avec « sudo apt-get install ${need[*]} »." >&2
  echo "Les tests qui en ont besoin seront ignorés." >&2
  exit 0
fi
echo "Installation de ${need[*]} (Debian)…" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
