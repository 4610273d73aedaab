#pragma once

// One WebSocket connection (Asio in the .cpp only; framing by
// runtime/ws_frames.hpp). It is the socket actor's sink: frames queue there
// (bounded) and the frames waiting go out together in one gather write on the
// connection's lane; client messages are decoded and handed to the socket
// actor.

#include <caf/actor.hpp>

#include "actors/edge/gateway_context.hpp"
#include "actors/socket_actor.hpp"

namespace draft {

struct http_upgrade; // runtime/http_lane.hpp

/// Completes the upgrade `up` handed over by the HTTP server, then spawns the
/// connection's socket actor, which subscribes to `draft`.
void start_websocket(gateway_context& context, http_upgrade& up,
                     connection_info info, draft_actor_api draft);

} // namespace draft
