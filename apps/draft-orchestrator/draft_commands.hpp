#pragma once

// The draft's write side. Every state change runs in one transaction that
// first locks the draft row, then writes the business rows and appends its
// events to the outbox (draft_append_event), so events commit with the change
// they describe, in per-draft seq order.

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "connection_pool.hpp"
#include "command_result.hpp"
#include "runtime/jwt.hpp"

namespace draft {

/// The orchestrator's commands, each answering a document or a refusal with
/// nothing changed (command_result.hpp); orchestrator_api maps them to HTTP.
class draft_commands {
public:
  explicit draft_commands(connection_pool& pool) : pool_(pool) {}

  /// POST /api/drafts
  command_result create(const jwt_claims& who, const std::string& body);

  /// GET /api/drafts/{id}
  command_result describe(const jwt_claims& who, const std::string& draft_id);

  /// POST /api/drafts/{id}/start | pause | resume
  command_result start(const jwt_claims& who, const std::string& draft_id);
  command_result pause(const jwt_claims& who, const std::string& draft_id);
  command_result resume(const jwt_claims& who, const std::string& draft_id);

  /// POST /api/drafts/{id}/picks
  command_result pick(const jwt_claims& who, const std::string& draft_id,
                     const std::string& body);

  /// GET /api/drafts/{id}/teams/{team_id}/queue: the team's pick queue
  /// (that team's token or a manager of the draft).
  command_result queue(const jwt_claims& who, const std::string& draft_id,
                      const std::string& team_id);

  /// PUT /api/drafts/{id}/teams/{team_id}/queue `{"player_ids":[…]}`:
  /// replaces the queue (at most 50 available players of the pool, in order).
  command_result set_queue(const jwt_claims& who, const std::string& draft_id,
                          const std::string& team_id, const std::string& body);

  /// POST /api/drafts/{id}/undo `{"pick_id"?}`: takes back the last pick
  /// (a manager); PickUndone, then a PickStarted for that slot.
  command_result undo(const jwt_claims& who, const std::string& draft_id,
                     const std::string& body);

  /// POST /api/drafts/{id}/clock `{"remaining_sec"?, "time_per_pick_sec"?}`
  /// (a manager): sets the current pick's time left and/or the clock of
  /// every later pick; a PickStarted carries the result.
  command_result set_clock(const jwt_claims& who, const std::string& draft_id,
                          const std::string& body);

  /// GET /api/drafts/{id}/players
  command_result players(const jwt_claims& who, const std::string& draft_id,
                        const std::map<std::string, std::string>& query);

  /// Autopicks the best available player for one overdue slot of an
  /// in-progress draft, skipping drafts another instance holds locked.
  /// Returns false when no slot is overdue.
  bool autopick_one_overdue();

  /// How long until the earliest pick timeout of an in-progress draft, by
  /// the database's clock (zero if one is overdue); none if no pick is on
  /// the clock. Database errors throw.
  std::optional<std::chrono::microseconds> next_timeout();

private:
  connection_pool& pool_;
};

} // namespace draft
