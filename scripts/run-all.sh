#!/usr/bin/env bash
# `make run`: the development stack. Brings up infrastructure, migrates, seeds, then runs every service in
# the foreground with its logs; Ctrl-C or SIGTERM stops them all. Variables already set in the
# environment win over .env and over the defaults below.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBUG="${DEBUG:-true}"
export LOG_JSON="${LOG_JSON:-false}"
export SMS_PROVIDER="${SMS_PROVIDER:-dev}"
# Development: any web origin may call the gateway (spec/CONFIG.md, dev profile).
export CORS_ALLOW_ALL_ORIGINS="${CORS_ALLOW_ALL_ORIGINS:-true}"
mkdir -p var
if [ -z "${JWT_PRIVATE_KEY_PEM:-}" ] && [ -z "${JWT_PRIVATE_KEY_FILE:-}" ]; then
  export JWT_PRIVATE_KEY_FILE="$PWD/var/jwt-dev.pem"
fi

scripts/dev-infra.sh
cargo build --bins
bin="${CARGO_TARGET_DIR:-target}/debug"
[ -f "${JWT_PRIVATE_KEY_FILE:-/nonexistent}" ] || [ -n "${JWT_PRIVATE_KEY_PEM:-}" ] || {
  "$bin/hm-identity" gen-key >"$JWT_PRIVATE_KEY_FILE"
  chmod 600 "$JWT_PRIVATE_KEY_FILE"
  echo "run-all: generated a development signing key in $JWT_PRIVATE_KEY_FILE"
}
# The eKYC key (Fernet format) sealing the Aadhaar digits: generated once into var/, like the JWT key, so
# digits stored in one run still read in the next; handed over as a file (only identity reads it). A key
# already set in the environment (ENCRYPTION_KEY or ENCRYPTION_KEY_FILE) wins.
if [ -z "${ENCRYPTION_KEY:-}" ] && [ -z "${ENCRYPTION_KEY_FILE:-}" ]; then
  export ENCRYPTION_KEY_FILE="$PWD/var/encryption-dev.key"
  if [ ! -s "$ENCRYPTION_KEY_FILE" ]; then
    (umask 077 && "$bin/hm-identity" gen-encryption-key >"$ENCRYPTION_KEY_FILE")
    echo "run-all: generated a development eKYC encryption key in $ENCRYPTION_KEY_FILE"
  fi
fi

SERVICES=(identity catalog workforce jobs notifications analytics)
# Every service first (databases and event queues exist), then the seed data, whose events then reach
# every consumer.
for svc in "${SERVICES[@]}"; do
  "$bin/hm-$svc" migrate
done
for svc in identity catalog; do
  "$bin/hm-$svc" seed
done

pids=()
stop() {
  trap - INT TERM
  echo "run-all: stopping"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  exit 0
}
trap stop INT TERM
for svc in "${SERVICES[@]}" gateway; do
  # Process substitution keeps $! the service itself, so the trap signals the service, not the prefixer.
  # Each binary reads its own PORT default (gateway 8000, identity 8101, ...), so PORT is not inherited.
  env -u PORT "$bin/hm-$svc" serve > >(sed -u "s/^/[$svc] /") 2>&1 &
  pids+=($!)
done
# Workforce's and jobs' demo data refer to identity's users, catalog's services (and jobs to workforce's
# profiles), which reach them as events once the services run; their seeders wait for them.
"$bin/hm-workforce" seed --wait 60 > >(sed -u "s/^/[seed] /") 2>&1 &
"$bin/hm-jobs" seed --wait 90 > >(sed -u "s/^/[seed] /") 2>&1 &
echo "run-all: API on http://localhost:8000/api/v1/ (docs: /api/docs/); Ctrl-C stops everything"
wait -n "${pids[@]}" || true
stop
