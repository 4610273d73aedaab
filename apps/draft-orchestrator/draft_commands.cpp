#include "draft_commands.hpp"

#include "command_support.hpp"
#include "draft_order.hpp"
#include "protocol/json_codec.hpp"
#include "protocol/json_writer.hpp"
#include "runtime/draft_queries.hpp"
#include "protocol/uuid.hpp"
#include "runtime/config.hpp"
#include "runtime/trace_context.hpp"

namespace draft {

namespace {

constexpr int max_rounds = 50;
constexpr int min_teams = 2;
constexpr int max_teams = 32;

const char* positions[] = {"QB", "RB", "WR", "TE", "K", "DEF"};

bool is_position(const std::string& p) {
  for (auto known : positions)
    if (p == known)
      return true;
  return false;
}

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? "," : "") + items[i];
  return out + "}";
}

} // namespace

command_result draft_commands::create(const jwt_claims& who,
                                     const std::string& body) {
  return run(pool_, "create", [&](pqxx::work& tx) {
    require_manager(who, "");
    auto doc = parse_body(body);
    json::object_reader r(doc, "");
    std::string type;
    std::int32_t rounds = 0, clock = 0;
    if (r.string("type", type, 16) && type != "snake" && type != "linear")
      r.fail("type", "expected \"snake\" or \"linear\"");
    r.int32("rounds", rounds, 1, max_rounds);
    r.int32("time_per_pick_sec", clock, 1, max_clock_sec);
    check(r);
    std::vector<std::string> teams;
    auto teams_it = doc.FindMember("teams");
    if (teams_it == doc.MemberEnd() || !teams_it->value.IsArray())
      throw command_error{refusal::invalid, "invalid_field",
                          "teams: expected an array of team names"};
    for (auto& t : teams_it->value.GetArray()) {
      if (!t.IsString() || t.GetStringLength() == 0 || t.GetStringLength() > 100)
        throw command_error{refusal::invalid, "invalid_field",
                            "teams: each team name must be a string of 1 to "
                            "100 bytes"};
      std::string name(t.GetString(), t.GetStringLength());
      for (unsigned char c : name)
        if (c < 0x20 || c == 0x7f)
          throw command_error{refusal::invalid, "invalid_field",
                              "teams: a team name may not hold control "
                              "characters (NUL, tab, newline, ...)"};
      for (auto& seen : teams)
        if (seen == name)
          throw command_error{refusal::invalid, "invalid_field",
                              "teams: duplicate team name \"" + name + "\""};
      teams.push_back(name);
    }
    if (teams.size() < min_teams || teams.size() > max_teams)
      throw command_error{refusal::invalid, "invalid_field",
                          "teams: a draft needs 2 to 32 teams, got "
                            + std::to_string(teams.size())};
    // Optional pool: {"positions": [...], "max_rank": N}.
    std::optional<std::string> pool_positions;
    std::optional<int> pool_max_rank;
    if (!r.is_null("player_pool")) {
      const rapidjson::Value* pool = nullptr;
      r.object("player_pool", pool);
      check(r);
      json::object_reader pr(*pool, "player_pool");
      if (!pr.is_null("max_rank")) {
        std::int32_t max_rank = 0;
        pr.int32("max_rank", max_rank, 1, 100000);
        pool_max_rank = max_rank;
      }
      check(pr);
      auto pos = pool->FindMember("positions");
      if (pos != pool->MemberEnd() && !pos->value.IsNull()) {
        std::vector<std::string> list;
        if (!pos->value.IsArray())
          throw command_error{refusal::invalid, "invalid_field",
                              "player_pool.positions: expected an array"};
        for (auto& p : pos->value.GetArray()) {
          if (!p.IsString() || !is_position(p.GetString()))
            throw command_error{refusal::invalid, "invalid_field",
                                "player_pool.positions: each must be one of "
                                "QB, RB, WR, TE, K, DEF"};
          list.push_back(p.GetString());
        }
        pool_positions = array_literal(list);
      }
    }
    auto id = tx.exec1("SELECT gen_random_uuid()")[0].as<std::string>();
    tx.exec_params("INSERT INTO drafts (id, type, rounds, time_per_pick_sec, "
                   "team_count, pool_positions, pool_max_rank) VALUES ($1, $2, "
                   "$3, $4, $5, $6::text[], $7)",
                   id, type, rounds, clock, static_cast<int>(teams.size()),
                   pool_positions, pool_max_rank);
    auto available = tx.exec_params1(std::string("SELECT count(*) FROM "
                                                 "players pl, drafts d WHERE "
                                                 "d.id = $1 AND ")
                                       + pool_filter,
                                     id)[0]
                       .as<int>();
    int needed = rounds * static_cast<int>(teams.size());
    if (available < needed)
      throw command_error{refusal::invalid, "pool_too_small",
                          "the player pool has " + std::to_string(available)
                            + " players but " + std::to_string(rounds)
                            + " rounds of " + std::to_string(teams.size())
                            + " teams need " + std::to_string(needed)};
    std::vector<std::string> team_ids;
    for (size_t i = 0; i < teams.size(); ++i) {
      auto team_id = tx.exec_params1("INSERT INTO teams (id, draft_id, name, "
                                     "draft_position) VALUES "
                                     "(gen_random_uuid(), $1, $2, $3) "
                                     "RETURNING id",
                                     id, teams[i], static_cast<int>(i + 1))[0]
                       .as<std::string>();
      team_ids.push_back(team_id);
    }
    std::vector<std::string> pick_ids;
    auto board = draft_board(type, static_cast<int>(teams.size()), rounds);
    for (auto& slot : board) {
      auto& team_id = team_ids[static_cast<size_t>(slot.team_position - 1)];
      auto pick_id = tx.exec_params1("INSERT INTO picks (id, draft_id, round, "
                                     "pick, overall_pick, team_id) VALUES "
                                     "(gen_random_uuid(), $1, $2, $3, $4, $5) "
                                     "RETURNING id",
                                     id, slot.round, slot.pick,
                                     slot.overall_pick, team_id)[0]
                       .as<std::string>();
      pick_ids.push_back(pick_id);
    }
    logger::get("orchestrator")
      .info("draft created", {{"draft_id", id}, {"by", who.subject}});
    return answer{true, json::write_object([&](json::object_writer& o) {
      o.str("draft_id", id)
        .str("type", type)
        .str("status", "NOT_STARTED")
        .num("rounds", rounds)
        .num("time_per_pick_sec", clock);
      std::size_t i = 0;
      o.objects("teams", teams, [&](json::object_writer& t, const std::string& name) {
        t.str("team_id", team_ids[i])
          .str("name", name)
          .num("draft_position", static_cast<std::int64_t>(i + 1));
        ++i;
      });
      std::size_t k = 0;
      o.objects("picks", board, [&](json::object_writer& p, const auto& slot) {
        p.str("pick_id", pick_ids[k++])
          .num("round", slot.round)
          .num("pick", slot.pick)
          .num("overall_pick", slot.overall_pick)
          .str("team_id", team_ids[static_cast<size_t>(slot.team_position - 1)]);
      });
    })};
  });
}

command_result draft_commands::describe(const jwt_claims& who,
                                       const std::string& draft_id) {
  return run(pool_, "describe", [&](pqxx::work& tx) {
    require_uuid(draft_id, "the draft id");
    auto state = read_draft_state(tx, draft_id);
    if (!state)
      throw command_error{refusal::not_found, "unknown_draft", "no draft with id " + draft_id};
    require_reader(tx, who, draft_id);
    struct team { std::string id, name; int position; };
    std::vector<team> teams;
    for (auto t : tx.exec_params("SELECT id, name, draft_position FROM teams "
                                 "WHERE draft_id = $1 ORDER BY draft_position",
                                 draft_id))
      teams.push_back({t[0].as<std::string>(), t[1].as<std::string>(),
                       t[2].as<int>()});
    auto& s = state->snapshot;
    return answer{false, json::write_object([&](json::object_writer& o) {
      o.str("draft_id", s.draft_id)
        .str("type", state->type)
        .str("status", to_string(s.status))
        .num("rounds", state->rounds)
        .num("time_per_pick_sec", state->time_per_pick_sec)
        .num("last_seq", s.last_seq)
        .num("total_picks", s.total_picks)
        .num("completed_picks", s.completed_picks);
      if (s.pick)
        o.object("current_pick", [&](json::object_writer& p) {
          p.str("pick_id", s.pick->pick_id)
            .str("team_id", s.pick->team_id)
            .num("round", s.pick->round)
            .num("pick", s.pick->pick)
            .num("overall_pick", s.pick->overall_pick)
            .time("started_at", s.pick->started_at)
            .time("timeout_at", s.pick->timeout_at);
        });
      else
        o.null("current_pick");
      o.objects("teams", teams, [](json::object_writer& t, const team& x) {
        t.str("team_id", x.id).str("name", x.name).num("draft_position", x.position);
      });
    })};
  });
}

command_result draft_commands::start(const jwt_claims& who,
                                    const std::string& draft_id) {
  return run(pool_, "start", [&](pqxx::work& tx) {
    require_uuid(draft_id, "the draft id");
    require_manager(who, draft_id);
    auto d = lock_draft(tx, draft_id);
    require_status(d, "NOT_STARTED", "start");
    auto now = db_now(tx);
    d.started_at = now;
    tx.exec_params("UPDATE drafts SET status = 'IN_PROGRESS', started_at = "
                   "$2::timestamptz WHERE id = $1",
                   draft_id, format_rfc3339(now));
    append(tx, draft_id,
           draft_started_payload{draft_id, d.type, now, d.rounds,
                                 d.total_picks()});
    start_clock(tx, d, *current_slot(tx, draft_id), now, d.time_per_pick_sec);
    return answer{false, state_body(d, "IN_PROGRESS", d.last_seq + 2)};
  });
}

command_result draft_commands::pause(const jwt_claims& who,
                                    const std::string& draft_id) {
  return run(pool_, "pause", [&](pqxx::work& tx) {
    require_uuid(draft_id, "the draft id");
    require_manager(who, draft_id);
    auto d = lock_draft(tx, draft_id);
    require_status(d, "IN_PROGRESS", "pause");
    auto now = db_now(tx);
    auto slot = *current_slot(tx, draft_id);
    auto remaining_us = std::max<std::int64_t>(0, slot.timeout_at - now);
    auto remaining = static_cast<std::int32_t>((remaining_us + 999'999) / 1'000'000);
    tx.exec_params("UPDATE drafts SET status = 'PAUSED', paused_at = "
                   "$2::timestamptz WHERE id = $1",
                   draft_id, format_rfc3339(now));
    append(tx, draft_id,
           draft_paused_payload{draft_id, now, slot.pick_id, slot.overall,
                                remaining});
    return answer{false, state_body(d, "PAUSED", d.last_seq + 1)};
  });
}

command_result draft_commands::resume(const jwt_claims& who,
                                     const std::string& draft_id) {
  return run(pool_, "resume", [&](pqxx::work& tx) {
    require_uuid(draft_id, "the draft id");
    require_manager(who, draft_id);
    auto d = lock_draft(tx, draft_id);
    require_status(d, "PAUSED", "resume");
    auto now = db_now(tx);
    auto slot = *current_slot(tx, draft_id);
    tx.exec_params("UPDATE drafts SET status = 'IN_PROGRESS', paused_at = NULL "
                   "WHERE id = $1",
                   draft_id);
    append(tx, draft_id,
           draft_resumed_payload{draft_id, now, slot.pick_id, slot.overall});
    // A fresh, full timer for the team on the clock.
    start_clock(tx, d, slot, now, d.time_per_pick_sec);
    return answer{false, state_body(d, "IN_PROGRESS", d.last_seq + 2)};
  });
}

command_result draft_commands::pick(const jwt_claims& who,
                                   const std::string& draft_id,
                                   const std::string& body) {
  return run(pool_, "pick", [&](pqxx::work& tx) {
    require_uuid(draft_id, "the draft id");
    auto doc = parse_body(body);
    json::object_reader r(doc, "");
    std::string player_id, pick_id;
    r.uuid("player_id", player_id);
    if (!r.is_null("pick_id"))
      r.uuid("pick_id", pick_id);
    check(r);
    // Before the lock: a token that is neither a manager of the draft nor one
    // of its teams learns nothing of the draft's state.
    if (!is_manager(who, draft_id)
        && (!is_uuid(who.team_id)
            || tx.exec_params("SELECT 1 FROM teams WHERE id = $1 AND "
                              "draft_id = $2",
                              who.team_id, draft_id)
                 .empty()))
      throw command_error{refusal::forbidden, "forbidden",
                          "this token may not pick in this draft (it is "
                          "neither one of its teams nor its commissioner)"};
    auto d = lock_draft(tx, draft_id);
    require_status(d, "IN_PROGRESS", "pick in");
    auto slot = *current_slot(tx, draft_id);
    if (!pick_id.empty() && pick_id != slot.pick_id)
      throw command_error{refusal::conflict, "pick_not_on_clock",
                          "pick " + pick_id
                            + " is not on the clock (it was made already or "
                              "is not this draft's); the clock is on overall "
                              "pick "
                            + std::to_string(slot.overall)};
    // A commissioner may pick for the team on the clock (a force pick); the
    // PickMade's `by` says who picked.
    if (!is_manager(who, draft_id) && who.team_id != slot.team_id)
      throw command_error{refusal::forbidden, "not_your_turn",
                          "overall pick " + std::to_string(slot.overall)
                            + " belongs to team " + slot.team_name};
    auto player_name = require_available(tx, draft_id, player_id);
    auto now = db_now(tx);
    apply_pick(tx, d, slot, player_id, player_name,
               pick_origin{false, "", actor_name(who)}, now);
    return answer{true, json::write_object([&](json::object_writer& o) {
      o.str("pick_id", slot.pick_id)
        .num("overall_pick", slot.overall)
        .str("player_id", player_id)
        .str("team_id", slot.team_id);
    })};
  });
}

command_result
draft_commands::players(const jwt_claims& who, const std::string& draft_id,
                        const std::map<std::string, std::string>& query) {
  return run(pool_, "players", [&](pqxx::work& tx) {
    require_uuid(draft_id, "the draft id");
    auto get = [&](const char* key) {
      auto it = query.find(key);
      return it == query.end() ? std::optional<std::string>()
                               : std::optional<std::string>(it->second);
    };
    std::int64_t limit = 50;
    if (auto l = get("limit"); l && !parse_integer(*l, 1, 100, limit))
      throw command_error{refusal::invalid, "invalid_query",
                          "limit must be an integer from 1 to 100"};
    // A rank: it cannot wrap past INT32_MAX into an earlier page.
    std::int64_t after_rank = 0;
    if (auto c = get("cursor"); c && !parse_integer(*c, 1, INT32_MAX, after_rank))
      throw command_error{refusal::invalid, "invalid_cursor",
                          "cursor must be a next_cursor value from an "
                          "earlier page"};
    std::optional<std::string> position = get("position");
    if (position && !is_position(*position))
      throw command_error{refusal::invalid, "invalid_query",
                          "position must be one of QB, RB, WR, TE, K, DEF"};
    std::optional<bool> available;
    if (auto a = get("available")) {
      if (*a != "true" && *a != "false")
        throw command_error{refusal::invalid, "invalid_query",
                            "available must be true or false"};
      available = *a == "true";
    }
    if (tx.exec_params("SELECT 1 FROM drafts WHERE id = $1", draft_id).empty())
      throw command_error{refusal::not_found, "unknown_draft", "no draft with id " + draft_id};
    require_reader(tx, who, draft_id);
    auto rows = tx.exec_params(
      std::string("SELECT pl.id, pl.name, pl.position, pl.nfl_team, pl.rank, "
                  "pk.team_id FROM players pl JOIN drafts d ON d.id = $1 "
                  "LEFT JOIN picks pk ON pk.draft_id = d.id AND pk.player_id = "
                  "pl.id WHERE ")
        + pool_filter
        + " AND ($2::text IS NULL OR pl.position = $2) AND ($3::boolean IS "
          "NULL OR (pk.id IS NULL) = $3) AND pl.rank > $4 ORDER BY pl.rank "
          "LIMIT $5",
      draft_id, position, available, static_cast<int>(after_rank), limit + 1);
    std::vector<pqxx::row> page;
    for (auto row : rows)
      if (static_cast<int>(page.size()) < limit)
        page.push_back(row);
    bool more = static_cast<int>(rows.size()) > limit;
    return answer{false, json::write_object([&](json::object_writer& o) {
      o.objects("players", page, [](json::object_writer& p, const pqxx::row& r) {
        p.str("player_id", r[0].as<std::string>())
          .str("name", r[1].as<std::string>())
          .str("position", r[2].as<std::string>())
          .str("nfl_team", r[3].as<std::string>())
          .num("rank", r[4].as<long long>())
          .boolean("available", r[5].is_null());
        if (r[5].is_null())
          p.null("drafted_by");
        else
          p.str("drafted_by", r[5].as<std::string>());
      });
      if (more)
        o.str("next_cursor", page.back()[4].as<std::string>());
      else
        o.null("next_cursor");
    })};
  });
}

} // namespace draft
