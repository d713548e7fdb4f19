#!/usr/bin/env bash
# `make bench-bookings`: booking creations through the gateway (issues #6, #20), in three rounds of one run.
#
# 1. Through the gateway: 32 signed-in customers, wrk (2 threads, 32 connections, 15 s after a 5 s warm-up)
#    POSTing /api/v1/bookings/ through the real gateway (token verified, user throttle on Redis with a
#    bench-sized limit) to jobs (validation, the cash-first rule, one statement writing the booking and its
#    outbox event), whose relay publishes every event to RabbitMQ with confirms. Prints bookings/s, latency,
#    and the outbox lag (commit → broker confirm) measured from the outbox rows themselves.
# 2. The database's own limit: pgbench (32 clients, 2 threads, the same duration, after the same warm-up)
#    running exactly the statement jobs sends for one booking (printed by hm-jobs' `booking_statement`
#    example) against the same database while jobs and its relay run, and the gateway's rate as a share
#    of it. Where jobs binds values pgbench cannot make (uuids, a timestamp) the server makes them:
#    `gen_random_uuid()` for the booking's and the event's ids, `now()` for the event's time, the customer
#    one of the 32 of round 1 (`\set`); the rest are the values round 1 sent.
# 3. Faults at full load: notifications (which consumes jobs.booking.created: a timeline entry and an
#    in-app notification per booking) joins, on a queue emptied of the earlier rounds' events; wrk runs
#    again while RabbitMQ is stopped for 10 s and then Redis is restarted (as scripts/dev-infra.sh starts
#    it: it keeps nothing). Once the relay and the consumer are done, it prints the bookings created, and
#    for those the outbox events, timeline entries and notifications found: every one exactly once, and
#    the bench's dead-letter queues empty, else it exits 1.
#
# Release builds (BENCH_PROFILE=debug for a quick check of the script itself), fresh benchmark databases.
# Targets: 2,000 bookings/s, p99 < 50 ms, through the gateway >= 85 % of pgbench's rate, outbox lag
# p99 <= 100 ms. The fault round stops and restarts the shared RabbitMQ and Redis: run it alone.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${BENCH_DURATION:-15s}"
FAULT_DURATION="${BENCH_FAULT_DURATION:-45s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
PROFILE="${BENCH_PROFILE:-release}"
IDENTITY_PORT=18101 JOBS_PORT=18104 NOTIFICATIONS_PORT=18105 GATEWAY_PORT=18000
PG="postgres://postgres@127.0.0.1:5432"
DATABASES=(hm_bench_identity hm_bench_jobs hm_bench_notifications)
export LOG_JSON=true EVENTS_EXCHANGE="bench.$$.events"

case "$PROFILE" in
  release) profile_flag=(--release) ;;
  debug) profile_flag=() ;;
  *) echo "bench-bookings: BENCH_PROFILE is release or debug, not $PROFILE" >&2; exit 2 ;;
esac
# wrk's and pgbench's durations in whole seconds (`15s`, `1m`, `20`).
seconds() {
  case "$1" in
    *m) echo $((${1%m} * 60)) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

scripts/dev-infra.sh >/dev/null
if ! command -v wrk >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
if ! command -v pgbench >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq postgresql-client) >/dev/null
fi
cargo build "${profile_flag[@]}" -q -p hm-identity -p hm-jobs -p hm-gateway -p hm-notifications \
  --bin hm-identity --bin hm-jobs --bin hm-gateway --bin hm-notifications --example booking_statement
bin="${CARGO_TARGET_DIR:-target}/$PROFILE"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
rabbitmq_start() { rabbitmqctl start_app >/dev/null && timeout 120 rabbitmqctl await_startup >/dev/null; }
# Exactly as scripts/dev-infra.sh starts it.
redis_start() {
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 100); do port_open 6379 && return; sleep 0.1; done
}
# Another benchmark on these ports would answer in our services' place.
for port in $IDENTITY_PORT $JOBS_PORT $NOTIFICATIONS_PORT $GATEWAY_PORT; do
  if port_open "$port"; then
    echo "bench-bookings: port $port is in use (another benchmark running?)" >&2
    exit 1
  fi
done

work="$(mktemp -d)"
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  # A fault round cut short leaves the shared servers as it found them.
  port_open 5672 || rabbitmq_start || true
  port_open 6379 || redis_start || true
  for queue in $(rabbitmqctl list_queues -q name 2>/dev/null | grep "^bench\.$$\." || true); do
    rabbitmqctl delete_queue -q "$queue" </dev/null >/dev/null || true
  done
  for db in "${DATABASES[@]}"; do
    psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
"$bin/hm-identity" gen-key >"$work/jwt.pem"
for db in "${DATABASES[@]}"; do
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
done
jwks="http://127.0.0.1:$IDENTITY_PORT/.well-known/jwks.json"
identity_env=(DATABASE_URL="$PG/hm_bench_identity" JWT_PRIVATE_KEY_FILE="$work/jwt.pem" DEBUG=true
  EVENTS_QUEUE="bench.$$.identity.events" REDIS_KEY_PREFIX="bench:$$:identity:")
jobs_env=(DATABASE_URL="$PG/hm_bench_jobs" DEBUG=false EVENTS_QUEUE="bench.$$.jobs.events"
  REDIS_KEY_PREFIX="bench:$$:jobs:" JWKS_URL="$jwks")
notifications_env=(DATABASE_URL="$PG/hm_bench_notifications" DEBUG=false SMS_PROVIDER=dev
  EVENTS_QUEUE="bench.$$.notifications.events" REDIS_KEY_PREFIX="bench:$$:notifications:" JWKS_URL="$jwks")
env "${identity_env[@]}" "$bin/hm-identity" migrate >/dev/null
env "${jobs_env[@]}" "$bin/hm-jobs" migrate >/dev/null
env "${notifications_env[@]}" "$bin/hm-notifications" migrate >/dev/null
service=$(python3 -c "import uuid; print(uuid.uuid4())")
psql -q "$PG/hm_bench_jobs" -c "INSERT INTO service_refs (id, slug, name, title_en) VALUES ('$service', 'plumbing', 'Plumbing', 'Plumbing')"

wait_healthy() {
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done
}
env "${identity_env[@]}" PORT=$IDENTITY_PORT HOST=127.0.0.1 "$bin/hm-identity" serve >/dev/null 2>&1 &
pids+=($!)
env "${jobs_env[@]}" PORT=$JOBS_PORT HOST=127.0.0.1 HTTP_WORKERS=2 DB_POOL_SIZE=16 "$bin/hm-jobs" serve >/dev/null 2>&1 &
pids+=($!)
PORT=$GATEWAY_PORT HOST=127.0.0.1 HTTP_WORKERS=2 REDIS_KEY_PREFIX="gw:bench:$$:" THROTTLE_USER=1000000000/hour \
  UPSTREAM_IDENTITY_URL="http://127.0.0.1:$IDENTITY_PORT" UPSTREAM_JOBS_URL="http://127.0.0.1:$JOBS_PORT" \
  JWKS_URL="$jwks" "$bin/hm-gateway" >/dev/null 2>&1 &
pids+=($!)
for port in $IDENTITY_PORT $JOBS_PORT $GATEWAY_PORT; do wait_healthy "$port"; done

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

address="123 Main St" notes="Urgent"
cat >"$work/book.lua" <<LUA
local tokens = {}
for line in io.lines("$work/tokens") do tokens[#tokens + 1] = line end
local n = math.random(1, #tokens)
local body = '{"service": "$service", "address": "$address", "payment_method": "online", "notes": "$notes"}'
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

# The outbox lag (commit → broker confirm) of the events created since $1 (a database timestamp).
lag_since() {
  psql -At "$PG/hm_bench_jobs" -c "
    SELECT count(*) || ' events, ' || count(*) FILTER (WHERE published_at IS NULL) || ' unpublished; lag p50 '
           || round(1000 * extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY published_at - created_at))::numeric, 1)
           || ' ms, p99 '
           || round(1000 * extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY published_at - created_at))::numeric, 1)
           || ' ms, max '
           || round(1000 * extract(epoch FROM max(published_at - created_at))::numeric, 1) || ' ms'
    FROM outbox WHERE event_type = 'jobs.booking.created' AND created_at >= '$1'"
}
db_now() { psql -At "$PG/hm_bench_jobs" -c "SELECT now()"; }
# Waits until the relay has published every event (at most $1 seconds); the seconds it took.
drained() {
  local start=$SECONDS
  while (($(psql -At "$PG/hm_bench_jobs" -c "SELECT count(*) FROM outbox WHERE published_at IS NULL") > 0)); do
    ((SECONDS - start < $1)) || break
    sleep 0.5
  done
  echo $((SECONDS - start))
}

# Round 1: through the gateway.
wrk -t2 -c"$CONNECTIONS" -d5s -s "$work/book.lua" "$url" >/dev/null
start=$(db_now)
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/book.lua" "$url" | tee "$work/wrk.txt"
sleep 3 # the relay drains what the last requests wrote
lag=$(lag_since "$start")

# Round 2: the same statement with pgbench, as the database's own limit.
customers=$(psql -At "$PG/hm_bench_jobs" -c "SELECT string_agg(DISTINCT user_id::text, ',') FROM bookings")
envelope=$(psql -At "$PG/hm_bench_jobs" -c "SELECT envelope::text FROM outbox ORDER BY created_at DESC LIMIT 1")
"$bin/examples/booking_statement" | python3 -c '
import re, sys
# Parameter n of store::bookings::CREATE → what pgbench sends in its place.
values = {1: "gen_random_uuid()", 2: "(:customers::uuid[])[:customer]", 3: ":service", 4: ":address",
          5: "NULL", 6: "NULL", 7: "NULL", 8: ":notes", 9: "NULL", 10: ":method", 11: ":payment_status",
          12: ":payment_note", 13: "gen_random_uuid()", 14: ":event_type", 15: ":envelope", 16: "now()"}
sql = sys.stdin.read().strip()
assert max(int(n) for n in re.findall(r"\$(\d+)", sql)) == len(values), "the statement changed: update this map"
sql = re.sub(r"\$(\d+)", lambda m: values[int(m.group(1))], sql)
print("\\set customer random(1, :ncustomers)")
# pgbench reads one SQL command up to its terminating semicolon, across lines.
print(sql + ";")
' >"$work/book.sql"
pgbench_run() {
  pgbench -n -M prepared -c "$CONNECTIONS" -j 2 -T "$1" -f "$work/book.sql" \
    -D customers="{$customers}" -D ncustomers="$(echo "$customers" | tr ',' '\n' | wc -l)" -D service="$service" -D address="$address" -D notes="$notes" \
    -D method=cash -D payment_status=n/a -D payment_note="Online payments disabled - auto-converted to cash" \
    -D event_type=jobs.booking.created -D envelope="$envelope" "$PG/hm_bench_jobs"
}
pgbench_run 5 >/dev/null
pg_start=$(db_now)
pgbench_run "$(seconds "$DURATION")" >"$work/pgbench.txt"
sleep 3
pg_lag=$(lag_since "$pg_start")

python3 - "$work/wrk.txt" "$lag" "$work/pgbench.txt" "$pg_lag" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = re.search(r"50%\s+([\d.]+\w+)", text).group(1)
p99 = re.search(r"99%\s+([\d.]+\w+)", text).group(1)
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
pg = open(sys.argv[3]).read()
tps = float(re.search(r"tps = ([\d.]+)", pg).group(1))
pg_latency = re.search(r"latency average = ([\d.]+ \w+)", pg).group(1)
failed = re.search(r"number of failed transactions: (\d+)", pg)
print(f"bookings through the gateway: {rps:.0f}/s (target 2,000), latency p50 {p50}, p99 {p99} (target < 50 ms), "
      f"non-2xx: {bad.group(1) if bad else 0}")
print(f"outbox (jobs.booking.created): {sys.argv[2]} (target p99 <= 100 ms)")
print(f"database's own limit (pgbench, the same statement, same clients and duration): {tps:.0f} bookings/s, "
      f"latency avg {pg_latency}, failed: {failed.group(1) if failed else 0}; relay under it: {sys.argv[4]}")
print(f"through the gateway / database's own limit: {100 * rps / tps:.0f} % (target >= 85 %)")
PY

# Round 3: faults at full load, with the consumer of the bookings' events. It starts on an empty queue:
# the events of rounds 1 and 2 (not counted here) are purged once the relay has published them all.
drained 120 >/dev/null
rabbitmqctl purge_queue -q "bench.$$.notifications.events" >/dev/null
env "${notifications_env[@]}" PORT=$NOTIFICATIONS_PORT HOST=127.0.0.1 HTTP_WORKERS=1 "$bin/hm-notifications" serve \
  >/dev/null 2>&1 &
pids+=($!)
wait_healthy $NOTIFICATIONS_PORT
fault_start=$(db_now)
wrk -t2 -c"$CONNECTIONS" -d"$FAULT_DURATION" -s "$work/book.lua" "$url" >"$work/fault-wrk.txt" &
load=$!
round=$SECONDS
sleep 3
rabbitmqctl stop_app >/dev/null
stopped=$((SECONDS - round))
sleep 10
rabbitmq_start
back=$((SECONDS - round))
redis-cli -p 6379 shutdown nosave >/dev/null 2>&1 || true
for _ in $(seq 100); do port_open 6379 || break; sleep 0.1; done
redis_start
restarted=$((SECONDS - round))
wait "$load"
ended=$((SECONDS - round))
if ((restarted >= ended)); then
  echo "bench-bookings: the faults outlasted the load (${ended} s); raise BENCH_FAULT_DURATION" >&2
  exit 1
fi
drain=$(drained 120)

# The fault round's bookings, and what notifications made of their events.
psql -At "$PG/hm_bench_jobs" -c "COPY (SELECT id FROM bookings WHERE created_at >= '$fault_start') TO STDOUT" \
  >"$work/fault-bookings"
psql -q "$PG/hm_bench_notifications" -c "CREATE TABLE bench_bookings (id uuid PRIMARY KEY)" \
  -c "\\copy bench_bookings FROM '$work/fault-bookings'"
downstream() {
  psql -At -F ' ' "$PG/hm_bench_notifications" -c "
    WITH timeline AS (SELECT b.id, count(t.id) AS n FROM bench_bookings b
                      LEFT JOIN timeline_events t ON t.booking_id = b.id GROUP BY b.id),
         notified AS (SELECT b.id, count(n.id) AS n FROM bench_bookings b
                      LEFT JOIN notifications n ON n.data->>'booking_id' = b.id::text GROUP BY b.id)
    SELECT (SELECT count(*) FILTER (WHERE n = 1) FROM timeline), (SELECT count(*) FILTER (WHERE n = 0) FROM timeline),
           (SELECT count(*) FILTER (WHERE n > 1) FROM timeline), (SELECT count(*) FILTER (WHERE n = 1) FROM notified),
           (SELECT count(*) FILTER (WHERE n = 0) FROM notified), (SELECT count(*) FILTER (WHERE n > 1) FROM notified)"
}
# Notifications works through its backlog: waited for as long as it makes progress (30 s without any is
# the end of it).
progress=$SECONDS last=-1
while true; do
  read -r timeline_once timeline_lost timeline_doubled notified_once notified_lost notified_doubled < <(downstream)
  ((timeline_lost + notified_lost > 0)) || break
  if ((timeline_once + notified_once != last)); then
    last=$((timeline_once + notified_once)) progress=$SECONDS
  fi
  ((SECONDS - progress < 30)) || break
  sleep 1
done
caught_up=$((SECONDS - round - ended))
events=$(psql -At -F ' ' "$PG/hm_bench_jobs" -c "
  WITH per AS (SELECT b.id, count(o.id) AS n, count(o.id) FILTER (WHERE o.published_at IS NULL) AS unpublished
               FROM bookings b LEFT JOIN outbox o ON o.event_type = 'jobs.booking.created'
                    AND o.envelope->'data'->>'booking_id' = b.id::text
               WHERE b.created_at >= '$fault_start' GROUP BY b.id)
  SELECT count(*), count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n = 0), count(*) FILTER (WHERE n > 1),
         coalesce(sum(unpublished), 0) FROM per")
read -r rows events_once events_lost events_doubled unpublished <<<"$events"
dead=$(rabbitmqctl list_queues -q name messages 2>/dev/null | awk -v prefix="bench.$$." \
  'index($1, prefix) == 1 && $1 ~ /\.dlq$/ { printf "%s%s: %s", sep, substr($1, length(prefix) + 1), $2; sep = ", "; total += $2 }
   END { printf " (%d in all)", total }')
dead_total=$(echo "$dead" | sed -E 's/.*\(([0-9]+) in all\)$/\1/')
python3 - "$work/fault-wrk.txt" "$rows" "$stopped" "$back" "$restarted" "$ended" "$drain" "$caught_up" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
requests = int(re.search(r"(\d+) requests in", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
bad = int(bad.group(1)) if bad else 0
errors = re.search(r"Socket errors: (.*)", text)
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
stopped, back, restarted, ended, drain, caught_up = sys.argv[3:9]
print(f"fault round: {rps:.0f} bookings/s through the gateway for {ended} s; RabbitMQ stopped at {stopped} s, "
      f"back at {back} s; Redis restarted at {restarted} s; after the load the relay had published everything "
      f"in {drain} s, notifications had handled it in {caught_up} s")
print(f"bookings created: {sys.argv[2]} rows in jobs' database, {requests - bad} 201s seen by wrk "
      f"(non-2xx: {bad}{', socket errors: ' + errors.group(1) if errors else ''})")
PY
echo "  their jobs.booking.created events: $events_once once, $events_lost lost, $events_doubled doubled, $unpublished unpublished"
echo "  timeline entries (notifications): $timeline_once once, $timeline_lost lost, $timeline_doubled doubled"
echo "  in-app notifications (notifications): $notified_once once, $notified_lost lost, $notified_doubled doubled"
echo "  dead-letter queues: $dead"
ok201=$(python3 -c "
import re, sys
t = open('$work/fault-wrk.txt').read()
bad = re.search(r'Non-2xx or 3xx responses: (\d+)', t)
print(int(re.search(r'(\d+) requests in', t).group(1)) - (int(bad.group(1)) if bad else 0))")
if ((rows < ok201 || events_lost + events_doubled + unpublished > 0 || timeline_lost + timeline_doubled > 0 ||
  notified_lost + notified_doubled > 0 || dead_total > 0)); then
  echo "bench-bookings: the fault round lost or doubled something" >&2
  exit 1
fi
echo "fault round: 0 lost, 0 doubled, dead-letter queues empty"
