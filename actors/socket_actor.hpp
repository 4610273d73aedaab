#pragma once

// One actor per WebSocket connection, on the node the client reached. It
// subscribes its connection's sink (the Beast session) to the draft actor,
// which then writes frames to the sink directly; the session forwards the
// client's messages here, and the actor answers them (pong, resume) and
// handles the connection's end (slow consumer, close).
//
// Its interface is `socket_api` (actors/actor_interfaces.hpp).
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
  /// s since the epoch, 0: no expiry; the session closes with 4001 then, on
  /// its lane's sweep (no timer per connection).
  std::int64_t token_valid_until = 0;
  /// `resume` messages allowed a second (bursts of 5×); past it: 4029.
  double resumes_per_second = 1;
};

socket_api spawn_socket_actor(caf::actor_system& system, sink_ptr sink,
                              draft_actor_api draft, database_api database,
                              connection_info info);

} // namespace draft
