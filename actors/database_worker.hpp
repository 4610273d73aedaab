#pragma once

// The gateway's blocking PostgreSQL calls, in detached actors (own threads),
// so no libpq call ever runs on CAF's shared scheduler threads.
//
// Its interface is `database_api` (actors/actor_interfaces.hpp).

#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/actor_interfaces.hpp"

namespace draft {

/// Spawns `workers` detached database actors behind a round-robin pool of
/// the same interface (each request goes to the next worker); `on_worker`
/// sees each worker (the admin console watches them one by one — a status
/// request sent to the pool is answered by the pool).
database_api spawn_database_pool(caf::actor_system& system,
                                 const std::string& database_url,
                                 const std::string& node_id, int workers,
                                 std::function<void(database_api)> on_worker = {});

} // namespace draft
