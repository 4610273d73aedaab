#include "command_support.hpp"

#include "protocol/json_writer.hpp"

#include "protocol/json_codec.hpp"
#include "protocol/uuid.hpp"
#include "runtime/random_uuid.hpp"
#include "runtime/trace_context.hpp"

namespace draft {

std::string actor_name(const jwt_claims& who) {
  if (who.subject.size() <= max_by_bytes)
    return who.subject;
  auto cut = max_by_bytes;
  while (cut > 0 && (static_cast<unsigned char>(who.subject[cut]) & 0xC0) == 0x80)
    --cut; // never split a multi-byte character
  return who.subject.substr(0, cut);
}

void require_uuid(const std::string& id, const char* what) {
  if (!is_uuid(id))
    throw command_error{refusal::invalid, "invalid_id",
                        std::string(what) + " must be a UUID, got \"" + id
                          + "\""};
}

draft_row lock_draft(pqxx::work& tx, const std::string& id) {
  require_uuid(id, "the draft id");
  auto rows = tx.exec_params(
    "SELECT id, type, status, rounds, time_per_pick_sec, team_count, last_seq, "
      + sql_micros("coalesce(started_at, now())")
      + " FROM drafts WHERE id = $1 FOR UPDATE",
    id);
  if (rows.empty())
    throw command_error{refusal::not_found, "unknown_draft", "no draft with id " + id};
  auto r = rows[0];
  return {r[0].as<std::string>(), r[1].as<std::string>(),
          r[2].as<std::string>(), r[3].as<int>(),
          r[4].as<int>(),         r[5].as<int>(),
          r[6].as<long long>(),   r[7].as<long long>()};
}

std::optional<slot_row> current_slot(pqxx::work& tx, const std::string& id) {
  auto rows = tx.exec_params(
    "SELECT p.id, p.team_id, t.name, p.round, p.pick, p.overall_pick, "
      + sql_micros("coalesce(p.started_at, now())") + ", "
      + sql_micros("coalesce(p.timeout_at, now())")
      + " FROM picks p JOIN teams t ON t.id = p.team_id"
        " WHERE p.draft_id = $1 AND p.player_id IS NULL"
        " ORDER BY p.overall_pick LIMIT 1",
    id);
  if (rows.empty())
    return std::nullopt;
  auto r = rows[0];
  return slot_row{r[0].as<std::string>(), r[1].as<std::string>(),
                  r[2].as<std::string>(), r[3].as<int>(),
                  r[4].as<int>(),         r[5].as<int>(),
                  r[6].as<long long>(),   r[7].as<long long>()};
}

timestamp db_now(pqxx::work& tx) {
  return tx
    .exec1("SELECT " + sql_micros("date_trunc('milliseconds', clock_timestamp())"))
      [0]
    .as<long long>();
}

void append(pqxx::work& tx, const std::string& draft_id,
            const event_payload& payload) {
  auto type = static_cast<event_type>(payload.index());
  auto event_id = random_uuid();
  // The command's trace context goes with the row (NULL outside a trace).
  auto trace = current_traceparent();
  std::optional<std::string> traceparent;
  if (!trace.empty())
    traceparent = trace;
  auto seq = tx.exec_params1(
                 "SELECT draft_append_event($1, $2, $3, $4::jsonb, $5)",
                 draft_id, event_id, to_string(type),
                 json::encode_payload(payload), traceparent)[0]
               .as<long long>();
  default_metrics()
    .get_counter("orchestrator_events_written_total",
                 "Events appended to the outbox.", {{"type", to_string(type)}})
    .inc();
  logger::get("orchestrator")
    .info("event written", {{"draft_id", draft_id},
                            {"event_id", event_id},
                            {"type", to_string(type)},
                            {"seq", static_cast<std::int64_t>(seq)}});
}

void start_clock(pqxx::work& tx, const draft_row& d, const slot_row& slot,
                 timestamp now, int seconds) {
  timestamp timeout = now + std::int64_t{seconds} * 1'000'000;
  tx.exec_params("UPDATE picks SET started_at = $2::timestamptz, timeout_at = "
                 "$3::timestamptz WHERE id = $1",
                 slot.pick_id, format_rfc3339(now), format_rfc3339(timeout));
  append(tx, d.id,
         pick_started_payload{slot.pick_id, slot.team_id, slot.round,
                              slot.pick, slot.overall, now, timeout,
                              d.time_per_pick_sec});
}

void apply_pick(pqxx::work& tx, const draft_row& d, const slot_row& slot,
                const std::string& player_id, const std::string& player_name,
                const pick_origin& origin, timestamp now) {
  std::optional<std::string> source, by;
  if (origin.automatic)
    source = origin.autopick_source;
  else
    by = origin.by;
  tx.exec_params("UPDATE picks SET player_id = $2, picked_at = "
                 "$3::timestamptz, auto_picked = $4, autopick_source = $5, "
                 "picked_by = $6 WHERE id = $1",
                 slot.pick_id, player_id, format_rfc3339(now), origin.automatic,
                 source, by);
  // Queues are private: leaving them writes no event.
  tx.exec_params("DELETE FROM team_queues WHERE draft_id = $1 AND player_id = $2",
                 d.id, player_id);
  append(tx, d.id,
         pick_made_payload{slot.pick_id, player_id,
                           slot.team_id, slot.round, slot.pick, slot.overall,
                           player_name, slot.team_name, now, origin.automatic,
                           source.value_or(""), by.value_or("")});
  if (auto next = current_slot(tx, d.id)) {
    start_clock(tx, d, *next, now, d.time_per_pick_sec);
    return;
  }
  tx.exec_params("UPDATE drafts SET status = 'COMPLETED', completed_at = "
                 "$2::timestamptz WHERE id = $1",
                 d.id, format_rfc3339(now));
  append(tx, d.id,
         draft_completed_payload{d.id, now,
                                 format_go_duration(now - d.started_at),
                                 d.total_picks()});
}

const char* const pool_filter
  = "(d.pool_positions IS NULL OR pl.position = ANY(d.pool_positions))"
    " AND (d.pool_max_rank IS NULL OR pl.rank <= d.pool_max_rank)";

std::string require_available(pqxx::work& tx, const std::string& draft_id,
                              const std::string& player_id) {
  auto p = tx.exec_params(
    std::string("SELECT pl.name, ") + pool_filter
      + ", EXISTS (SELECT 1 FROM picks WHERE draft_id = $2 AND player_id = "
        "pl.id) FROM players pl, drafts d WHERE pl.id = $1 AND d.id = $2",
    player_id, draft_id);
  if (p.empty())
    throw command_error{refusal::not_found, "unknown_player", "no player with id " + player_id};
  auto name = p[0][0].as<std::string>();
  if (!p[0][1].as<bool>())
    throw command_error{refusal::unprocessable, "player_not_in_pool",
                        name + " is outside this draft's player pool"};
  if (p[0][2].as<bool>())
    throw command_error{refusal::conflict, "player_already_drafted",
                        name + " has already been drafted"};
  return name;
}

bool is_manager(const jwt_claims& who, const std::string& draft_id) {
  return who.user_role == role::admin
         || (who.user_role == role::commissioner
             && (draft_id.empty() || who.may_read_draft(draft_id)));
}

void require_manager(const jwt_claims& who, const std::string& draft_id) {
  if (!is_manager(who, draft_id))
    throw command_error{refusal::forbidden, "forbidden",
                        "this needs role commissioner (for this draft) or "
                        "admin"};
}

void require_reader(pqxx::work& tx, const jwt_claims& who,
                    const std::string& draft_id) {
  if (who.may_read_draft(draft_id) || who.user_role != role::none)
    return;
  bool team_of_draft = !who.team_id.empty() && is_uuid(who.team_id)
                       && !tx.exec_params("SELECT 1 FROM teams WHERE id = $1 "
                                          "AND draft_id = $2",
                                          who.team_id, draft_id)
                             .empty();
  if (!team_of_draft)
    throw command_error{refusal::forbidden, "forbidden", "this token may not read the draft"};
}

void require_status(const draft_row& d, const char* wanted,
                    const char* action) {
  if (d.status != wanted)
    throw command_error{refusal::conflict, "invalid_state",
                        std::string("cannot ") + action + " a draft that is "
                          + d.status + " (it must be " + wanted + ")"};
}

rapidjson::Document parse_body(const std::string& body) {
  rapidjson::Document doc;
  if (auto p = json::parse_object(body, json::limits{}, doc))
    throw command_error{refusal::invalid, "malformed_json", p->to_string()};
  return doc;
}

void check(const json::object_reader& r) {
  if (r.error())
    throw command_error{refusal::invalid, "invalid_field", r.error()->to_string()};
}

std::string state_body(const draft_row& d, const char* status,
                       long long last_seq) {
  return json::write_object([&](json::object_writer& o) {
    o.str("draft_id", d.id).str("status", status).num("last_seq", last_seq);
  });
}

} // namespace draft
