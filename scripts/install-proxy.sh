#!/usr/bin/env bash
# HAProxy (Debian's package) for `territoires serve --replicas N` and its tests: the reverse proxy
# that spreads a room's visitors over the replicas. Does nothing when it is already installed.
set -euo pipefail
if command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "HAProxy absent : installez-le avec « sudo apt-get install haproxy »." >&2
  echo "Les tests des répliques derrière le proxy seront ignorés." >&2
  exit 0
fi
echo "Installation de haproxy (Debian)…" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null
