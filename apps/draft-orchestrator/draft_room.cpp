// The draft-room rules of draft_commands: per-team pick queues, the
// commissioner's undo and clock control. Each change commits with its events,
// like every other command (see command_support.hpp).

#include <set>

#include "command_support.hpp"

#include "protocol/json_writer.hpp"
#include "draft_commands.hpp"
#include "protocol/json_codec.hpp"
#include "protocol/uuid.hpp"

namespace draft {

namespace {

constexpr std::size_t max_queue_length = 50;

// A queue may be read and written by its own team's token or a manager.
void require_queue_owner(const jwt_claims& who, const std::string& draft_id,
                         const std::string& team_id) {
  if (!is_manager(who, draft_id) && who.team_id != team_id)
    throw command_error{refusal::forbidden, "forbidden",
                        "a queue is private: only its team's token or a "
                        "commissioner of the draft may use it"};
}

void require_team_of_draft(pqxx::work& tx, const std::string& draft_id,
                           const std::string& team_id) {
  if (tx.exec_params("SELECT 1 FROM teams WHERE id = $1 AND draft_id = $2",
                     team_id, draft_id)
        .empty())
    throw command_error{refusal::not_found, "unknown_team",
                        "draft " + draft_id + " has no team " + team_id};
}

// `{"draft_id", "team_id", "players": [{player_id, name, position, nfl_team,
// rank}]}` in queue order.
std::string queue_body(pqxx::work& tx, const std::string& draft_id,
                       const std::string& team_id) {
  auto rows = tx.exec_params("SELECT pl.id, pl.name, pl.position, "
                             "pl.nfl_team, pl.rank FROM team_queues q JOIN "
                             "players pl ON pl.id = q.player_id WHERE "
                             "q.team_id = $1 ORDER BY q.position",
                             team_id);
  return json::write_object([&](json::object_writer& o) {
    o.str("draft_id", draft_id)
      .str("team_id", team_id)
      .objects("players", rows, [](json::object_writer& p, const pqxx::row& r) {
        p.str("player_id", r[0].as<std::string>())
          .str("name", r[1].as<std::string>())
          .str("position", r[2].as<std::string>())
          .str("nfl_team", r[3].as<std::string>())
          .num("rank", r[4].as<long long>());
      });
  });
}

// The `player_ids` array of a queue body: UUIDs, distinct, at most 50.
std::vector<std::string> read_player_ids(const rapidjson::Document& doc) {
  auto it = doc.FindMember("player_ids");
  if (it == doc.MemberEnd() || !it->value.IsArray())
    throw command_error{refusal::invalid, "invalid_field",
                        "player_ids: expected an array of player ids"};
  auto& list = it->value;
  if (list.Size() > max_queue_length)
    throw command_error{refusal::invalid, "queue_too_long",
                        "player_ids: a queue holds at most "
                          + std::to_string(max_queue_length) + " players, got "
                          + std::to_string(list.Size())};
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    auto where = "player_ids[" + std::to_string(i) + "]";
    if (!list[i].IsString() || !is_uuid(list[i].GetString()))
      throw command_error{refusal::invalid, "invalid_field",
                          where + ": expected a player id (a UUID)"};
    auto id = normalize_uuid(list[i].GetString());
    if (!seen.insert(id).second)
      throw command_error{refusal::invalid, "invalid_field",
                          where + ": player " + id + " is queued twice"};
    ids.push_back(id);
  }
  return ids;
}

// Every queued player must exist, be in the draft's pool and be available.
void require_queueable(pqxx::work& tx, const std::string& draft_id,
                       const std::vector<std::string>& ids) {
  for (auto& id : ids)
    require_available(tx, draft_id, id);
}

// The last slot with a player.
struct made_pick {
  slot_row slot;
  std::string player_id;
};

std::optional<made_pick> last_pick(pqxx::work& tx, const std::string& draft_id) {
  auto rows = tx.exec_params(
    "SELECT p.id, p.team_id, t.name, p.round, p.pick, p.overall_pick, "
    "p.player_id FROM picks p JOIN teams t ON t.id = p.team_id WHERE "
    "p.draft_id = $1 AND p.player_id IS NOT NULL ORDER BY p.overall_pick DESC "
    "LIMIT 1",
    draft_id);
  if (rows.empty())
    return std::nullopt;
  auto r = rows[0];
  made_pick out;
  out.slot = slot_row{r[0].as<std::string>(), r[1].as<std::string>(),
                      r[2].as<std::string>(), r[3].as<int>(),
                      r[4].as<int>(),         r[5].as<int>(),
                      0,                      0};
  out.player_id = r[6].as<std::string>();
  return out;
}

// An optional clock field of the /clock body: 1 to max_clock_sec seconds.
std::optional<int> read_seconds(json::object_reader& r, const char* key) {
  if (r.is_null(key))
    return std::nullopt;
  std::int32_t value = 0;
  r.int32(key, value, 1, max_clock_sec);
  check(r);
  return value;
}

} // namespace

command_result draft_commands::queue(const jwt_claims& who,
                                    const std::string& draft_id,
                                    const std::string& team_id) {
  return run(pool_, "queue", [&](pqxx::work& tx) {
    require_uuid(draft_id, "the draft id");
    require_uuid(team_id, "the team id");
    require_queue_owner(who, draft_id, team_id);
    if (tx.exec_params("SELECT 1 FROM drafts WHERE id = $1", draft_id).empty())
      throw command_error{refusal::not_found, "unknown_draft", "no draft with id " + draft_id};
    require_team_of_draft(tx, draft_id, team_id);
    return answer{false, queue_body(tx, draft_id, team_id)};
  });
}

command_result draft_commands::set_queue(const jwt_claims& who,
                                        const std::string& draft_id,
                                        const std::string& team_id,
                                        const std::string& body) {
  return run(pool_, "set_queue", [&](pqxx::work& tx) {
    require_uuid(draft_id, "the draft id");
    require_uuid(team_id, "the team id");
    auto ids = read_player_ids(parse_body(body));
    require_queue_owner(who, draft_id, team_id);
    // Under the draft's lock, so no pick lands between the check and the
    // write, and an autopick reads the whole old or the whole new queue.
    auto d = lock_draft(tx, draft_id);
    require_team_of_draft(tx, draft_id, team_id);
    if (d.status == "COMPLETED")
      throw command_error{refusal::conflict, "invalid_state",
                          "the draft is COMPLETED; there is nothing left to "
                          "queue for"};
    require_queueable(tx, draft_id, ids);
    tx.exec_params("DELETE FROM team_queues WHERE team_id = $1", team_id);
    for (size_t i = 0; i < ids.size(); ++i)
      tx.exec_params("INSERT INTO team_queues (draft_id, team_id, position, "
                     "player_id) VALUES ($1, $2, $3, $4)",
                     draft_id, team_id, static_cast<int>(i + 1), ids[i]);
    logger::get("orchestrator")
      .info("queue set", {{"draft_id", draft_id},
                          {"team_id", team_id},
                          {"players", static_cast<std::int64_t>(ids.size())},
                          {"by", who.subject}});
    return answer{false, queue_body(tx, draft_id, team_id)};
  });
}

command_result draft_commands::undo(const jwt_claims& who,
                                   const std::string& draft_id,
                                   const std::string& body) {
  return run(pool_, "undo", [&](pqxx::work& tx) {
    require_uuid(draft_id, "the draft id");
    std::string expected_pick;
    if (!body.empty()) {
      auto doc = parse_body(body);
      json::object_reader r(doc, "");
      if (!r.is_null("pick_id"))
        r.uuid("pick_id", expected_pick);
      check(r);
    }
    require_manager(who, draft_id);
    auto d = lock_draft(tx, draft_id);
    if (d.status == "NOT_STARTED")
      throw command_error{refusal::conflict, "nothing_to_undo",
                          "the draft has not started; no pick was made"};
    auto last = last_pick(tx, draft_id);
    if (!last)
      throw command_error{refusal::conflict, "nothing_to_undo", "no pick was made yet"};
    auto& slot = last->slot;
    if (!expected_pick.empty() && expected_pick != slot.pick_id)
      throw command_error{refusal::conflict, "not_last_pick",
                          "pick " + expected_pick
                            + " is not the last pick made (that is overall "
                              "pick "
                            + std::to_string(slot.overall)
                            + "); only the last pick can be undone"};
    auto now = db_now(tx);
    // The slot after it leaves the clock; the undone slot takes it back.
    tx.exec_params("UPDATE picks SET started_at = NULL, timeout_at = NULL "
                   "WHERE draft_id = $1 AND player_id IS NULL",
                   draft_id);
    tx.exec_params("UPDATE picks SET player_id = NULL, picked_at = NULL, "
                   "auto_picked = false, autopick_source = NULL, picked_by = "
                   "NULL WHERE id = $1",
                   slot.pick_id);
    append(tx, draft_id,
           pick_undone_payload{slot.pick_id, last->player_id, slot.team_id,
                               slot.overall, now, actor_name(who)});
    std::string status = d.status;
    if (d.status == "COMPLETED") {
      // Reopened: the draft goes on from the undone slot.
      status = "IN_PROGRESS";
      tx.exec_params("UPDATE drafts SET status = 'IN_PROGRESS', completed_at "
                     "= NULL WHERE id = $1",
                     draft_id);
      append(tx, draft_id,
             draft_resumed_payload{draft_id, now, slot.pick_id, slot.overall});
    } else if (d.status == "PAUSED") {
      // Still paused, with the full clock waiting for the resume.
      tx.exec_params("UPDATE drafts SET paused_at = $2::timestamptz WHERE id "
                     "= $1",
                     draft_id, format_rfc3339(now));
    }
    start_clock(tx, d, slot, now, d.time_per_pick_sec);
    logger::get("orchestrator")
      .info("pick undone", {{"draft_id", draft_id},
                            {"overall_pick", slot.overall},
                            {"player_id", last->player_id},
                            {"by", who.subject}});
    auto events = d.status == "COMPLETED" ? 3 : 2;
    return answer{false, json::write_object([&](json::object_writer& o) {
      o.str("draft_id", draft_id)
        .str("status", status)
        .num("last_seq", d.last_seq + events)
        .object("undone", [&](json::object_writer& u) {
          u.str("pick_id", slot.pick_id)
            .num("overall_pick", slot.overall)
            .str("player_id", last->player_id)
            .str("team_id", slot.team_id);
        });
    })};
  });
}

command_result draft_commands::set_clock(const jwt_claims& who,
                                        const std::string& draft_id,
                                        const std::string& body) {
  return run(pool_, "clock", [&](pqxx::work& tx) {
    require_uuid(draft_id, "the draft id");
    auto doc = parse_body(body);
    json::object_reader r(doc, "");
    auto remaining = read_seconds(r, "remaining_sec");
    auto per_pick = read_seconds(r, "time_per_pick_sec");
    if (!remaining && !per_pick)
      throw command_error{refusal::invalid, "invalid_field",
                          "send remaining_sec (the current pick's time left), "
                          "time_per_pick_sec (every later pick's clock) or "
                          "both, each 1 to "
                            + std::to_string(max_clock_sec)};
    require_manager(who, draft_id);
    auto d = lock_draft(tx, draft_id);
    if (d.status == "COMPLETED")
      throw command_error{refusal::conflict, "invalid_state",
                          "the draft is COMPLETED; no clock runs"};
    if (remaining && d.status != "IN_PROGRESS")
      throw command_error{refusal::conflict, "invalid_state",
                          "remaining_sec needs a pick on the clock, and the "
                          "draft is "
                            + d.status
                            + (d.status == "PAUSED"
                                 ? " (a resume restarts the clock in full)"
                                 : "")};
    if (per_pick) {
      d.time_per_pick_sec = *per_pick;
      tx.exec_params("UPDATE drafts SET time_per_pick_sec = $2 WHERE id = $1",
                     draft_id, *per_pick);
    }
    long long last_seq = d.last_seq;
    std::optional<slot_row> on_clock;
    if (d.status == "IN_PROGRESS") {
      // Every client learns the new clock, in order, from a PickStarted for
      // the pick on the clock (its timeout unchanged unless remaining_sec).
      auto slot = *current_slot(tx, draft_id);
      if (remaining) {
        slot.timeout_at = db_now(tx) + std::int64_t{*remaining} * 1'000'000;
        tx.exec_params("UPDATE picks SET timeout_at = $2::timestamptz WHERE "
                       "id = $1",
                       slot.pick_id, format_rfc3339(slot.timeout_at));
      }
      append(tx, draft_id,
             pick_started_payload{slot.pick_id, slot.team_id, slot.round,
                                  slot.pick, slot.overall, slot.started_at,
                                  slot.timeout_at, d.time_per_pick_sec});
      ++last_seq;
      on_clock = slot;
    }
    logger::get("orchestrator")
      .info("clock set",
            {{"draft_id", draft_id},
             {"remaining_sec", static_cast<std::int64_t>(remaining.value_or(0))},
             {"time_per_pick_sec", static_cast<std::int64_t>(d.time_per_pick_sec)},
             {"by", who.subject}});
    return answer{false, json::write_object([&](json::object_writer& o) {
      o.str("draft_id", draft_id)
        .str("status", d.status)
        .num("time_per_pick_sec", d.time_per_pick_sec);
      if (on_clock)
        o.object("current_pick", [&](json::object_writer& p) {
          p.str("pick_id", on_clock->pick_id).time("timeout_at", on_clock->timeout_at);
        });
      o.num("last_seq", last_seq);
    })};
  });
}

} // namespace draft
