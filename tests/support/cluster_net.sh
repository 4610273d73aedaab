#!/usr/bin/env bash
# cluster_net.sh — a test bed of real hosts for the gateway cluster: each node
# in its own network namespace with its own address on a bridge, PostgreSQL
# in a namespace of its own, clients in the root namespace; nftables for the
# faults a process cannot show. Needs root. Everything it makes carries the
# prefix (default "dgw") and is removed by `down`, also after a failed `up`.
#
#   cluster_net.sh up [N]              bridge, namespaces db and n1..nN
#   cluster_net.sh down                remove all of it
#   cluster_net.sh addr NODE           the address of n1.. or db
#   cluster_net.sh cut NODE            NODE loses its peers (clients and db stay)
#   cluster_net.sh deaf NODE PEER      NODE stops hearing PEER (one way)
#   cluster_net.sh loss PERCENT        random loss on every cluster link
#   cluster_net.sh nodb NODE           NODE loses PostgreSQL only
#   cluster_net.sh heal [NODE]         remove the faults (of NODE, or all)
#   cluster_net.sh pg-start DIR        PostgreSQL 15 in db (data in DIR), port 5432
#   cluster_net.sh pg-stop DIR
#
# Addresses: 10.77.0.0/24 (CLUSTER_NET_SUBNET=10.77.0): the bridge, in the
# root namespace, is .1 (clients connect from there), db .2, node k .1k.
set -euo pipefail

prefix=${CLUSTER_NET_PREFIX:-dgw}
subnet=${CLUSTER_NET_SUBNET:-10.77.0}
bridge=$prefix-br

addr_of() { # n<k> | db
  case $1 in
    db) echo "$subnet.2" ;;
    n[0-9] | n[0-9][0-9]) echo "$subnet.$((10 + ${1#n}))" ;;
    *) echo "unknown host $1" >&2; return 2 ;;
  esac
}

in_ns() { # host cmd...
  local host=$1
  shift
  ip netns exec "$prefix-$host" "$@"
}

add_host() { # host
  local host=$1 ns=$prefix-$1 outside=$prefix-$1-o
  ip netns add "$ns"
  ip link add "$outside" type veth peer name eth0 netns "$ns"
  ip link set "$outside" master "$bridge" up
  in_ns "$host" ip addr add "$(addr_of "$host")/24" dev eth0
  in_ns "$host" ip link set eth0 up
  in_ns "$host" ip link set lo up
  # Faults live in one table per host, emptied by `heal`.
  in_ns "$host" nft add table inet faults
  in_ns "$host" nft add chain inet faults input '{ type filter hook input priority 0; }'
  in_ns "$host" nft add chain inet faults output '{ type filter hook output priority 0; }'
}

cmd_down() {
  local ns pid
  for ns in $(ip netns list | awk '{print $1}' | grep "^$prefix-" || true); do
    # What still runs inside (a test that crashed): ended by pid.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns delete "$ns" 2>/dev/null || true
  done
  ip link delete "$bridge" 2>/dev/null || true
}

cmd_up() {
  local nodes=${1:-3} k
  cmd_down
  trap 'cmd_down' ERR
  ip link add "$bridge" type bridge
  ip addr add "$subnet.1/24" dev "$bridge"
  ip link set "$bridge" up
  add_host db
  for ((k = 1; k <= nodes; k++)); do
    add_host "n$k"
  done
  trap - ERR
}

# Drops what NODE exchanges with the other nodes (not with the bridge's
# clients or db).
cmd_cut() {
  local node=$1 other
  for other in $(ip netns list | awk '{print $1}' | grep "^$prefix-n" | sed "s/^$prefix-//"); do
    [ "$other" = "$node" ] && continue
    in_ns "$node" nft add rule inet faults input ip saddr "$(addr_of "$other")" drop
    in_ns "$node" nft add rule inet faults output ip daddr "$(addr_of "$other")" drop
  done
}

cmd_deaf() { # node peer: node no longer receives what peer sends
  in_ns "$1" nft add rule inet faults input ip saddr "$(addr_of "$2")" drop
}

cmd_loss() { # percent, on node-to-node traffic only
  local pct=$1 ns host
  for ns in $(ip netns list | awk '{print $1}' | grep "^$prefix-n"); do
    host=${ns#"$prefix-"}
    in_ns "$host" nft add rule inet faults input ip saddr "$subnet.10-$subnet.99" \
      numgen random mod 100 '<' "$pct" drop
  done
}

cmd_nodb() {
  in_ns "$1" nft add rule inet faults output ip daddr "$(addr_of db)" drop
  in_ns "$1" nft add rule inet faults input ip saddr "$(addr_of db)" drop
}

cmd_heal() {
  local ns host
  for ns in $(ip netns list | awk '{print $1}' | grep "^$prefix-"); do
    host=${ns#"$prefix-"}
    [ -n "${1:-}" ] && [ "$host" != "$1" ] && continue
    in_ns "$host" nft flush chain inet faults input
    in_ns "$host" nft flush chain inet faults output
  done
}

pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}

cmd_pg_start() { # data dir
  local dir=$1 d
  mkdir -p "$dir"
  chown postgres: "$dir"
  d=$dir
  while [ "$d" != "/" ]; do d=$(dirname "$d"); chmod o+x "$d" 2>/dev/null || true; done
  runuser -u postgres -- "$pg_bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
    --no-locale >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
  echo "host all all $subnet.0/24 trust" >>"$dir/data/pg_hba.conf"
  in_ns db runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
    -w -t 30 start -o "-c listen_addresses=$(addr_of db) -p 5432 -k $dir -c fsync=off -c max_connections=200" \
    >/dev/null || { tail -20 "$dir/server.log" >&2; return 1; }
}

cmd_pg_stop() {
  in_ns db runuser -u postgres -- "$pg_bin/pg_ctl" -D "$1/data" -m immediate stop \
    >/dev/null 2>&1 || true
}

command=${1:-}
shift || true
case $command in
  up) cmd_up "$@" ;;
  down) cmd_down ;;
  addr) addr_of "$1" ;;
  cut) cmd_cut "$1" ;;
  deaf) cmd_deaf "$1" "$2" ;;
  loss) cmd_loss "$1" ;;
  nodb) cmd_nodb "$1" ;;
  heal) cmd_heal "${1:-}" ;;
  pg-start) cmd_pg_start "$1" ;;
  pg-stop) cmd_pg_stop "$1" ;;
  *) sed -n '2,20p' "$0" >&2; exit 2 ;;
esac
