#pragma once

// One actor per WebSocket connection, on the node the client reached. It
// subscribes its connection's sink (the Beast session) to the draft actor,
// which then writes frames to the sink directly; the session forwards the
// client's messages here, and the actor answers them (pong, resume) and
// handles the connection's end (slow consumer, close).
//
// Handlers:
//   (resume_request)             from the client: replay after last_seq
//                                (rate-limited: past the limit, 4029)
//   (ping_request)               from the client: answer a pong
//   (slow_atom, int64 seq)       from the sink: it overflowed and closed;
//                                record a dead letter, then quit
//   (closed_atom)                from the sink: the client went away; quit
//   (shutdown_atom, by)          an operator's disconnect: close 4010, quit
//   (expire_atom)                the token expired: close 4001, quit
//   (status_atom)                -> actor_status
// It monitors the draft actor: if that stops, the client is closed with 1012
// (service restart) and reconnects with its last seq.

#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/actor_interfaces.hpp"
#include "actors/gateway_messages.hpp"

namespace draft {

/// Who is connected and where.
struct connection_info {
  std::string connection_id;
  std::string user;
  std::string team_id; ///< the token's team, "" for a viewer (presence)
  std::string draft_id;
  std::int64_t last_seq = -1; ///< from ?last_seq=, -1 for a fresh client
  std::int64_t token_valid_until = 0; ///< s since the epoch; 0: no expiry
  /// `resume` messages allowed a second (bursts of 5×); past it: 4029.
  double resumes_per_second = 1;
};

caf::actor spawn_socket_actor(caf::actor_system& system, sink_ptr sink,
                              draft_actor_api draft, caf::actor database,
                              connection_info info);

} // namespace draft
