#pragma once

// One actor per live draft on each node that serves it: the owner node's
// reads the outbox, the others follow it (Cluster, below). It owns the draft's current
// pick state, the last N encoded events (hot history, for resume) and its
// subscribers. It applies outbox rows strictly in seq order: a row ahead of
// the next expected seq is buffered and the gap fetched from PostgreSQL —
// nothing is skipped. Each event is encoded to its JSON frame once and the
// same immutable frame goes to every subscriber.
//
// Its interface is `draft_actor_api` (actors/actor_interfaces.hpp): who
// sends each message and what it answers. Subscribers' frames are written
// to their sinks directly (no actor message per subscriber on the fan-out
// path); replays are paced, one per subscriber, and share their PostgreSQL
// reads (draft/subscriber_registry.hpp).
//
// Cluster (see draft_directory.hpp): the directory says which node owns the
// draft with (owner_atom, owner id, owner's membership actor). On the owner
// the actor registers with the outbox poller and the timer. Elsewhere it
// follows the owner's draft actor — (follow_atom, last_seq) -> owner's
// last seq — which then sends it each applied row and each tick once: one
// inter-node message per following node and event, however many clients
// that node serves. A follower applies rows by the same seq rule (gaps and a
// lag behind the owner are fetched from PostgreSQL), keeps its own history
// and serves its node's clients; state queries go to the owner. Duplicates
// from two sources (an ownership change) are dropped by seq.

#include <chrono>
#include <string>

#include <optional>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/actor_interfaces.hpp"


namespace draft {

/// Collaborators and limits of draft actors.
struct draft_actor_config {
  database_api database; ///< database worker pool
  poller_api poller;    ///< outbox poller (register/unregister)
  timer_api timer;      ///< timer-tick actor (register/unregister)
  std::size_t history_limit = 512;
  std::chrono::milliseconds idle_grace{30'000};
  std::string node_id = "n1"; ///< this node (compared with the owner's id)
  /// Frames a replay sends at a time; the next batch goes once the
  /// connection has written half of it.
  std::size_t replay_batch = 256;
  /// A replay whose connection writes nothing this long is closed with 4008.
  std::chrono::milliseconds replay_stall{10'000};
};

/// Spawns the actor of `draft_id`; it loads its state from PostgreSQL first,
/// unless `preloaded` (a found draft, read by the caller) gives it.
draft_actor_api spawn_draft_actor(caf::actor_system& system,
                                  const draft_actor_config& config,
                                  const std::string& draft_id,
                                  std::optional<draft_load> preloaded
                                  = std::nullopt);

} // namespace draft
