#!/usr/bin/env bash
# ./dev run, then Ctrl-C (SIGINT to ./dev run): every process it started is
# gone within 15 s and PostgreSQL's port is free again.
#
# It runs in a network namespace of its own, with its own .local folder
# (DRAFT_LOCAL_DIR): ./dev run's fixed loopback ports cannot collide with a
# ./dev run the developer keeps running, and `ip netns pids` lists every
# process it started, PostgreSQL included. Needs root. Everything it makes it
# removes, also on failure; what is left is ended by pid.
#
#   tests/dev/run_stops_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
root=$1 build=$2
ns=draft-run-test-$$
work=$(mktemp -d /tmp/draft-run-test.XXXXXX)
chmod 755 "$work" # PostgreSQL runs as the postgres user

cleanup() {
  local p
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAILED: $*"
  echo "--- ./dev run output"; tail -40 "$work/run.out"
  for f in "$work"/local/logs/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -5 "$f"; }; done
  exit 1
}

ip netns add "$ns" || fail "cannot create a network namespace (root needed)"
ip netns exec "$ns" ip link set lo up

set -m # ./dev run gets its own process group, so SIGINT is not ignored
ip netns exec "$ns" env DRAFT_LOCAL_DIR="$work/local" DRAFT_BUILD_DIR="$build" \
  "$root/dev" run >"$work/run.out" 2>&1 &
run_pid=$!
set +m

for _ in $(seq 1800); do # up to 3 minutes (a first PostgreSQL initdb)
  grep -q "Ctrl-C stops everything" "$work/run.out" && break
  kill -0 "$run_pid" 2>/dev/null || fail "./dev run ended by itself"
  sleep 0.1
done
grep -q "Ctrl-C stops everything" "$work/run.out" || fail "./dev run did not come up"
# The bots connect and play: wait until the gateways count their sockets.
for _ in $(seq 300); do
  open=0
  for port in 8080 8081 8082; do
    n=$(ip netns exec "$ns" curl -s "127.0.0.1:$port/metrics" 2>/dev/null |
      awk '$1 == "gateway_connections" {print int($2)}')
    open=$((open + ${n:-0}))
  done
  [ "$open" -gt 0 ] && break
  sleep 0.1
done
[ "$open" -gt 0 ] || fail "no client connected to a gateway"
before=$(ip netns pids "$ns" | wc -l)
echo "./dev run is up with $before processes; sending SIGINT"
ip netns exec "$ns" bash -c 'echo >/dev/tcp/127.0.0.1/15432' 2>/dev/null ||
  fail "PostgreSQL was not listening on 15432"

kill -INT "$run_pid"
start=$(date +%s%N)
for _ in $(seq 150); do
  [ -z "$(ip netns pids "$ns")" ] && break
  sleep 0.1
done
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
left=$(ip netns pids "$ns")
if [ -n "$left" ]; then
  ps -o pid,args -p "$(echo $left | tr ' ' ,)"
  fail "processes still running 15 s after SIGINT"
fi
ip netns exec "$ns" bash -c 'echo >/dev/tcp/127.0.0.1/15432' 2>/dev/null &&
  fail "15432 is still open"
wait "$run_pid"
echo "all $before processes stopped ${elapsed_ms} ms after SIGINT; 15432 is free"
grep -q "stopping (Ctrl-C)" "$work/run.out" || fail "./dev run did not say it was stopping"
