#pragma once

// The membership actor: this node's view of the cluster. One per node,
// published on the node's cluster port (CAF middleman, or CAF's OpenSSL
// module when the cluster file names certificates). Every heartbeat
// interval it
//   - connects to each peer with a larger id it has no connection to
//     (asynchronously, through the middleman actor; a peer that comes back
//     is picked up here); a peer with a smaller id dials this node, which
//     learns its handle from its heartbeat — one connection per pair,
//   - asks each connected peer for a heartbeat; the answer carries the
//     peer's own live view and start time,
//   - counts a peer live while it is connected and was heard from within the
//     peer timeout. A killed peer is seen at once (its actor goes down); a
//     frozen one (SIGSTOP, a hung machine) stops answering and drops out
//     after the timeout. CAF's own middleman heartbeats are on as well, so a
//     dead connection is closed by CAF too.
// When the live set changes it sends the draft directory a membership_view.
//
// Identity: CAF's TLS admits only peers with a certificate of the cluster
// CA, but cannot say which node a connection is. So before a peer counts
// (live, in the view, given handles) it passes a hello: this node sends a
// random challenge, the peer answers with its certificate and a signature
// over (both ids, the challenge, the peer's CAF node id) made with its key;
// the certificate must chain to the CA and name the claimed id. From then
// on the peer's id is bound to its CAF node: a heartbeat claiming that id
// from another node is refused (gateway_cluster_refused_total). Draft and
// admin handles are given only to members (and this node).
//
// Its interface is `membership_api` (actors/actor_interfaces.hpp). Start-up
// waits for (ready_atom) so a node does not claim drafts it would give back
// a moment later.

#include <chrono>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/actor_interfaces.hpp"

#include "runtime/cluster_config.hpp"
#include "runtime/node_credential.hpp"

namespace draft {

struct membership_config {
  std::string node_id;
  std::vector<cluster_node> nodes; ///< every node of the file, this one too
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds peer_timeout{5000};
  directory_api directory;
  bool tls = false; ///< connect through CAF's OpenSSL module
  admin_api admin; ///< this node's admin actor (told the view, too)
  /// This node's key and certificate and the cluster CA, for the hello; null
  /// only in a plaintext cluster (then every peer is taken at its word).
  std::shared_ptr<const node_credential> credential;
};

membership_api spawn_membership(caf::actor_system& system,
                            membership_config config);

} // namespace draft
