#pragma once

// The outbox poller: routes each new outbox row to its draft actor. It keeps
// a cursor (last routed seq) per live draft — never a global id cursor, which
// is unsafe because ids are taken at insert, not at commit — and polls
//   - when a LISTEN wake-up arrives (a listener thread with its own
//     connection; after every reconnect it polls, since notifications sent
//     while disconnected are lost),
//   - and every `fallback_interval` regardless.
// It is a detached actor: its blocking libpq calls never run on CAF's shared
// scheduler threads. What it reads from — the query and the wake-ups — is
// `outbox_source` and `outbox_wakeups` (actors/outbox_source.hpp).
//
// Its interface is `poller_api` (actors/actor_interfaces.hpp).

#include <chrono>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/actor_interfaces.hpp"
#include "actors/outbox_source.hpp"

namespace draft {

struct outbox_poller_config {
  std::string database_url;
  std::chrono::milliseconds fallback_interval{1000};
  int batch_size = 2000;
};

/// Spawns the poller over PostgreSQL, with its LISTEN thread (stopped when
/// the poller exits).
poller_api spawn_outbox_poller(caf::actor_system& system,
                               const outbox_poller_config& config);

/// Spawns the poller over a given source, woken only through `wakeups` (no
/// LISTEN thread; `database_url` is ignored), on the scheduler rather than
/// detached: for tests on CAF's deterministic coordinator.
poller_api spawn_outbox_poller(caf::actor_system& system,
                               outbox_poller_config config,
                               std::shared_ptr<outbox_source> source,
                               std::shared_ptr<outbox_wakeups> wakeups);

} // namespace draft
