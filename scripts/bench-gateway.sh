#!/usr/bin/env bash
# `make bench-gateway`: requests/s and latency of a small JSON endpoint called directly and through the
# gateway (token-less, so the anonymous throttle runs on Redis for every request), in one run, with the
# same load: wrk, 2 threads, 32 connections. Release builds; services log JSON to /dev/null as in
# production. Target (issue #3): >= 60% of direct throughput, < 2 ms added at p99.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${BENCH_DURATION:-15s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
UPSTREAM_PORT=18101
GATEWAY_PORT=18000

scripts/dev-infra.sh >/dev/null
if ! command -v wrk >/dev/null; then
  echo "bench-gateway: installing wrk"
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
cargo build --release -q -p hm-gateway --bin hm-gateway --example bench_upstream
bin="${CARGO_TARGET_DIR:-target}/release"

work="$(mktemp -d)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cat >"$work/routes.toml" <<TOML
[upstreams.bench]
url = "http://127.0.0.1:$UPSTREAM_PORT"
[[routes]]
prefix = "/api/v1/bench/"
upstream = "bench"
policy = "public"
TOML

PORT=$UPSTREAM_PORT HTTP_WORKERS=2 "$bin/examples/bench_upstream" >/dev/null 2>&1 &
pids+=($!)
# A limit no benchmark reaches, so every request pays for the Redis check but none is refused.
PORT=$GATEWAY_PORT HOST=127.0.0.1 HTTP_WORKERS=2 LOG_JSON=true GATEWAY_ROUTES_FILE="$work/routes.toml" \
  THROTTLE_ANON=1000000000/hour REDIS_KEY_PREFIX="gw:bench:$$:" "$bin/hm-gateway" >/dev/null 2>&1 &
pids+=($!)
for port in $UPSTREAM_PORT $GATEWAY_PORT; do
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
curl -fs "http://127.0.0.1:$GATEWAY_PORT/api/v1/bench/ping/" >/dev/null || { echo "gateway is not proxying"; exit 1; }

run() { # name url -> "rps p50_ms p99_ms"
  wrk -t2 -c"$CONNECTIONS" -d5s "$2" >/dev/null # warm-up: connections, pools, caches
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$2" >"$work/$1.txt"
  python3 - "$work/$1.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"99%\s+(\S+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if errors: sys.exit(f"{errors.group(1)} failed responses")
print(f"{rps:.0f} {p50:.3f} {p99:.3f}")
PY
}

read -r d_rps d_p50 d_p99 < <(run direct "http://127.0.0.1:$UPSTREAM_PORT/api/v1/bench/ping/")
read -r g_rps g_p50 g_p99 < <(run gateway "http://127.0.0.1:$GATEWAY_PORT/api/v1/bench/ping/")
python3 - "$d_rps" "$d_p50" "$d_p99" "$g_rps" "$g_p50" "$g_p99" "$CONNECTIONS" "$DURATION" <<'PY'
import sys
d_rps, d_p50, d_p99, g_rps, g_p50, g_p99 = map(float, sys.argv[1:7])
print(f"GET /api/v1/bench/ping/  wrk -t2 -c{sys.argv[7]} -d{sys.argv[8]}  ({__import__('os').cpu_count()} cores shared by wrk, gateway, upstream, Redis)")
print(f"{'':10}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
print(f"{'direct':10}{d_rps:>12.0f}{d_p50:>10.3f}{d_p99:>10.3f}")
print(f"{'gateway':10}{g_rps:>12.0f}{g_p50:>10.3f}{g_p99:>10.3f}")
ratio, added = g_rps / d_rps, g_p99 - d_p99
print(f"throughput kept: {ratio:.0%} (target >= 60%)   p99 added: {added:.3f} ms (target < 2 ms)")
PY
