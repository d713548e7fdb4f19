#!/usr/bin/env bash
# `make bench-catalog`: GET /api/v1/app-config/ (the document the app boots from) and GET
# /api/v1/services/ (the list every screen needs) through the same gateway in one run, each with the
# same wrk settings (2 threads, 32 connections, 15 s) after a warm-up of each, requests spread over
# 100,000 client addresses (the gateway trusts one proxy hop) so the production throttle (100/hour per
# address, on Redis) runs for every request without refusing any (the six wrk runs send well under
# 100 requests per address). Release builds against a seeded benchmark database; JSON logs to
# /dev/null. Targets: app-config >= 20,000 requests/s, zero non-2xx (issue #4); services >= 90 % of
# app-config's rate in the same run (issue #20), measured in rounds A B B A.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${BENCH_DURATION:-15s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
CATALOG_PORT=18102
GATEWAY_PORT=18000
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/hm_bench_catalog"
export REDIS_KEY_PREFIX="bench:catalog:$$:"
export EVENTS_EXCHANGE="bench.events" EVENTS_QUEUE="bench.catalog.events"
export LOG_JSON=true DEBUG=false

scripts/dev-infra.sh >/dev/null
if ! command -v wrk >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
cargo build --release -q -p hm-catalog -p hm-gateway --bin hm-catalog --bin hm-gateway
bin="${CARGO_TARGET_DIR:-target}/release"
"$bin/hm-catalog" migrate >/dev/null
"$bin/hm-catalog" seed >/dev/null

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT
PORT=$CATALOG_PORT HOST=127.0.0.1 HTTP_WORKERS=2 "$bin/hm-catalog" serve >/dev/null 2>&1 &
pids+=($!)
PORT=$GATEWAY_PORT HOST=127.0.0.1 HTTP_WORKERS=2 REDIS_KEY_PREFIX="gw:bench:$$:" GATEWAY_TRUSTED_PROXY_HOPS=1 \
  UPSTREAM_CATALOG_URL="http://127.0.0.1:$CATALOG_PORT" "$bin/hm-gateway" >/dev/null 2>&1 &
pids+=($!)
for port in $CATALOG_PORT $GATEWAY_PORT; do
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
url="http://127.0.0.1:$GATEWAY_PORT/api/v1/app-config/"
services_url="http://127.0.0.1:$GATEWAY_PORT/api/v1/services/"
curl -fs "$url" | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['theme']['name'] == 'HunarMitra Default', d"
curl -fs "$services_url" | python3 -c "import json,sys; d=json.load(sys.stdin); assert isinstance(d, list) and d[0]['slug'] == 'plumber', d"

for u in "$url" "$services_url"; do
  wrk -t2 -c"$CONNECTIONS" -d5s -s scripts/bench-clients.lua "$u" >/dev/null
done
# Four rounds in the order A B B A, so whatever drifts during the run (the throttle's windows filling,
# caches warming) weighs on both paths alike; each path's rate is that of its two rounds together.
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/bench-clients.lua "$url" | tee /tmp/bench-catalog.txt
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/bench-clients.lua "$services_url" \
  | tee /tmp/bench-catalog-services.txt
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/bench-clients.lua "$services_url" \
  | tee /tmp/bench-catalog-services-2.txt
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/bench-clients.lua "$url" | tee /tmp/bench-catalog-2.txt
python3 - /tmp/bench-catalog.txt /tmp/bench-catalog-2.txt /tmp/bench-catalog-services.txt \
  /tmp/bench-catalog-services-2.txt <<'PY'
import re, sys

def measured(*paths):
    rates, bad, errors = [], 0, []
    for path in paths:
        text = open(path).read()
        rates.append(float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)))
        found = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        bad += int(found.group(1)) if found else 0
        found = re.search(r"Socket errors: (.*)", text)
        errors += [found.group(1)] if found else []
    rounds = " and ".join(f"{r:.0f}" for r in rates)
    return sum(rates) / len(rates), rounds, bad, "; ".join(errors) or "none"

config, config_rounds, config_bad, config_errors = measured(sys.argv[1], sys.argv[2])
services, services_rounds, services_bad, services_errors = measured(sys.argv[3], sys.argv[4])
print(f"app-config through the gateway: {config:.0f} requests/s (rounds {config_rounds}; target >= 20,000), "
      f"non-2xx: {config_bad}, socket errors: {config_errors}")
print(f"services list through the gateway: {services:.0f} requests/s (rounds {services_rounds}), "
      f"non-2xx: {services_bad}, socket errors: {services_errors}")
ratio = services / config if config else 0.0
print(f"services list / app-config: {ratio:.0%} (target >= 90 %)")
PY
