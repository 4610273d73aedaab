#pragma once

// `draftctl trace EVENT_ID`: one event's timeline across the processes that
// handled it — the outbox commit, the relay's publish and the broker's
// acknowledgement, and on every gateway node the draft actor's apply and the
// first and last socket write. Each process keeps its part in a bounded ring
// of recent events (GET /admin/api/trace/{id} on the nodes, GET /trace/{id}
// on the relay); docs/operations.md.

#include <string>

namespace draftctl {

struct trace_target {
  std::string host, port;   ///< a gateway node (its members are asked too)
  std::string token;        ///< an admin token
  std::string relay;        ///< host:port of the relay's HTTP port; "" = none
};

/// Prints the timeline (a table, or JSON with `raw`); returns the exit code.
int trace_event(const trace_target& target, const std::string& event_id,
                bool raw);

} // namespace draftctl
