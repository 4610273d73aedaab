#pragma once

// The SQL both the orchestrator and the gateway run to read a draft's state
// from its tables: one module, so "the state of a draft" means the same on
// each side (the orchestrator's GET /api/drafts/{id}, a gateway draft actor's
// load, the gateway's GET /api/drafts/{id}/state).

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/types.hpp"

#include <pqxx/types.hxx>

namespace draft {

/// Microseconds since the epoch of a timestamptz SQL expression, in SQL.
std::string sql_micros(const std::string& expression);

/// A draft as its tables hold it.
struct draft_state_row {
  /// The state-sync body (its time left is for the caller to compute,
  /// from the clock it answers with); `pick` is the started pick of an
  /// IN_PROGRESS or PAUSED draft.
  draft_snapshot snapshot;
  std::string type;               ///< "snake" or "linear"
  std::int32_t rounds = 0;
  std::int32_t time_per_pick_sec = 0;
  std::int32_t team_count = 0;
  /// The clock left when PAUSED (from paused_at), else 0.
  std::int32_t paused_remaining_sec = 0;
};

/// Reads draft `id` in `tx` (for agreement between the state and its
/// last_seq, run it in one snapshot: REPEATABLE READ, or under the draft's
/// row lock); none if there is no such draft. `id` must be a UUID.
std::optional<draft_state_row> read_draft_state(pqxx::transaction_base& tx,
                                                const std::string& id);

} // namespace draft
