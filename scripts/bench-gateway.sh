#!/usr/bin/env bash
# `make bench-gateway`: requests/s and latency of a small JSON endpoint called directly and through the
# gateway, in one run, with the same load: wrk, 2 threads, 32 connections, requests spread over 100,000
# client addresses (scripts/bench-clients.lua; the gateway trusts one proxy hop) so each throttle window
# is as small as a real client's. The gateway runs with the production throttle (100/hour per address,
# on Redis, every request checked) and, for the breakdown, once more with throttling off. Release builds;
# JSON logs to /dev/null as in production. Target (issue #3): >= 60% of direct throughput, < 2 ms added
# at p99.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${BENCH_DURATION:-15s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
UPSTREAM_PORT=18101
GATEWAY_PORT=18000
BARE_GATEWAY_PORT=18001

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
gateway() { # port throttle
  PORT=$1 HOST=127.0.0.1 HTTP_WORKERS=2 LOG_JSON=true GATEWAY_ROUTES_FILE="$work/routes.toml" \
    GATEWAY_TRUSTED_PROXY_HOPS=1 THROTTLE_ANON="$2" REDIS_KEY_PREFIX="gw:bench:$$:" \
    "$bin/hm-gateway" >/dev/null 2>&1 &
  pids+=($!)
}
gateway $GATEWAY_PORT 100/hour
gateway $BARE_GATEWAY_PORT none
for port in $UPSTREAM_PORT $GATEWAY_PORT $BARE_GATEWAY_PORT; do
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
curl -fs "http://127.0.0.1:$GATEWAY_PORT/api/v1/bench/ping/" >/dev/null || { echo "gateway is not proxying"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # name url pid -> "rps p50_ms p99_ms cpu_us_per_request_of_pid"
  wrk -t2 -c"$CONNECTIONS" -d5s -s scripts/bench-clients.lua "$2" >/dev/null # warm-up
  local before; before=$(cpu_ticks "$3")
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/bench-clients.lua "$2" >"$work/$1.txt"
  python3 - "$work/$1.txt" "$before" "$(cpu_ticks "$3")" "$(getconf CLK_TCK)" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
ticks, hz = int(sys.argv[3]) - int(sys.argv[2]), int(sys.argv[4])
total = int(re.search(r"(\d+) requests in", text).group(1))
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"99%\s+(\S+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if errors: sys.exit(f"{errors.group(1)} failed responses")
print(f"{rps:.0f} {p50:.3f} {p99:.3f} {ticks / hz / total * 1e6:.1f}")
PY
}

read -r d_rps d_p50 d_p99 d_cpu < <(run direct "http://127.0.0.1:$UPSTREAM_PORT/api/v1/bench/ping/" "${pids[0]}")
read -r g_rps g_p50 g_p99 g_cpu < <(run gateway "http://127.0.0.1:$GATEWAY_PORT/api/v1/bench/ping/" "${pids[1]}")
read -r b_rps b_p50 b_p99 b_cpu < <(run bare "http://127.0.0.1:$BARE_GATEWAY_PORT/api/v1/bench/ping/" "${pids[2]}")
python3 - "$d_rps" "$d_p50" "$d_p99" "$g_rps" "$g_p50" "$g_p99" "$b_rps" "$b_p50" "$b_p99" "$CONNECTIONS" "$DURATION" \
  "$d_cpu" "$g_cpu" "$b_cpu" <<'PY'
import os, sys
d_rps, d_p50, d_p99, g_rps, g_p50, g_p99, b_rps, b_p50, b_p99 = map(float, sys.argv[1:10])
d_cpu, g_cpu, b_cpu = sys.argv[12:15]
print(f"GET /api/v1/bench/ping/  wrk -t2 -c{sys.argv[10]} -d{sys.argv[11]}  ({os.cpu_count()} cores shared by wrk, gateway, upstream, Redis)")
print(f"{'':28}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
print(f"{'direct':28}{d_rps:>12.0f}{d_p50:>10.3f}{d_p99:>10.3f}")
print(f"{'gateway (throttle on Redis)':28}{g_rps:>12.0f}{g_p50:>10.3f}{g_p99:>10.3f}")
print(f"{'gateway (throttle off)':28}{b_rps:>12.0f}{b_p50:>10.3f}{b_p99:>10.3f}")
print(f"throughput kept: {g_rps / d_rps:.0%} (target >= 60%; {b_rps / d_rps:.0%} without throttling)   "
      f"p99 added: {g_p99 - d_p99:.3f} ms (target < 2 ms)")
print(f"CPU time per request (user+system): upstream {d_cpu} us; gateway {g_cpu} us with throttling, {b_cpu} us without")
PY
