#!/usr/bin/env bash
# The gateway benchmark: our gateway and the peer baseline (a Node `ws` + `pg`
# gateway, bench/peer-node beside the project) under the same load, in the
# same run, measured by the same client (draft-loadgen). Prints one JSON line
# per run and a side-by-side table with ratios. Run through `./dev bench gateway`.
#
#   scripts/bench-gateway.sh [A] [B] [C]     (default: all; about 6 minutes)
#
# A: idle memory (0 / 2,000 / 10,000 connections over 1,000 drafts)
# B: 1,000 drafts x 12 connections, 1 event/s per draft, 30 s
# C: 1 draft x 5,000 connections at 10 and 50 events/s, 20 s
# C100: the same at 100 events/s; C50x2: C-50 with two client I/O threads
# D: many connections, 10 per draft, 1 event/s per draft, 30 s: 100,000 where
#    the descriptor limit allows (each process's hard limit, less 500, here),
#    from 4 loopback source addresses (draft-loadgen --sources)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DRAFT_BUILD_DIR:-$root/build}/bin
peer_src=${PEER_DIR:-$root/../shared/bench/peer-node}
work=$root/.local/bench
pg_port=${BENCH_PG_PORT:-25432} # below the ephemeral range the clients fill
port=9080
secret=bench-secret-that-is-at-least-32-bytes
scenarios=${*:-A B C}

. "$root/scripts/bench-common.sh"

[ -d "$peer_src" ] || { echo "peer baseline not found at $peer_src (set PEER_DIR)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"
ulimit -c unlimited # a crash leaves a core in .local/bench for gdb
mkdir -p "$work"
rm -rf "$work/peer-node"
# The peer's folder is read-only: install its node modules in a copy.
cp -r "$peer_src" "$work/peer-node"
chmod -R u+w "$work/peer-node"
(cd "$work/peer-node" && npm ci --no-audit --no-fund --silent >/dev/null)

server_pid=
stop_server() {
  stop_pid "$server_pid"
  server_pid=
}
cleanup() {
  stop_server
  stop_bench_pg
}
trap cleanup EXIT

# The floor program, built here from its source beside the project.
floor_src=${FLOOR_DIR:-$root/../shared/bench/floor}
[ -f "$floor_src/floor.c" ] || { echo "floor not found at $floor_src (set FLOOR_DIR)" >&2; exit 1; }
gcc -O2 -o "$work/floor" "$floor_src/floor.c" -lpthread

start_bench_pg
psql -d postgres -c "create database peer" -c "create database ours"
psql -d peer -v ON_ERROR_STOP=1 -f "$work/peer-node/schema.sql"
ours_url="postgresql://postgres@127.0.0.1:$pg_port/ours"
peer_url="postgresql://postgres@127.0.0.1:$pg_port/peer"
"$bin/draft-migrate" --database-url "$ours_url" 2>/dev/null

start_server() { # gateway-name
  if [ "$1" = ours ]; then
    cd "$work"
    DATABASE_URL=$ours_url DRAFT_JWT_SECRET=$secret GATEWAY_PORT=$port \
      GATEWAY_MAX_CONNECTIONS_PER_USER=100000 GATEWAY_HANDSHAKES_PER_SECOND=100000 \
      "$bin/draft-gateway" >>"$work/ours.log" 2>&1 &
  else
    (cd "$work/peer-node" && DATABASE_URL=$peer_url DRAFT_JWT_SECRET=$secret PORT=$port \
      exec node server.mjs) >>"$work/peer.log" 2>&1 &
  fi
  server_pid=$!
  wait_health "$port" || { echo "$1 did not start" >&2; exit 1; }
}

# Coalescing, from our gateway's own counters over the run (a fresh process
# each run): gather writes and the frames they carried, added to the run's
# line. frames_per_write above 1 is fewer write syscalls than deliveries.
add_write_counts() {
  local metrics writes frames last
  metrics=$(curl -sf "http://127.0.0.1:$port/metrics" || true)
  writes=$(awk '$1 == "gateway_ws_writes_total" {print $2}' <<<"$metrics")
  frames=$(awk '$1 == "gateway_ws_frames_written_total" {print $2}' <<<"$metrics")
  [ -n "$writes" ] && [ -n "$frames" ] || return 0
  last=$(tail -n 1 "$work/results.jsonl")
  sed -i '$ d' "$work/results.jsonl"
  jq -c --argjson w "$writes" --argjson f "$frames" \
    '. + {ws_writes: $w, ws_frames: $f,
          frames_per_write: (if $w > 0 then (($f / $w * 100 | round) / 100) else null end)}' \
    <<<"$last" >>"$work/results.jsonl"
}

run() { # gateway label loadgen-args...
  local gateway=$1 label=$2
  shift 2
  start_server "$gateway"
  sleep 2
  local env=(DRAFT_JWT_SECRET=$secret)
  if [ "$gateway" = ours ]; then
    env+=(DATABASE_URL=$ours_url
      "DRAFT_SETUP_QUERY=INSERT INTO drafts (id, type, rounds, time_per_pick_sec, team_count) VALUES (\$1, 'snake', 15, 60, 12)")
  else
    # The peer's schema has no draft_append_event: rows go in directly.
    env+=(DATABASE_URL=$peer_url
      "INSERT_QUERY=INSERT INTO draft_outbox (event_id, draft_id, seq, event_type, payload) VALUES (\$1, \$2, \$3, 'PickMade', \$4)")
  fi
  env "${env[@]}" "$bin/draft-loadgen" --port "$port" --server-pid "$server_pid" \
    --db-pid "$db_pid" --label "$gateway/$label" "$@" | tee -a "$work/results.jsonl"
  [ "$gateway" = ours ] && add_write_counts
  stop_server
  # The floor beside every load run of ours: one bare send() per frame, same
  # connection count, same frame size (../shared/bench/floor).
  if [ "$gateway" = ours ] && [ "${label#A}" = "$label" ]; then
    local line connections frame
    line=$(tail -n 1 "$work/results.jsonl")
    connections=$(jq -r .connections <<<"$line")
    frame=$(jq -r .frame_bytes <<<"$line")
    # Each floor connection is two descriptors (both ends in one process):
    # past the descriptor limit it measures fewer sockets (it says how many).
    local most=$((($(ulimit -Hn) - 256) / 2))
    [ "$connections" -gt "$most" ] && connections=$most
    "$work/floor" send "$connections" 20 "$frame" |
      jq -c --arg l "floor/$label" '. + {"label": $l}' | tee -a "$work/results.jsonl"
  fi
}

: >"$work/results.jsonl"
echo "# gateway benchmark: $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for s in $scenarios; do
  for gateway in ours peer; do
    case $s in
      A)
        run $gateway A-idle-0 --connections 0 --drafts 1 --hold 5
        run $gateway A-idle-2000 --connections 2000 --drafts 1000 --hold 5
        run $gateway A-idle-10000 --connections 10000 --drafts 1000 --hold 5 ;;
      B)
        run $gateway B-drafts --connections 12000 --drafts 1000 --rate 1 --warmup 5 --duration 30 ;;
      C)
        run $gateway C-fanout-10 --connections 5000 --drafts 1 --rate 10 --warmup 5 --duration 20
        run $gateway C-fanout-50 --connections 5000 --drafts 1 --rate 50 --warmup 5 --duration 20 ;;
      C100)
        run $gateway C-fanout-100 --connections 5000 --drafts 1 --rate 100 --warmup 5 --duration 20 ;;
      C50x2)
        # C-50 with a load generator of two I/O threads: whether the
        # single-threaded client or the server limits C-50 here.
        run $gateway C-fanout-50-x2 --connections 5000 --drafts 1 --rate 50 --warmup 5 --duration 20 --threads 2 ;;
      D)
        many=$(($(ulimit -Hn) - 500))
        [ "$many" -gt 100000 ] && many=100000
        run $gateway D-many --connections "$many" --drafts $((many / 10)) --rate 1 \
          --warmup 5 --duration 30 --sources 4 ;;
    esac
  done
done
node "$root/scripts/bench-summary.mjs" "$work/results.jsonl"
