#pragma once

// Finds or spawns the draft actor of a draft on this node, and tells each
// one which node owns its draft (rendezvous hashing over the live members).
// A draft actor on the owner node reads the outbox; on any other node it
// follows the owner's draft actor and serves this node's clients (see
// draft_actor.hpp).
//
// Handlers:
//   (caf::get_atom, draft_id)  -> caf::actor once it has loaded, or the error
//                                 "unknown draft" (no such draft in the DB)
//   (caf::get_atom)            -> std::vector<std::string>: live draft ids
//   (members_atom, membership_view)  from the membership actor: the live set
//                                 changed; draft actors whose owner moved are
//                                 told (owner_atom, owner id, owner's
//                                 membership actor)
//   (owner_atom, draft_id)     -> std::string: the owner node by this view
//   (owner_atom, std::vector<std::string> draft_ids)
//                              -> std::vector<std::string>: each one's owner,
//                                 in order (the admin API asks here: only the
//                                 directory computes ownership)
//   (actors_atom)              -> std::vector<caf::actor>: the draft actors
//   (restart_atom, draft_id, by) -> bool: stops the draft's actor if this
//                                 node owns it (an operator's restart)
//   (status_atom)              -> actor_status

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/draft_actor.hpp"

namespace draft {

caf::actor spawn_draft_directory(caf::actor_system& system,
                                 draft_actor_config config);

} // namespace draft
