#!/usr/bin/env bash
# `make bench-analytics` (issue #19): analytics ingestion through the real gateway (production throttle,
# 100/hour per address on Redis, requests spread over 100,000 addresses; tokens verified), in one run
# beside the gateway's own small endpoint (bench_upstream's GET /api/v1/bench/ping/) as the yardstick:
#   1. GET /api/v1/bench/ping/ through the gateway            (requests/s)
#   2. single events: POST /api/v1/analytics/events/           (events/s; target >= 40 % of 1)
#   3. bulk, 100 events per request                            (events/s; target >= 50,000)
# then BENCH_STORED (10,000,000) events spread over 30 days are loaded, and a day's
# GET /api/admin/analytics/daily-summary/ is timed through the gateway: counted live from the day's
# partition, then from its aggregate rows (target <= 200 ms). wrk -t2 -c32, 15 s each after a 5 s
# warm-up; release builds; fresh databases; everything on this machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${BENCH_DURATION:-15s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
STORED="${BENCH_STORED:-10000000}"
DAYS=30
IDENTITY_PORT=18101 ANALYTICS_PORT=18106 UPSTREAM_PORT=18109 GATEWAY_PORT=18000
PG="postgres://postgres@127.0.0.1:5432"
export LOG_JSON=true EVENTS_EXCHANGE="bench.$$.events" TIME_ZONE=Asia/Kolkata

scripts/dev-infra.sh >/dev/null
if ! command -v wrk >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
cargo build --release -q -p hm-identity -p hm-analytics -p hm-gateway \
  --bin hm-identity --bin hm-analytics --bin hm-gateway --example bench_upstream
bin="${CARGO_TARGET_DIR:-target}/release"

work="$(mktemp -d)"
pids=()
dbs=(hm_bench_identity hm_bench_analytics)
drop_dbs() {
  for db in "${dbs[@]}"; do psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; done
}
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  drop_dbs
  rm -rf "$work"
}
trap cleanup EXIT
drop_dbs
"$bin/hm-identity" gen-key >"$work/jwt.pem"
jwks="http://127.0.0.1:$IDENTITY_PORT/.well-known/jwks.json"
identity_env=(DATABASE_URL="$PG/hm_bench_identity" JWT_PRIVATE_KEY_FILE="$work/jwt.pem" SECRET_KEY="bench-$$"
  EVENTS_QUEUE="bench.$$.identity.events" REDIS_KEY_PREFIX="bench:$$:identity:")
analytics_env=(DATABASE_URL="$PG/hm_bench_analytics" EVENTS_QUEUE="bench.$$.analytics.events"
  REDIS_KEY_PREFIX="bench:$$:analytics:" JWKS_URL="$jwks")
env "${identity_env[@]}" "$bin/hm-identity" migrate >/dev/null
env "${identity_env[@]}" "$bin/hm-identity" create-admin --email bench@hunarmitra.test --password bench-password-1 >/dev/null
env "${analytics_env[@]}" "$bin/hm-analytics" migrate >/dev/null

cat >"$work/routes.toml" <<TOML
[upstreams.identity]
url = "http://127.0.0.1:$IDENTITY_PORT"
[upstreams.analytics]
url = "http://127.0.0.1:$ANALYTICS_PORT"
[upstreams.bench]
url = "http://127.0.0.1:$UPSTREAM_PORT"
[[routes]]
prefix = "/api/v1/auth/"
upstream = "identity"
policy = "public"
[[routes]]
prefix = "/api/v1/analytics/"
upstream = "analytics"
policy = "public"
[[routes]]
prefix = "/api/admin/analytics/"
upstream = "analytics"
policy = "role"
roles = ["admin"]
timeout_secs = 300
[[routes]]
prefix = "/api/v1/bench/"
upstream = "bench"
policy = "public"
TOML

env "${identity_env[@]}" PORT=$IDENTITY_PORT HOST=127.0.0.1 "$bin/hm-identity" serve >/dev/null 2>&1 &
pids+=($!)
env "${analytics_env[@]}" PORT=$ANALYTICS_PORT HOST=127.0.0.1 HTTP_WORKERS=2 DB_POOL_SIZE=16 \
  "$bin/hm-analytics" serve >/dev/null 2>&1 &
analytics_pid=$!
pids+=($!)
PORT=$UPSTREAM_PORT HTTP_WORKERS=2 "$bin/examples/bench_upstream" >/dev/null 2>&1 &
pids+=($!)
PORT=$GATEWAY_PORT HOST=127.0.0.1 HTTP_WORKERS=2 GATEWAY_ROUTES_FILE="$work/routes.toml" \
  GATEWAY_TRUSTED_PROXY_HOPS=1 THROTTLE_ANON=100/hour REDIS_KEY_PREFIX="gw:bench:$$:" JWKS_URL="$jwks" \
  "$bin/hm-gateway" >/dev/null 2>&1 &
gateway_pid=$!
pids+=($!)
for port in $IDENTITY_PORT $ANALYTICS_PORT $UPSTREAM_PORT $GATEWAY_PORT; do
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
gw="http://127.0.0.1:$GATEWAY_PORT"

# One event as a phone sends it, and a bulk of 100.
python3 - "$work" <<'PY'
import json, sys
event = {"event_type": "page_view", "source": "android", "anonymous_id": "anon-bench",
         "payload": {"page": "home", "screen": "services", "city": "Pune"}}
open(f"{sys.argv[1]}/single.json", "w").write(json.dumps(event))
kinds = ["page_view", "service_search", "booking_created", "job_apply"]
events = [dict(event, event_type=kinds[i % 4], payload={"page": "home", "i": i, "service_id": str(i % 7)})
          for i in range(100)]
open(f"{sys.argv[1]}/bulk.json", "w").write(json.dumps({"events": events}))
PY
curl -fs -X POST "$gw/api/v1/analytics/events/" -H 'Content-Type: application/json' -d @"$work/single.json" |
  python3 -c "import json,sys; assert 'event_id' in json.load(sys.stdin)"

# wrk's figures: "requests/s p50_ms p99_ms requests".
parse() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if bad: sys.exit(f"{bad.group(1)} failed responses")
def pct(p):  # the warm-up runs without --latency
    m = re.search(r"^\s+" + p + r"%\s+(\S+)", text, re.M)
    return ms(m.group(1)) if m else 0
print(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1), pct("50"), pct("99"),
      re.search(r"(\d+) requests in", text).group(1))
PY
}
# CPU seconds (user+system) used so far by the gateway, analytics and every PostgreSQL process.
cpu() {
  local hz; hz=$(getconf CLK_TCK)
  for pid in "$gateway_pid" "$analytics_pid"; do awk -v hz="$hz" '{printf "%.2f ", ($14 + $15) / hz}' "/proc/$pid/stat"; done
  for pid in $(pgrep -x postgres); do awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null; done |
    awk -v hz="$hz" '{t += $1} END {printf "%.2f\n", t / hz}'
}
run() { # name url [body-file] -> "requests/s p50_ms p99_ms requests(warm-up included) cpu_before... cpu_after..."
  local script=scripts/bench-clients.lua
  if [ -n "${3:-}" ]; then script=scripts/bench-analytics.lua; export BENCH_BODY="$3"; fi
  wrk -t2 -c"$CONNECTIONS" -d5s -s "$script" "$2" >"$work/$1-warm.txt"
  local before; before=$(cpu)
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$2" >"$work/$1.txt"
  local after; after=$(cpu)
  read -r rps p50 p99 n < <(parse "$work/$1.txt")
  read -r _ _ _ warm < <(parse "$work/$1-warm.txt")
  echo "$rps $p50 $p99 $((n + warm)) $n $before $after"
}
stored() { psql -At "$PG/hm_bench_analytics" -c "SELECT count(*) FROM analytics_events"; }

read -r p_rps p_p50 p_p99 _ < <(run ping "$gw/api/v1/bench/ping/")
before=$(stored)
read -r s_rps s_p50 s_p99 s_n s_measured s_g0 s_a0 s_pg0 s_g1 s_a1 s_pg1 < <(run single "$gw/api/v1/analytics/events/" "$work/single.json")
after_single=$(stored)
read -r b_rps b_p50 b_p99 b_n b_measured b_g0 b_a0 b_pg0 b_g1 b_a1 b_pg1 < <(run bulk "$gw/api/v1/analytics/events/" "$work/bulk.json")
after_bulk=$(stored)

# BENCH_STORED events over the 30 days before today, in the service's own day partitions.
admin=$(curl -fs -X POST "$gw/api/v1/auth/admin/login/" -H 'Content-Type: application/json' \
  -d '{"email": "bench@hunarmitra.test", "password": "bench-password-1"}' |
  python3 -c "import json,sys; print(json.load(sys.stdin)['access'])")
load_start=$(date +%s)
per_day=$((STORED / DAYS))
for back in $(seq $DAYS -1 1); do
  day=$(date -d "$(TZ=Asia/Kolkata date +%F) -$back day" +%F)
  next=$(date -d "$day +1 day" +%F)
  part="analytics_events_${day//-/}"
  psql -q -v ON_ERROR_STOP=1 "$PG/hm_bench_analytics" <<SQL
CREATE TABLE IF NOT EXISTS $part PARTITION OF analytics_events
  FOR VALUES FROM ('$day 00:00+05:30') TO ('$next 00:00+05:30');
INSERT INTO analytics_events (id, created_at, user_id, anonymous_id, event_type, source, payload, ip_address, user_agent)
SELECT gen_random_uuid(),
       '$day 00:00+05:30'::timestamptz + ((i - 1)::float8 / $per_day) * interval '1 day',
       CASE WHEN i % 5 < 3 THEN md5('user' || (i * 7919) % 50000)::uuid END,
       CASE WHEN i % 5 >= 3 THEN 'anon-' || (i * 104729) % 200000 END,
       (ARRAY['page_view', 'page_view', 'page_view', 'service_search', 'booking_created', 'job_apply'])[1 + i % 6],
       (ARRAY['android', 'android', 'ios', 'web', 'kiosk'])[1 + i % 5],
       jsonb_build_object('page', 'home', 'service_id', (i % 40)::text),
       '10.0.0.1', 'bench'
FROM generate_series(1::bigint, $per_day) AS i;
SQL
done
psql -q "$PG/hm_bench_analytics" -c "VACUUM ANALYZE analytics_events"
load_secs=$(( $(date +%s) - load_start ))
total=$(stored)
mid=$(date -d "$(TZ=Asia/Kolkata date +%F) -15 day" +%F)
timed() { # path -> "p50_ms max_ms" over 7 calls after 1 warm-up
  curl -fs -o /dev/null -H "Authorization: Bearer $admin" "$gw$1"
  for _ in $(seq 7); do
    curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $admin" "$gw$1"
  done | sort -n | python3 -c "import sys; t=[float(x)*1000 for x in sys.stdin]; print(f'{t[3]:.1f} {t[-1]:.1f}')"
}
read -r live_p50 live_max < <(timed "/api/admin/analytics/daily-summary/?date=$mid")
summary=$(curl -fs -H "Authorization: Bearer $admin" "$gw/api/admin/analytics/daily-summary/?date=$mid")
env "${analytics_env[@]}" "$bin/hm-analytics" aggregate-daily --date "$mid" >/dev/null
read -r agg_p50 agg_max < <(timed "/api/admin/analytics/daily-summary/?date=$mid")
read -r active_p50 active_max < <(timed "/api/admin/analytics/active-users/?date=$mid")

python3 - "$p_rps" "$p_p99" "$s_rps" "$s_p50" "$s_p99" "$s_n" "$b_rps" "$b_p50" "$b_p99" "$b_n" \
  "$before" "$after_single" "$after_bulk" "$total" "$load_secs" "$mid" "$live_p50" "$live_max" \
  "$agg_p50" "$agg_max" "$active_p50" "$active_max" "$summary" "$CONNECTIONS" "$DURATION" \
  "$s_measured $s_g0 $s_a0 $s_pg0 $s_g1 $s_a1 $s_pg1" "$b_measured $b_g0 $b_a0 $b_pg0 $b_g1 $b_a1 $b_pg1" <<'PY'
import json, os, sys
a = sys.argv[1:]
p_rps, p_p99, s_rps, s_p50, s_p99 = map(float, a[0:5]); s_n = int(a[5])
b_rps, b_p50, b_p99 = map(float, a[6:9]); b_n = int(a[9])
before, after_single, after_bulk, total, load_secs = map(int, a[10:15])
mid, live_p50, live_max, agg_p50, agg_max, act_p50, act_max = a[15], *map(float, a[16:22])
summary = json.loads(a[22])
print(f"through the gateway (throttle on Redis, 100/hour per address), wrk -t2 -c{a[23]} -d{a[24]}, {os.cpu_count()} cores")
print(f"{'':34}{'requests/s':>12}{'events/s':>12}{'p50 ms':>9}{'p99 ms':>9}")
print(f"{'GET /api/v1/bench/ping/':34}{p_rps:>12.0f}{'':>12}{'':>9}{p_p99:>9.2f}")
print(f"{'single events':34}{s_rps:>12.0f}{s_rps:>12.0f}{s_p50:>9.2f}{s_p99:>9.2f}")
print(f"{'bulk, 100 events per request':34}{b_rps:>12.0f}{b_rps * 100:>12.0f}{b_p50:>9.2f}{b_p99:>9.2f}")
print(f"single events: {s_rps / p_rps:.0%} of the small endpoint (target >= 40%); "
      f"bulk: {b_rps * 100:,.0f} events/s (target >= 50,000)")
def per_request(cells):
    n, g0, a0, p0, g1, a1, p1 = map(float, cells.split())
    return f"gateway {(g1 - g0) / n * 1e6:.0f} us, analytics {(a1 - a0) / n * 1e6:.0f} us, PostgreSQL {(p1 - p0) / n * 1e6:.0f} us"
print(f"CPU per request: single {per_request(a[25])}; bulk {per_request(a[26])}")
print(f"stored: {after_single - before:,} single events for {s_n:,} 201s (warm-up included): "
      f"{after_single - before - s_n:+,} (requests wrk cut off unanswered at the end of its runs, at most 64); {after_bulk - after_single:,} bulk events for "
      f"{b_n:,} x 100 = {b_n * 100:,}: {after_bulk - after_single - b_n * 100:+,}")
print(f"{total:,} events stored ({load_secs} s to load {total - after_bulk:,} over 30 day partitions); "
      f"{mid} holds {summary['total_events']:,}")
print(f"daily-summary of {mid}: live from its partition p50 {live_p50:.1f} ms (max {live_max:.1f}); "
      f"from aggregate rows p50 {agg_p50:.1f} ms (max {agg_max:.1f}) (target <= 200 ms)")
print(f"active-users of {mid} (always live): p50 {act_p50:.1f} ms (max {act_max:.1f})")
PY
