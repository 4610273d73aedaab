#pragma once

// The admin actor: what the admin console knows about one node. Every
// `interval` it asks the node's fixed actors and every draft actor (listed
// by the directory) for their status, and keeps the answers with a message
// rate per actor; one that does not answer within `status_timeout` is
// reported as stuck. A report first asks every actor again, socket actors
// included (reports arriving meanwhile share that refresh); socket actors —
// one per connection, thousands — are asked only then, so watching costs
// nothing while no one looks (measured: asking 12,000 sockets every 2 s cost
// a sixth of a core). It also keeps a
// ring of activity samples (events/s, deliveries/s, fan-out latency
// percentiles) and the process's CPU and RSS. For the whole cluster it asks
// its peers' admin actors (found through their membership actors).
//
// Its interface is `admin_api` (actors/actor_interfaces.hpp); what peers ask
// is its part `admin_peer_api`. Actions carry the operator's token sub and
// role as the node that took the request verified them; every node acts
// only if its own actions are on (GATEWAY_ADMIN_ACTIONS), the role is admin
// and a relayed request comes from a cluster member, and logs who asked
// either way. Asked of the cluster (cluster_atom), reports are gathered
// from every live node (a silent one reported as such), and an action is
// true if any node did it (levels: if every node did). A node whose actions
// are off (read-only) answers false to every action.

#include <chrono>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/actor_interfaces.hpp"

namespace draft {

struct admin_actor_config {
  std::string node_id;
  directory_api directory;
  std::chrono::milliseconds interval{2000};
  std::chrono::milliseconds status_timeout{1000};
  std::size_t ring = 150; ///< samples kept (5 minutes at 2 s)
  bool actions = false;   ///< GATEWAY_ADMIN_ACTIONS: act, not only read
};

admin_api spawn_admin_actor(caf::actor_system& system,
                             admin_actor_config config);

} // namespace draft
