#pragma once

// What every orchestrator command shares: the transaction runner that maps
// refusals and database errors to JSON answers, the draft row lock, the pick
// on the clock, the outbox append and the clock and pick transitions. Internal
// to the orchestrator (draft_commands.cpp, draft_room.cpp).

#include <optional>
#include <string>

#include <pqxx/pqxx>
#include <rapidjson/document.h>

#include "command_result.hpp"
#include "connection_pool.hpp"
#include "protocol/json_reader.hpp"
#include "protocol/types.hpp"
#include "runtime/draft_queries.hpp"
#include "runtime/jwt.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"

namespace draft {


/// The longest pick clock a draft may have, in seconds.
constexpr int max_clock_sec = 3600;


/// A draft row as a command reads it under its lock.
struct draft_row {
  std::string id;
  std::string type;
  std::string status;
  int rounds = 0;
  int time_per_pick_sec = 0;
  int team_count = 0;
  long long last_seq = 0;
  timestamp started_at = 0;
  int total_picks() const { return rounds * team_count; }
};

/// A pick slot with its team.
struct slot_row {
  std::string pick_id;
  std::string team_id;
  std::string team_name;
  int round = 0;
  int pick = 0;
  int overall = 0;
  timestamp started_at = 0;
  timestamp timeout_at = 0;
};

/// How a pick was made, for the picks row and the PickMade payload.
struct pick_origin {
  bool automatic = false;
  std::string autopick_source; ///< "queue" or "rank" for an autopick
  std::string by;              ///< the token's `sub` for a pick by request
};

/// `who`'s subject as events record it (`by`): at most max_by_bytes, cut at
/// a UTF-8 character boundary.
std::string actor_name(const jwt_claims& who);

/// Refuses (400) an id that is not a UUID; `what` names it.
void require_uuid(const std::string& id, const char* what);

/// Locks the draft row for the rest of the transaction (404 if unknown).
draft_row lock_draft(pqxx::work& tx, const std::string& id);

/// The first slot without a player, if any.
std::optional<slot_row> current_slot(pqxx::work& tx, const std::string& id);

/// The database clock, to the millisecond: one clock for every instance.
timestamp db_now(pqxx::work& tx);

/// Appends one event to the draft's outbox (draft_append_event).
void append(pqxx::work& tx, const std::string& draft_id,
            const event_payload& payload);

/// Starts `slot`'s clock at `now` for `seconds` and writes its PickStarted.
void start_clock(pqxx::work& tx, const draft_row& d, const slot_row& slot,
                 timestamp now, int seconds);

/// Records the pick, takes the player out of every queue of the draft, then
/// starts the next slot's clock or completes the draft.
void apply_pick(pqxx::work& tx, const draft_row& d, const slot_row& slot,
                const std::string& player_id, const std::string& player_name,
                const pick_origin& origin, timestamp now);

/// The draft's pool restriction as SQL over players `pl` and drafts `d`.
extern const char* const pool_filter;

/// Refuses a player who does not exist (404), is outside the draft's pool
/// (422) or is drafted already (409); returns the player's name.
std::string require_available(pqxx::work& tx, const std::string& draft_id,
                              const std::string& player_id);

/// True for an admin, or a commissioner of `draft_id` ("" = any draft).
bool is_manager(const jwt_claims& who, const std::string& draft_id);

/// Refuses (403) anyone but a manager of the draft.
void require_manager(const jwt_claims& who, const std::string& draft_id);

/// Refuses (403) a token that may not read the draft: readers hold the
/// `drafts` claim, a team of this draft, or any role.
void require_reader(pqxx::work& tx, const jwt_claims& who,
                    const std::string& draft_id);

/// Refuses (409) a draft not in status `wanted`; `action` names the command.
void require_status(const draft_row& d, const char* wanted, const char* action);

/// Parses a request body that must be a JSON object (400 otherwise).
rapidjson::Document parse_body(const std::string& body);

/// Refuses (400) with the reader's first problem, if any.
void check(const json::object_reader& r);

/// `{"draft_id", "status", "last_seq"}`: what state commands answer.
std::string state_body(const draft_row& d, const char* status,
                       long long last_seq);

/// Runs `body` in a transaction; commits on success. A command_error
/// thrown inside rolls it back and is the result, as are database errors.
template <class F>
command_result run(connection_pool& pool, const char* command, F body) {
  auto& log = logger::get("orchestrator");
  auto count = [&](const char* outcome) {
    default_metrics()
      .get_counter("orchestrator_commands_total", "Commands handled.",
                   {{"command", command}, {"outcome", outcome}})
      .inc();
  };
  try {
    auto c = pool.acquire();
    pqxx::work tx(*c);
    answer res = body(tx);
    tx.commit();
    count("ok");
    return res;
  } catch (const command_error& e) {
    count("refused");
    return e;
  } catch (const pqxx::unique_violation& e) {
    // The constraints back the checks up against races.
    count("refused");
    return command_error{refusal::conflict, "conflict",
                         "a concurrent change won: " + std::string(e.what())};
  } catch (const pqxx::broken_connection& e) {
    count("failed");
    log.error("database unreachable", {{"command", command}, {"error", e.what()}});
    return command_error{refusal::unavailable, "database_unavailable",
                         "the database is unreachable; retry shortly"};
  } catch (const pqxx::in_doubt_error& e) {
    count("failed");
    return command_error{refusal::unavailable, "in_doubt",
                         "the connection broke during commit; check the draft "
                         "state before retrying"};
  } catch (const pqxx::sql_error& e) {
    // A constraint or query the checks above did not foresee: nothing was
    // applied (the transaction rolled back), and the client gets JSON.
    count("failed");
    log.error("database refused a command",
              {{"command", command}, {"sqlstate", e.sqlstate()}, {"error", e.what()}});
    return command_error{refusal::failed, "database_error",
                         "the database refused the command (SQLSTATE "
                           + e.sqlstate() + "); nothing was changed"};
  } catch (const std::exception& e) {
    count("failed");
    log.error("command failed", {{"command", command}, {"error", e.what()}});
    return command_error{refusal::failed, "internal_error",
                         "the command failed; nothing was changed"};
  }
}

} // namespace draft
