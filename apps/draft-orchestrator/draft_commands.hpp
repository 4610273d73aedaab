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
#include "runtime/http_server.hpp"
#include "runtime/jwt.hpp"

namespace draft {

/// The commands of the orchestrator's HTTP API, each answering a response:
/// 2xx with a JSON body, or 4xx/5xx with `{"error", "message"}` and nothing
/// changed.
class draft_commands {
public:
  explicit draft_commands(connection_pool& pool) : pool_(pool) {}

  /// POST /api/drafts
  http_response create(const jwt_claims& who, const std::string& body);

  /// GET /api/drafts/{id}
  http_response describe(const jwt_claims& who, const std::string& draft_id);

  /// POST /api/drafts/{id}/start | pause | resume
  http_response start(const jwt_claims& who, const std::string& draft_id);
  http_response pause(const jwt_claims& who, const std::string& draft_id);
  http_response resume(const jwt_claims& who, const std::string& draft_id);

  /// POST /api/drafts/{id}/picks
  http_response pick(const jwt_claims& who, const std::string& draft_id,
                     const std::string& body);

  /// GET /api/drafts/{id}/teams/{team_id}/queue: the team's pick queue
  /// (that team's token or a manager of the draft).
  http_response queue(const jwt_claims& who, const std::string& draft_id,
                      const std::string& team_id);

  /// PUT /api/drafts/{id}/teams/{team_id}/queue `{"player_ids":[…]}`:
  /// replaces the queue (at most 50 available players of the pool, in order).
  http_response set_queue(const jwt_claims& who, const std::string& draft_id,
                          const std::string& team_id, const std::string& body);

  /// POST /api/drafts/{id}/undo `{"pick_id"?}`: takes back the last pick
  /// (a manager); PickUndone, then a PickStarted for that slot.
  http_response undo(const jwt_claims& who, const std::string& draft_id,
                     const std::string& body);

  /// POST /api/drafts/{id}/clock `{"remaining_sec"?, "time_per_pick_sec"?}`
  /// (a manager): sets the current pick's time left and/or the clock of
  /// every later pick; a PickStarted carries the result.
  http_response set_clock(const jwt_claims& who, const std::string& draft_id,
                          const std::string& body);

  /// GET /api/drafts/{id}/players
  http_response players(const jwt_claims& who, const std::string& draft_id,
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
