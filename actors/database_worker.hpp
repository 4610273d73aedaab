#pragma once

// The gateway's blocking PostgreSQL calls, in detached actors (own threads),
// so no libpq call ever runs on CAF's shared scheduler threads.
//
// Handlers (all replies; database errors reply with a caf::error whose
// context says what failed):
//   (load_atom, draft_id)                       -> draft_load
//   (fetch_atom, draft_id, from_seq, to_seq)    -> std::vector<outbox_row>
//   (picks_atom, draft_id, cursor, limit)       -> std::string (JSON page)
//   (dead_atom, dead_letter)                    -> void (recorded)
//   (report_atom, "outbox" | "dead-letters")    -> std::string (JSON, admin)
//   (dead_atom, kind, id, action, by)           -> bool: a dead letter
//       ("relay" | "broadcast") replayed or discarded; false if none
//   (status_atom)                               -> actor_status (a worker's)

#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace draft {

/// Spawns `workers` detached database actors behind a round-robin pool;
/// `on_worker` sees each worker (the admin console watches them one by one —
/// a status request sent to the pool would reach just one of them).
caf::actor spawn_database_pool(caf::actor_system& system,
                               const std::string& database_url,
                               const std::string& node_id, int workers,
                               std::function<void(caf::actor)> on_worker = {});

} // namespace draft
