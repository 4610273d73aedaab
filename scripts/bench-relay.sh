#!/usr/bin/env bash
# The relay benchmark: PostgreSQL -> JetStream (a real nats-server -js,
# PubAck awaited, deduplicated by event id), through outbox-relay as it
# ships. Run through `./dev bench relay`. Prints one JSON line per run:
#
#   baseline         the same rows published by jetstream-baseline (one
#                    SELECT, async publishes, one wait for the PubAcks): the
#                    ceiling of broker and client library, no claim, no mark
#   poll-1, poll-3   a backlog of $events rows over $drafts drafts drained by
#                    1 or 3 relays in polling mode
#   realtime-1/-3    the same backlog in real-time mode (LISTEN/NOTIFY)
#   latency-1000     real-time mode, 1 relay, a writer committing 1,000 rows/s
#                    one per transaction: commit -> marked sent (after the PubAck)
#
# events_per_s = rows / (last sent_at - first sent_at), from the database's
# own clock. p50_ms / p99_ms: sent_at - created_at per row (for a backlog
# that is mostly waiting in the queue; it is the latency only in
# latency-1000). Every run also checks: the stream holds exactly one message
# per row, and no draft's rows were marked sent out of seq order.
#
#   scripts/bench-relay.sh [events] [drafts]      (default 20000 2000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DRAFT_BUILD_DIR:-$root/build}/bin
work=$root/.local/bench-relay
pg_port=${BENCH_PG_PORT:-25433}
nats_port=${BENCH_NATS_PORT:-24222}
nats_monitor=$((nats_port + 1))
events=${1:-20000}
drafts=${2:-2000}
db_url="postgresql://postgres@127.0.0.1:$pg_port/relay"
subject=draft.events
stream=DRAFT_EVENTS

. "$root/scripts/bench-common.sh"

mkdir -p "$work"
nats_pid=
relay_pids=()
stop_relays() {
  local p
  for p in "${relay_pids[@]}"; do stop_pid "$p"; done
  relay_pids=()
}
cleanup() {
  stop_relays
  stop_pid "$nats_pid"
  stop_bench_pg
}
trap cleanup EXIT

# A fresh JetStream store for every run: no deduplication window carried over.
fresh_nats() {
  stop_pid "$nats_pid"
  rm -rf "$work/nats"
  /usr/sbin/nats-server -js -a 127.0.0.1 -p "$nats_port" -m "$nats_monitor" -sd "$work/nats" \
    >>"$work/nats.log" 2>&1 &
  nats_pid=$!
  for _ in $(seq 100); do curl -sf "127.0.0.1:$nats_monitor/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "nats-server did not start (see $work/nats.log)" >&2
  exit 1
}

sql() { psql -d relay -tAc "$1"; }

# The payload of a DraftPaused row for draft column d (valid for the relay's
# seed envelope).
payload="jsonb_build_object('draft_id', d.id, 'paused_at', '2023-12-01T10:07:00Z',
  'pick_id', gen_random_uuid(), 'overall_pick', 1, 'time_remaining_sec', 41)"

seed_backlog() {
  sql "TRUNCATE draft_outbox; DELETE FROM drafts;" >/dev/null
  sql "INSERT INTO drafts (id, type, rounds, time_per_pick_sec, team_count)
       SELECT gen_random_uuid(), 'snake', 15, 60, 12 FROM generate_series(1, $drafts)" >/dev/null
  sql "SELECT count(draft_append_event(d.id, gen_random_uuid(), 'DraftPaused', $payload))
       FROM generate_series(1, $((events / drafts))) AS k, drafts d" >/dev/null
}

start_relays() { # mode count
  local i
  for i in $(seq "$2"); do
    env DATABASE_URL="$db_url" PUBLISHER_TYPE=jetstream NATS_URL="nats://127.0.0.1:$nats_port" \
      RELAY_MODE="$1" OUTBOX_POLL_INTERVAL=100ms FALLBACK_INTERVAL=1s RELAY_BATCH_SIZE=${BENCH_RELAY_BATCH:-2000} \
      ENABLE_METRICS=false ENABLE_HEALTH_CHECK=false DRAFT_LOG_LEVEL=warn \
      "$bin/outbox-relay" >>"$work/relay-$1-$i.log" 2>&1 &
    relay_pids+=("$!")
  done
}

wait_drained() {
  for _ in $(seq 3000); do
    [ "$(sql "SELECT count(*) FROM draft_outbox WHERE sent_at IS NULL")" = 0 ] && return 0
    sleep 0.1
  done
  echo "the outbox was not drained within 300 s" >&2
  exit 1
}

stream_messages() {
  curl -sf "127.0.0.1:$nats_monitor/jsz?streams=true" |
    jq '[.account_details[]?.stream_detail[]? | select(.name == "'$stream'") | .state.messages] | add // 0'
}

# One JSON line from the database's view of the run.
report() { # label
  local row
  row=$(sql "SELECT count(*),
      round((count(*) / greatest(extract(epoch from max(sent_at) - min(sent_at)), 0.001))::numeric),
      round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch from sent_at - created_at) * 1000))::numeric, 2),
      round((percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch from sent_at - created_at) * 1000))::numeric, 2),
      round((max(extract(epoch from sent_at - created_at)) * 1000)::numeric, 2)
    FROM draft_outbox")
  local disorder
  disorder=$(sql "SELECT count(*) FROM (SELECT sent_at < lag(sent_at) OVER (PARTITION BY draft_id ORDER BY seq) AS bad
                  FROM draft_outbox) x WHERE bad")
  IFS='|' read -r n rate p50 p99 max <<<"$row"
  printf '{"label":"%s","events":%s,"events_per_s":%s,"p50_ms":%s,"p99_ms":%s,"max_ms":%s,"stream_messages":%s,"order_violations":%s}\n' \
    "$1" "$n" "$rate" "$p50" "$p99" "$max" "$(stream_messages)" "$disorder" | tee -a "$work/results.jsonl"
}

backlog_run() { # mode count
  fresh_nats
  seed_backlog
  start_relays "$1" "$2"
  wait_drained
  stop_relays
  report "$([ "$1" = polling ] && echo poll || echo realtime)-$2"
}

latency_run() { # rate seconds
  fresh_nats
  sql "TRUNCATE draft_outbox" >/dev/null
  start_relays realtime 1
  sleep 2 # connected and listening
  local n=$(($1 * $2))
  # One row per transaction, paced by the clock (COMMIT inside DO: PG 11+).
  psql -d relay -c "DO \$\$
    DECLARE ids uuid[]; t0 timestamptz := clock_timestamp(); d record;
    BEGIN
      SELECT array_agg(id) INTO ids FROM drafts;
      FOR i IN 0..$((n - 1)) LOOP
        SELECT ids[1 + i % array_length(ids, 1)] AS id INTO d;
        PERFORM draft_append_event(d.id, gen_random_uuid(), 'DraftPaused', $payload);
        COMMIT;
        PERFORM pg_sleep(greatest(0, extract(epoch from t0 + i * interval '$((1000000 / $1)) microseconds'
                                                   - clock_timestamp())));
      END LOOP;
    END \$\$" >/dev/null
  wait_drained
  stop_relays
  report "latency-$1"
}

: >"$work/results.jsonl"
echo "# relay benchmark: $(date -u +%FT%TZ), $(nproc) cores, $events events over $drafts drafts," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
start_bench_pg
psql -d postgres -c "create database relay"
"$bin/draft-migrate" --database-url "$db_url" >/dev/null 2>&1

fresh_nats
seed_backlog
"$bin/jetstream-baseline" "$db_url" "nats://127.0.0.1:$nats_port" "$stream" "$subject" | tee -a "$work/results.jsonl"
for mode in polling realtime; do
  for count in 1 3; do backlog_run "$mode" "$count"; done
done
latency_run 1000 10
