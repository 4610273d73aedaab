#!/usr/bin/env bash
# The cluster benchmark: the gateway benchmark's load spread over a 3-node
# cluster on this machine, then the same load on one node, in the same run,
# measured by the same client (draft-loadgen). With --ports the load
# generator asks the cluster who owns each draft and splits the latency
# (outbox commit -> client receipt) into clients on the owner node and
# clients one cluster hop away. Run through `./dev bench cluster`.
#
#   scripts/bench-cluster.sh [B] [C] [F]   (default: B C; about 4 minutes)
#
# B: 1,000 drafts x 12 connections, 1 event/s per draft, 20 s
# C: 1 draft x 5,000 connections at 10 events/s, 20 s
# F: failover — B's shape at 300 drafts x 12, node 3 SIGKILLed 8 s into the
#    run and restarted 6 s later; its clients reconnect to the next node with
#    last_seq (the load generator counts reconnects, gaps, duplicates, missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DRAFT_BUILD_DIR:-$root/build}/bin
work=$root/.local/bench-cluster
pg_port=${BENCH_PG_PORT:-25433}
secret=bench-secret-that-is-at-least-32-bytes
http_ports=(9180 9181 9182)
scenarios=${*:-B C}
. "$root/scripts/bench-common.sh"

ulimit -n "$(ulimit -Hn)"
mkdir -p "$work"
node_pids=()
stop_nodes() {
  local p
  for p in "${node_pids[@]}"; do stop_pid "$p"; done
  node_pids=()
}
cleanup() {
  stop_nodes
  stop_bench_pg
}
trap cleanup EXIT

start_bench_pg
psql -d postgres -c "create database ours"
url="postgresql://postgres@127.0.0.1:$pg_port/ours"
"$bin/draft-migrate" --database-url "$url" 2>/dev/null
{
  echo "[cluster]"
  echo "heartbeat_interval = 1s"
  echo "peer_timeout = 5s"
  echo "[database]"
  echo "url = $url"
  echo "[jwt]"
  echo "secret = $secret"
  for i in 0 1 2; do
    echo "[node.n$((i + 1))]"
    echo "host = 127.0.0.1"
    echo "http_port = ${http_ports[$i]}"
    echo "cluster_port = $((9190 + i))"
  done
} >"$work/cluster.conf"

# Mutual TLS between the nodes, as in production.
"$(dirname "$0")/cluster-certs.sh" "$work/tls" n1 n2 n3

start_node() { # index
  local i=$1
  GATEWAY_CLUSTER_CONFIG=$work/cluster.conf GATEWAY_NODE_ID=n$((i + 1)) \
    GATEWAY_CLUSTER_TLS_DIR=$work/tls \
    GATEWAY_MAX_CONNECTIONS_PER_USER=100000 GATEWAY_HANDSHAKES_PER_SECOND=100000 \
    "$bin/draft-gateway" >>"$work/n$((i + 1)).log" 2>&1 &
  node_pids[$i]=$!
}

start_nodes() { # count (1: a single node, no cluster file)
  local i
  for ((i = 0; i < $1; i++)); do
    if [ "$1" = 1 ]; then
      DATABASE_URL=$url DRAFT_JWT_SECRET=$secret GATEWAY_PORT=${http_ports[0]} \
        GATEWAY_MAX_CONNECTIONS_PER_USER=100000 GATEWAY_HANDSHAKES_PER_SECOND=100000 \
        "$bin/draft-gateway" >>"$work/single.log" 2>&1 &
      node_pids[$i]=$!
    else
      start_node "$i"
    fi
  done
  for ((i = 0; i < $1; i++)); do
    wait_health "${http_ports[$i]}" || { echo "node $((i + 1)) did not start" >&2; exit 1; }
  done
}

# Scenario F: kill node 3 mid-run, restart it, let the clients move.
failover() {
  start_nodes 3
  sleep 2
  env DRAFT_JWT_SECRET=$secret DATABASE_URL=$url \
    "DRAFT_SETUP_QUERY=INSERT INTO drafts (id, type, rounds, time_per_pick_sec, team_count) VALUES (\$1, 'snake', 15, 60, 12)" \
    "$bin/draft-loadgen" --ports 9180,9181,9182 --server-pid "${node_pids[0]}" \
    --db-pid "$db_pid" --label cluster-3/F-failover --connections 3600 --drafts 300 \
    --rate 1 --warmup 2 --duration 25 >"$work/failover.json" &
  local load=$!
  sleep 10 # connecting takes about two seconds
  echo "# killing node 3 (pid ${node_pids[2]}) with SIGKILL" >&2
  kill -9 "${node_pids[2]}"
  wait "${node_pids[2]}" 2>/dev/null || true
  sleep 6
  echo "# restarting node 3" >&2
  start_node 2
  wait "$load"
  tee -a "$work/results.jsonl" <"$work/failover.json"
  stop_nodes
}

run() { # nodes label loadgen-args...
  local nodes=$1 label=$2 ports
  shift 2
  start_nodes "$nodes"
  sleep 2
  ports=$(IFS=,; echo "${http_ports[*]:0:$nodes}")
  env DRAFT_JWT_SECRET=$secret DATABASE_URL=$url \
    "DRAFT_SETUP_QUERY=INSERT INTO drafts (id, type, rounds, time_per_pick_sec, team_count) VALUES (\$1, 'snake', 15, 60, 12)" \
    "$bin/draft-loadgen" --ports "$ports" --server-pid "${node_pids[0]}" \
    --db-pid "$db_pid" --label "$label" "$@" | tee -a "$work/results.jsonl"
  stop_nodes
}

: >"$work/results.jsonl"
echo "# cluster benchmark: $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for s in $scenarios; do
  case $s in
    B)
      run 3 cluster-3/B --connections 12000 --drafts 1000 --rate 1 --warmup 5 --duration 20
      run 1 single/B --connections 12000 --drafts 1000 --rate 1 --warmup 5 --duration 20 ;;
    C)
      run 3 cluster-3/C-10 --connections 5000 --drafts 1 --rate 10 --warmup 5 --duration 20
      run 1 single/C-10 --connections 5000 --drafts 1 --rate 10 --warmup 5 --duration 20 ;;
    F) failover ;;
  esac
done
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const f = (x) => (x === undefined ? "-" : String(x));
console.log("\n| run | deliveries/s | p50 ms | p99 ms | same-node p50/p99 | cross-node p50/p99 | gaps/dup/missing | reconnects |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  const s = r.same_node_latency_ms, c = r.cross_node_latency_ms;
  console.log(`| ${r.label} | ${r.deliveries_per_s} | ${r.latency_ms.p50} | ${r.latency_ms.p99} | ` +
    `${s ? s.p50 + " / " + s.p99 : "-"} | ${c ? c.p50 + " / " + c.p99 : "-"} | ${r.gaps}/${r.duplicates}/${r.missing} | ${f(r.reconnects)} |`);
}' "$work/results.jsonl"
