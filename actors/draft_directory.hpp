#pragma once

// Finds or spawns the draft actor of a draft on this node.
//
// Handlers:
//   (caf::get_atom, draft_id)  -> caf::actor once it has loaded, or the error
//                                 "unknown draft" (no such draft in the DB)
//   (caf::get_atom)            -> std::vector<std::string>: live draft ids
//   (status_atom)              -> actor_status

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/draft_actor.hpp"

namespace draft {

caf::actor spawn_draft_directory(caf::actor_system& system,
                                 draft_actor_config config);

} // namespace draft
