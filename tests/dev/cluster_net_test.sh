#!/usr/bin/env bash
# The cluster test bed (tests/support/cluster_net.sh) does what it says:
# hosts reach each other and the root namespace; `cut` isolates a node from
# its peers but not from its clients or PostgreSQL's host; `deaf` is one
# way; `nodb` cuts PostgreSQL's host only; `heal` restores; `down` leaves
# nothing behind. TCP probes against small servers inside the namespaces.
# Needs root; removes what it made, also on failure.
#
#   tests/dev/cluster_net_test.sh SOURCE_DIR
set -uo pipefail
bed="$1/tests/support/cluster_net.sh"
export CLUSTER_NET_PREFIX=dgt$$ CLUSTER_NET_SUBNET=10.78.0
p=$CLUSTER_NET_PREFIX

cleanup() {
  local pid ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^$p-"); do
    for pid in $(ip netns pids "$ns"); do kill -KILL "$pid" 2>/dev/null; done
  done
  "$bed" down
}
trap cleanup EXIT

fail() { echo "FAILED: $*"; exit 1; }

"$bed" up 2 || fail "up"
# A listener in each host on port 7000 (python's http.server, stopped by pid).
for host in db n1 n2; do
  ip netns exec "$p-$host" python3 -m http.server --bind "$("$bed" addr "$host")" 7000 \
    >/dev/null 2>&1 &
done
reach() { # from-host|root to-host -> 0 if a TCP request gets an answer
  local to
  to=$("$bed" addr "$2")
  if [ "$1" = root ]; then
    curl -s -m 2 -o /dev/null "http://$to:7000/"
  else
    ip netns exec "$p-$1" curl -s -m 2 -o /dev/null "http://$to:7000/"
  fi
}
expect() { # yes|no from to
  local got=no
  reach "$2" "$3" && got=yes
  [ "$got" = "$1" ] || fail "$2 -> $3: expected $1, got $got"
}
for _ in $(seq 50); do reach root n2 && reach root db && reach root n1 && break; sleep 0.1; done

expect yes n1 n2; expect yes n2 n1; expect yes root n1; expect yes n1 db
"$bed" cut n1
expect no n1 n2; expect no n2 n1; expect yes root n1; expect yes n1 db; expect yes n2 db
"$bed" heal
expect yes n1 n2
"$bed" deaf n2 n1 # n2 no longer hears n1; n1 still hears n2's packets
expect no n1 n2   # (a TCP request needs both ways)
"$bed" heal n2
expect yes n1 n2
"$bed" nodb n1
expect no n1 db; expect yes n1 n2; expect yes root n1; expect yes n2 db
"$bed" heal
expect yes n1 db
cleanup
trap - EXIT
[ -z "$(ip netns list | grep "^$p-")" ] || fail "namespaces left behind"
ip link show "$p-br" >/dev/null 2>&1 && fail "bridge left behind"
echo "PASSED"
