#!/usr/bin/env bash
# Ensures the build's C libraries are installed and PostgreSQL, Redis and RabbitMQ are installed and running
# on this machine (ARCHITECTURE §10); `dev-infra.sh build-deps` only the libraries.
# Idempotent and quick when everything is already up; installs with apt-get only what is missing.
set -euo pipefail

log() { printf 'dev-infra: %s\n' "$*"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # name port seconds
  local i
  for ((i = 0; i < $3 * 4; i++)); do port_open "$2" && return 0; sleep 0.25; done
  log "$1 did not come up on port $2 within $3 s" >&2
  return 1
}

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# C libraries the build links: OpenSSL (Twilio's and FCM's HTTPS clients).
ensure_build_deps() {
  if pkg-config --exists openssl 2>/dev/null; then return; fi
  apt_install pkg-config libssl-dev
}

# The admin console's browser test: Chromium (Debian's; CHROMIUM names another), Node.js and the
# playwright-core package pinned in tests-e2e/browser/package-lock.json.
ensure_browser() {
  local browser="${CHROMIUM:-/usr/bin/chromium}"
  [ -x "$browser" ] || apt_install chromium
  command -v npm >/dev/null || apt_install nodejs npm
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests-e2e/browser"
  if [ ! -d "$dir/node_modules/playwright-core" ]; then
    log "installing playwright-core (npm ci)"
    npm ci --prefix "$dir" --no-audit --no-fund --silent
  fi
}

ensure_postgres() {
  if port_open 5432; then return; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql postgresql-contrib
    local hba
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf)
    # Local development only: trust loopback connections, as the project's tests expect.
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  fi
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  wait_for PostgreSQL 5432 30
}

ensure_redis() {
  if port_open 6379; then return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  wait_for Redis 6379 15
}

ensure_rabbitmq() {
  if port_open 5672; then return; fi
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
  log "starting RabbitMQ"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  timeout 120 rabbitmqctl await_startup >/dev/null
  wait_for RabbitMQ 5672 30
}

# The S3 path's tests run an S3-compatible server from crates.io (no MinIO binary can be fetched here;
# production uses MinIO or S3). It is a program the tests start, not a service left running.
S3S_FS_VERSION=0.14.1
ensure_s3s_fs() {
  if command -v s3s-fs >/dev/null || [ -x "$HOME/.cargo/bin/s3s-fs" ]; then return; fi
  log "installing s3s-fs $S3S_FS_VERSION (cargo install, a few minutes once)"
  cargo install -q --locked s3s-fs --version "$S3S_FS_VERSION" --features binary
}

# Every service's src/schema.rs is checked against `diesel print-schema` of its migrated database
# (ARCHITECTURE §2): diesel_cli, pinned, built against libpq.
DIESEL_CLI_VERSION=2.2.12
ensure_diesel_cli() {
  local diesel="$HOME/.cargo/bin/diesel"
  if [ -x "$diesel" ] && "$diesel" --version 2>/dev/null | grep -q "Version: $DIESEL_CLI_VERSION"; then return; fi
  pkg-config --exists libpq 2>/dev/null || apt_install libpq-dev
  log "installing diesel_cli $DIESEL_CLI_VERSION (cargo install, a few minutes once)"
  cargo install -q --locked --force diesel_cli --version "$DIESEL_CLI_VERSION" \
    --no-default-features --features postgres
}

ensure_build_deps
if [ "${1:-}" = "build-deps" ]; then exit 0; fi
ensure_postgres
ensure_redis
ensure_rabbitmq
ensure_s3s_fs
ensure_diesel_cli
ensure_browser
log "PostgreSQL, Redis and RabbitMQ are up; s3s-fs, diesel_cli, Chromium and playwright-core are installed"
