#!/usr/bin/env bash
# cluster-certs.sh DIR NODE... — the gateway cluster's credentials:
# a cluster CA (DIR/ca.pem, DIR/ca.key) and, per node, a key and a
# certificate signed by the CA whose common name is the node id
# (DIR/<node>.key, DIR/<node>.pem). Files that exist are kept, so it can run
# at every start; keys are created readable by their owner only.
# Used by `./dev cluster-certs`, `./dev run` and the cluster tests.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DIR NODE..." >&2; exit 2; }
dir=$1
shift
umask 077
mkdir -p "$dir"
if [ ! -f "$dir/ca.pem" ] || [ ! -f "$dir/ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -days 3650 -subj "/CN=draft-gateway cluster CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
fi
for node in "$@"; do
  case $node in
    *[!A-Za-z0-9_-]* | "") echo "bad node id: $node" >&2; exit 2 ;;
  esac
  [ -f "$dir/$node.pem" ] && [ -f "$dir/$node.key" ] && continue
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=$node" -keyout "$dir/$node.key" -out "$dir/$node.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=URI:draft-node:%s\n' \
    "$node" >"$dir/$node.ext"
  openssl x509 -req -in "$dir/$node.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 825 -extfile "$dir/$node.ext" \
    -out "$dir/$node.pem" 2>/dev/null
  rm -f "$dir/$node.csr" "$dir/$node.ext"
done
