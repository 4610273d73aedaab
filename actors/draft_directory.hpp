#pragma once

// Finds or spawns the draft actor of a draft on this node, and tells each
// one which node owns its draft (rendezvous hashing over the live members).
// A draft actor on the owner node reads the outbox; on any other node it
// follows the owner's draft actor and serves this node's clients (see
// draft_actor.hpp).
//
// Its interface is `directory_api` (actors/actor_interfaces.hpp).

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/draft_actor.hpp"

namespace draft {

directory_api spawn_draft_directory(caf::actor_system& system,
                                    draft_actor_config config);

} // namespace draft
