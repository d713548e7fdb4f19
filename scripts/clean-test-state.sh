#!/usr/bin/env bash
# Drops databases left by earlier test runs (per-test databases and migrated templates), so every
# `make test` starts from templates built from the current migrations.
set -euo pipefail
psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -tAq "$@"; }
for db in $(psql_admin -c "SELECT datname FROM pg_database WHERE datname LIKE 'hmtest\_%' OR datname LIKE 'hmtpl\_%'"); do
  psql_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
done
