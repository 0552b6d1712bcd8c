#!/usr/bin/env bash
# Debian's Chromium for the end-to-end tests (Playwright drives /usr/bin/chromium;
# it never downloads a browser of its own).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium absent (/usr/bin/chromium) : installez-le avec « sudo apt-get install chromium »." >&2
  echo "Les tests de bout en bout (-m e2e) seront ignorés." >&2
  exit 0
fi
echo "Installation de Chromium (Debian)…" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
