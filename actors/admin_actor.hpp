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
// Handlers:
//   (register_atom, caf::actor)      watch this actor (monitored)
//   (register_atom, caf::actor, socket_atom)  watch a socket actor
//   (members_atom, membership_view)  from the membership actor
//   (report_atom, sort, limit, kind, draft_id) -> node_report
//        actors filtered by kind and draft ("" = all), sorted by "mailbox",
//        "rate" or "name", at most `limit`
//   (shutdown_atom, connection_id, by, role)   -> bool: disconnected here
//   (restart_atom, draft_id, by, role)         -> bool: the owner's draft
//        actor was stopped here (it is rebuilt from PostgreSQL on next use)
//   (level_atom, component, level, by, role)   -> bool: log level set here
//        `by` and `role` are the operator's token sub and role as the node
//        that took the request verified them; every node acts only if its
//        own actions are on, the role is admin and a relayed request comes
//        from a cluster member, and logs who asked either way.
//   (cluster_atom, <any of the four above>)    -> the same, asked of every
//        live node: std::vector<node_report> for reports, and for actions
//        true if any node did it (levels: if every node did). A node whose
//        actions are off (read-only) answers false to every action.
//   (status_atom)                              -> actor_status

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

caf::actor spawn_admin_actor(caf::actor_system& system,
                             admin_actor_config config);

} // namespace draft
