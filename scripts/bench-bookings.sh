#!/usr/bin/env bash
# `make bench-bookings`: booking creations through the gateway (issue #6): 32 signed-in customers,
# wrk (2 threads, 32 connections, 15 s after a 5 s warm-up) POSTing /api/v1/bookings/ through the real
# gateway (token verified, user throttle on Redis with a bench-sized limit) to jobs (validation, the
# cash-first rule, one transaction with the booking and its outbox event), whose relay publishes every
# event to RabbitMQ with confirms. Prints bookings/s, latency, and the outbox lag (commit → broker
# confirm) measured from the outbox rows themselves. Release builds, fresh benchmark databases.
# Target: 2,000 bookings/s, p99 < 50 ms, outbox lag p99 < 100 ms.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${BENCH_DURATION:-15s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
IDENTITY_PORT=18101 JOBS_PORT=18104 GATEWAY_PORT=18000
PG="postgres://postgres@127.0.0.1:5432"
export LOG_JSON=true EVENTS_EXCHANGE="bench.$$.events"

scripts/dev-infra.sh >/dev/null
if ! command -v wrk >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
cargo build --release -q -p hm-identity -p hm-jobs -p hm-gateway --bin hm-identity --bin hm-jobs --bin hm-gateway
bin="${CARGO_TARGET_DIR:-target}/release"

work="$(mktemp -d)"
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"$bin/hm-identity" gen-key >"$work/jwt.pem"
for db in hm_bench_identity hm_bench_jobs; do
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
done
identity_env=(DATABASE_URL="$PG/hm_bench_identity" JWT_PRIVATE_KEY_FILE="$work/jwt.pem" DEBUG=true
  EVENTS_QUEUE="bench.$$.identity.events" REDIS_KEY_PREFIX="bench:$$:identity:")
jobs_env=(DATABASE_URL="$PG/hm_bench_jobs" DEBUG=false EVENTS_QUEUE="bench.$$.jobs.events"
  REDIS_KEY_PREFIX="bench:$$:jobs:" JWKS_URL="http://127.0.0.1:$IDENTITY_PORT/.well-known/jwks.json")
env "${identity_env[@]}" "$bin/hm-identity" migrate >/dev/null
env "${jobs_env[@]}" "$bin/hm-jobs" migrate >/dev/null
service=$(python3 -c "import uuid; print(uuid.uuid4())")
psql -q "$PG/hm_bench_jobs" -c "INSERT INTO service_refs (id, slug, name, title_en) VALUES ('$service', 'plumbing', 'Plumbing', 'Plumbing')"

env "${identity_env[@]}" PORT=$IDENTITY_PORT HOST=127.0.0.1 "$bin/hm-identity" serve >/dev/null 2>&1 &
pids+=($!)
env "${jobs_env[@]}" PORT=$JOBS_PORT HOST=127.0.0.1 HTTP_WORKERS=2 DB_POOL_SIZE=16 "$bin/hm-jobs" serve >/dev/null 2>&1 &
pids+=($!)
PORT=$GATEWAY_PORT HOST=127.0.0.1 HTTP_WORKERS=2 REDIS_KEY_PREFIX="gw:bench:$$:" THROTTLE_USER=1000000000/hour \
  UPSTREAM_IDENTITY_URL="http://127.0.0.1:$IDENTITY_PORT" UPSTREAM_JOBS_URL="http://127.0.0.1:$JOBS_PORT" \
  JWKS_URL="http://127.0.0.1:$IDENTITY_PORT/.well-known/jwks.json" "$bin/hm-gateway" >/dev/null 2>&1 &
pids+=($!)
for port in $IDENTITY_PORT $JOBS_PORT $GATEWAY_PORT; do
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done

# 32 customers sign in by OTP through the gateway (each from its own address, as phones would).
gw="http://127.0.0.1:$GATEWAY_PORT"
for i in $(seq -w 1 32); do
  otp=$(curl -fs -X POST "$gw/api/v1/auth/request-otp/" -H "X-Forwarded-For: 10.9.0.$i" \
    -H 'Content-Type: application/json' -d "{\"phone\": \"+9190000100$i\", \"role\": \"employer\"}")
  rid=$(echo "$otp" | python3 -c "import json,sys; print(json.load(sys.stdin)['request_id'])")
  code=$(echo "$otp" | python3 -c "import json,sys; print(json.load(sys.stdin)['dev_otp'])")
  curl -fs -X POST "$gw/api/v1/auth/verify-otp/" -H 'Content-Type: application/json' \
    -d "{\"request_id\": \"$rid\", \"otp\": \"$code\"}" |
    python3 -c "import json,sys; print(json.load(sys.stdin)['access'])" >>"$work/tokens"
done

cat >"$work/book.lua" <<LUA
local tokens = {}
for line in io.lines("$work/tokens") do tokens[#tokens + 1] = line end
local n = math.random(1, #tokens)
local body = '{"service": "$service", "address": "123 Main St", "payment_method": "online", "notes": "Urgent"}'
request = function()
  n = n % #tokens + 1
  return wrk.format("POST", nil, {["Authorization"] = "Bearer " .. tokens[n],
    ["Content-Type"] = "application/json"}, body)
end
LUA
url="$gw/api/v1/bookings/"
curl -fs -X POST "$url" -H "Authorization: Bearer $(head -1 "$work/tokens")" -H 'Content-Type: application/json' \
  -d "{\"service\": \"$service\", \"address\": \"x\", \"payment_method\": \"online\"}" |
  python3 -c "import json,sys; d=json.load(sys.stdin); assert d['payment_method'] == 'cash', d"

wrk -t2 -c"$CONNECTIONS" -d5s -s "$work/book.lua" "$url" >/dev/null
start=$(psql -At "$PG/hm_bench_jobs" -c "SELECT now()")
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/book.lua" "$url" | tee "$work/wrk.txt"
sleep 3 # the relay drains what the last requests wrote
lag=$(psql -At "$PG/hm_bench_jobs" -c "
  SELECT count(*) || ' events, ' || count(*) FILTER (WHERE published_at IS NULL) || ' unpublished; lag p50 '
         || round(1000 * extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY published_at - created_at))::numeric, 1)
         || ' ms, p99 '
         || round(1000 * extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY published_at - created_at))::numeric, 1)
         || ' ms, max '
         || round(1000 * extract(epoch FROM max(published_at - created_at))::numeric, 1) || ' ms'
  FROM outbox WHERE event_type = 'jobs.booking.created' AND created_at >= '$start'")
python3 - "$work/wrk.txt" "$lag" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = re.search(r"50%\s+([\d.]+\w+)", text).group(1)
p99 = re.search(r"99%\s+([\d.]+\w+)", text).group(1)
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"bookings through the gateway: {rps:.0f}/s (target 2,000), latency p50 {p50}, p99 {p99} (target < 50 ms), "
      f"non-2xx: {bad.group(1) if bad else 0}")
print(f"outbox (jobs.booking.created): {sys.argv[2]} (target p99 < 100 ms)")
PY
for db in hm_bench_identity hm_bench_jobs; do
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
done
