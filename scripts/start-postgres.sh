#!/usr/bin/env bash
# Start a local PostgreSQL (Debian's) for the registry tests, and print its URL.
# As root (CI, a fresh machine): installs the server if missing, starts the cluster, creates
# a role and a database. Otherwise prints nothing: those tests are then skipped, saying why.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "PostgreSQL : pas root, les tests PostgreSQL seront ignorés (définir TERRITOIRES_TEST_DATABASE_URL)." >&2
  exit 0
fi
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "Installation de PostgreSQL (Debian)…" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 50); do
  su postgres -c "psql -p $port -tAc 'select 1'" >/dev/null 2>&1 && break
  sleep 0.2
done
su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -q" >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'territoires') THEN
    CREATE ROLE territoires LOGIN PASSWORD 'territoires';
  END IF;
END \$\$;
SQL
su postgres -c "psql -p $port -tAc \"SELECT 1 FROM pg_database WHERE datname='territoires_test'\"" | grep -q 1 \
  || su postgres -c "createdb -p $port -O territoires territoires_test"
echo "postgresql+psycopg://territoires:territoires@127.0.0.1:$port/territoires_test"
