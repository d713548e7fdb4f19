#!/usr/bin/env bash
# `make bench-gateway`: requests/s and latency of a small JSON endpoint called directly, through nginx (a
# plain keep-alive reverse proxy: Debian's nginx, installed here if missing, 2 workers, `keepalive 64`,
# access log written as the gateway writes its own) and through the gateway, in one run with the same
# load: wrk, 2 threads, 32 connections, requests spread over 100,000 client addresses
# (scripts/bench-clients.lua; the proxies trust one hop) so each throttle window is as small as a real
# client's. The gateway runs with the production throttle (100/hour per address, 1000/hour per user, on
# Redis) and, for the breakdown, once more with throttling off. Every target is measured without a token
# and with one (5,000 signed-in users: the gateway verifies the token and throttles by user; the
# upstream verifies it too, whoever calls it). Rounds alternate the targets (BENCH_ROUNDS, default 2).
# Release builds; JSON logs to /dev/null as in production. BENCH_BASELINE=path/to/hm-gateway (another
# build, e.g. of an earlier commit) adds that binary as a column, same settings as the gateway: a before /
# after comparison within one run, where run-to-run drift on a shared machine cannot blur it.
# CPU per request is printed whole and split into user and system time: the system share is mostly the
# sockets' work, which every proxy pays alike; the user share is the proxy's own code.
# Two bare proxies with none of the gateway's work (gateway/examples/bench_floor.rs) run beside it as the
# floors of their stacks: actix-web with awc (the gateway's own) and hyper 1 server and pooled client,
# one runtime per worker. What the gateway costs above the first is its own work; the second is the
# fastest Rust stack measured here (issue #20's note).
# Target (issue #20): the gateway's throughput >= nginx's and its p99 <= nginx's + 1 ms, with and
# without a token.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
ROUNDS="${BENCH_ROUNDS:-2}"
UPSTREAM_PORT=18101
GATEWAY_PORT=18000
BARE_GATEWAY_PORT=18001
NGINX_PORT=18002
BASELINE_PORT=18003
FLOOR_ACTIX_PORT=18004
FLOOR_HYPER_PORT=18005
BASELINE="${BENCH_BASELINE:-}"
if [ -n "$BASELINE" ] && [ ! -x "$BASELINE" ]; then
  echo "bench-gateway: BENCH_BASELINE=$BASELINE is not an executable" >&2
  exit 2
fi

scripts/dev-infra.sh >/dev/null
for tool in wrk nginx; do
  if ! command -v "$tool" >/dev/null && [ ! -x "/usr/sbin/$tool" ]; then
    echo "bench-gateway: installing $tool"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool") >/dev/null
  fi
done
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
cargo build --release -q -p hm-gateway --bin hm-gateway --example bench_upstream --example bench_floor
bin="${CARGO_TARGET_DIR:-target}/release"

work="$(mktemp -d)"
pids=()
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/routes.toml" <<TOML
[upstreams.bench]
url = "http://127.0.0.1:$UPSTREAM_PORT"
[[routes]]
prefix = "/api/v1/bench/"
upstream = "bench"
policy = "public"
TOML

cat >"$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log /dev/null combined;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi;
  scgi_temp_path $work/nginx-scgi;
  upstream bench { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://bench;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
NGINX

export JWKS_URL="http://127.0.0.1:$UPSTREAM_PORT/.well-known/jwks.json"
"$bin/examples/bench_upstream" gen-key >"$work/jwt.pem"
"$bin/examples/bench_upstream" mint "$work/jwt.pem" 5000 >"$work/tokens"

BENCH_JWT_KEY_FILE="$work/jwt.pem" PORT=$UPSTREAM_PORT HTTP_WORKERS=2 "$bin/examples/bench_upstream" >/dev/null 2>&1 &
pids+=($!)
gateway() { # port throttle-anon throttle-user [binary]
  PORT=$1 HOST=127.0.0.1 HTTP_WORKERS=2 LOG_JSON=true GATEWAY_ROUTES_FILE="$work/routes.toml" \
    GATEWAY_METRICS_PORT=0 GATEWAY_TRUSTED_PROXY_HOPS=1 THROTTLE_ANON="$2" THROTTLE_USER="$3" \
    REDIS_KEY_PREFIX="gw:bench:$$:$1:" "${4:-$bin/hm-gateway}" >/dev/null 2>&1 &
  pids+=($!)
}
gateway $GATEWAY_PORT 100/hour 1000/hour
gateway $BARE_GATEWAY_PORT none none
if [ -n "$BASELINE" ]; then
  gateway $BASELINE_PORT 100/hour 1000/hour "$BASELINE"
  baseline_pid=${pids[-1]}
fi
for floor in actix hyper; do
  port=$FLOOR_ACTIX_PORT
  [ $floor = hyper ] && port=$FLOOR_HYPER_PORT
  PORT=$port HTTP_WORKERS=2 BENCH_UPSTREAM="http://127.0.0.1:$UPSTREAM_PORT" "$bin/examples/bench_floor" $floor &
  pids+=($!)
done
floor_actix_pid=${pids[-2]} floor_hyper_pid=${pids[-1]}
"$NGINX" -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)
for port in $UPSTREAM_PORT $GATEWAY_PORT $BARE_GATEWAY_PORT ${BASELINE:+$BASELINE_PORT}; do
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
for port in $GATEWAY_PORT $NGINX_PORT $FLOOR_ACTIX_PORT $FLOOR_HYPER_PORT; do
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/api/v1/bench/ping/" >/dev/null && break; sleep 0.1; done
  curl -fs "http://127.0.0.1:$port/api/v1/bench/ping/" >/dev/null || { echo "port $port is not proxying"; exit 1; }
done
token="$(head -1 "$work/tokens")"
curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$GATEWAY_PORT/api/v1/bench/ping/" >/dev/null ||
  { echo "the gateway refuses the benchmark's tokens"; exit 1; }

cat >"$work/signed-in.lua" <<LUA
-- As bench-clients.lua, each request also signed in as one of 5,000 users.
local tokens = {}
for line in io.lines("$work/tokens") do tokens[#tokens + 1] = "Bearer " .. line end
local n = math.random(0, 99999)
request = function()
  n = (n + 1) % 100000
  local ip = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format(nil, nil, {["X-Forwarded-For"] = ip, ["Authorization"] = tokens[n % #tokens + 1]})
end
LUA

# User and system CPU ticks of a process and its children (nginx's workers are its children): "user sys".
tree_ticks() {
  local user=0 sys=0 p u s
  for p in $1 $(pgrep -P "$1" || true); do
    read -r u s < <(awk '{print $14, $15}' "/proc/$p/stat")
    user=$((user + u)) sys=$((sys + s))
  done
  echo "$user $sys"
}
run() { # name url pid lua -> "rps p50_ms p99_ms cpu_us user_us sys_us" (CPU per request of pid)
  wrk -t2 -c"$CONNECTIONS" -d3s -s "$4" "$2" >/dev/null # warm-up
  local before; before=$(tree_ticks "$3")
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$4" "$2" >"$work/$1.txt"
  python3 - "$work/$1.txt" "$before" "$(tree_ticks "$3")" "$(getconf CLK_TCK)" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
(u0, s0), (u1, s1) = (map(int, a.split()) for a in sys.argv[2:4])
hz = int(sys.argv[4])
user, system = u1 - u0, s1 - s0
total = int(re.search(r"(\d+) requests in", text).group(1))
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m)", v)
    if not m: sys.exit(f"unreadable latency {v!r} in:\n{text}")
    n, unit = m.groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if errors: sys.exit(f"{errors.group(1)} failed responses")
per = lambda ticks: ticks / hz / total * 1e6
print(f"{rps:.0f} {p50:.3f} {p99:.3f} {per(user + system):.1f} {per(user):.1f} {per(system):.1f}")
PY
}

nginx_pid=$(cat "$work/nginx.pid")
ping="/api/v1/bench/ping/"
results="$work/results"
for round in $(seq "$ROUNDS"); do
  for auth in anonymous signed-in; do
    lua=scripts/bench-clients.lua
    [ "$auth" = signed-in ] && lua="$work/signed-in.lua"
    echo "$round $auth direct $(run direct "http://127.0.0.1:$UPSTREAM_PORT$ping" "${pids[0]}" "$lua")" >>"$results"
    echo "$round $auth nginx $(run nginx "http://127.0.0.1:$NGINX_PORT$ping" "$nginx_pid" "$lua")" >>"$results"
    echo "$round $auth gateway $(run gateway "http://127.0.0.1:$GATEWAY_PORT$ping" "${pids[1]}" "$lua")" >>"$results"
    echo "$round $auth bare $(run bare "http://127.0.0.1:$BARE_GATEWAY_PORT$ping" "${pids[2]}" "$lua")" >>"$results"
    echo "$round $auth floor-actix $(run floor-actix "http://127.0.0.1:$FLOOR_ACTIX_PORT$ping" "$floor_actix_pid" "$lua")" >>"$results"
    echo "$round $auth floor-hyper $(run floor-hyper "http://127.0.0.1:$FLOOR_HYPER_PORT$ping" "$floor_hyper_pid" "$lua")" >>"$results"
    if [ -n "$BASELINE" ]; then
      echo "$round $auth baseline $(run baseline "http://127.0.0.1:$BASELINE_PORT$ping" "$baseline_pid" "$lua")" >>"$results"
    fi
  done
done
python3 - "$results" "$CONNECTIONS" "$DURATION" <<'PY'
import os, sys
rows = [line.split() for line in open(sys.argv[1])]
names = {"direct": "direct", "nginx": "nginx", "gateway": "gateway (throttle on Redis)",
         "bare": "gateway (throttle off)", "floor-actix": "bare actix-web + awc",
         "floor-hyper": "bare hyper", "baseline": "BENCH_BASELINE (throttle on)"}
print(f"GET /api/v1/bench/ping/  wrk -t2 -c{sys.argv[2]} -d{sys.argv[3]}  "
      f"({os.cpu_count()} cores shared by wrk, proxy, upstream, Redis)")
print(f"{'round':<7}{'client':<11}{'':29}{'requests/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'CPU us/req':>12}"
      f"{'(user':>7}{'+ sys)':>8}")
verdicts = []
for rnd in sorted({r[0] for r in rows}):
    for auth in ("anonymous", "signed-in"):
        got = {r[2]: r[3:] for r in rows if r[0] == rnd and r[1] == auth}
        for name in (n for n in names if n in got):
            rps, p50, p99, cpu, user, system = got[name]
            print(f"{rnd:<7}{auth:<11}{names[name]:29}{float(rps):>11.0f}{float(p50):>9.3f}{float(p99):>9.3f}{cpu:>12}"
                  f"{user:>7}{system:>8}")
        g, n = got["gateway"], got["nginx"]
        ok = float(g[0]) >= float(n[0]) and float(g[2]) <= float(n[2]) + 1.0
        verdicts.append(ok)
        print(f"{'':7}{'':11}gateway/nginx throughput {float(g[0]) / float(n[0]):.0%}, p99 "
              f"{float(g[2]) - float(n[2]):+.3f} ms  -> {'met' if ok else 'NOT met'} "
              f"(target >= 100%, <= +1 ms)")
        fa, fh = got["floor-actix"], got["floor-hyper"]
        print(f"{'':7}{'':11}floors/nginx throughput: bare actix-web + awc {float(fa[0]) / float(n[0]):.0%}, "
              f"bare hyper {float(fh[0]) / float(n[0]):.0%}; gateway (throttle on)/bare actix-web + awc "
              f"{float(g[0]) / float(fa[0]):.0%}")
        if "baseline" in got:
            b = got["baseline"]
            print(f"{'':7}{'':11}gateway/baseline throughput {float(g[0]) / float(b[0]):.0%}, "
                  f"CPU {float(g[3]) - float(b[3]):+.1f} us/req")
print(f"target met in {sum(verdicts)} of {len(verdicts)} comparisons")
PY
