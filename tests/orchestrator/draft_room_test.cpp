// The draft-room rules against a real PostgreSQL: pick queues and autopick,
// the commissioner's undo, clock control, and every refusal. The clock is
// driven by moving `timeout_at` into the past, never by sleeping.

#include <future>
#include <iostream>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "orchestrator_fixture.hpp"
#include "protocol/json_codec.hpp"

using namespace draft;
using namespace draft::testing;

namespace {

std::string draft_path(const std::string& id, const std::string& rest) {
  return "/api/drafts/" + id + rest;
}

std::string queue_path(const std::string& id, const std::string& team) {
  return draft_path(id, "/teams/" + team + "/queue");
}

std::string ids_body(const std::vector<std::string>& players) {
  std::string out = "{\"player_ids\":[";
  for (size_t i = 0; i < players.size(); ++i)
    out += (i ? ",\"" : "\"") + players[i] + "\"";
  return out + "]}";
}

// The pick on the clock runs out now; the clock loop autopicks it.
void expire_and_autopick(orchestrator_fixture& f, const std::string& id) {
  f.expire_current_pick(id);
  ASSERT_TRUE(f.commands().autopick_one_overdue());
}

// The draft's outbox events from seq `after` on, decoded.
std::vector<draft_event> events_after(orchestrator_fixture& f,
                                      const std::string& id, long after) {
  pqxx::connection c(f.url());
  pqxx::nontransaction tx(c);
  std::vector<draft_event> out;
  for (auto r : tx.exec_params("SELECT seq, event_type, payload::text FROM "
                               "draft_outbox WHERE draft_id = $1 AND seq > $2 "
                               "ORDER BY seq",
                               id, after)) {
    event_type type;
    EXPECT_TRUE(parse_event_type(r[1].as<std::string>(), type));
    auto payload = json::decode_payload(type, r[2].as<std::string>());
    EXPECT_TRUE(payload) << payload.error().to_string();
    if (payload)
      out.push_back(draft_event{"", id, 0, r[0].as<long>(), *payload});
  }
  return out;
}

std::vector<std::string> types_of(const std::vector<draft_event>& events) {
  std::vector<std::string> out;
  for (auto& e : events)
    out.push_back(to_string(e.type()));
  return out;
}

long last_seq(orchestrator_fixture& f, const std::string& id) {
  return describe(f, id)["last_seq"].GetInt64();
}

// The last PickMade's payload.
pick_made_payload last_pick_made(orchestrator_fixture& f, const std::string& id) {
  pick_made_payload out;
  for (auto& e : events_after(f, id, 0))
    if (auto p = std::get_if<pick_made_payload>(&e.data))
      out = *p;
  return out;
}

std::vector<std::string> queue_of(orchestrator_fixture& f, const std::string& id,
                                  const std::string& team) {
  auto res = f.call("GET", queue_path(id, team), "", team_token(team));
  EXPECT_EQ(res.status, 200) << res.body;
  std::vector<std::string> out;
  auto doc = parse_json(res.body);
  for (auto& p : doc["players"].GetArray())
    out.push_back(str(p["player_id"]));
  return out;
}

// Picks the best available player for whoever is on the clock.
int pick_best(orchestrator_fixture& f, const std::string& id,
              const std::string& pick_id = "") {
  auto res = f.call("GET", draft_path(id, "/players"), "", commissioner_token(),
                    {{"available", "true"}, {"limit", "1"}});
  auto player = str(parse_json(res.body)["players"][0]["player_id"]);
  return f.call("POST", draft_path(id, "/picks"), pick_body(player, pick_id),
                commissioner_token())
    .status;
}

std::string current_pick_id(orchestrator_fixture& f, const std::string& id) {
  return str(describe(f, id)["current_pick"]["pick_id"]);
}

} // namespace

TEST(draft_room, autopick_takes_the_queue_in_order_then_the_best_rank) {
  orchestrator_fixture f;
  // Snake, 2 teams: team 1 has overall picks 1, 4, 5, 8; team 2 has 2, 3, 6, 7.
  auto created = f.create("snake", 2, 4, 60);
  auto id = str(created["draft_id"]);
  auto teams = team_ids(created);
  std::vector<std::string> wanted = {player_at_rank(f.url(), 10),
                                     player_at_rank(f.url(), 11),
                                     player_at_rank(f.url(), 12),
                                     player_at_rank(f.url(), 13)};
  auto put = f.call("PUT", queue_path(id, teams[0]), ids_body(wanted),
                    team_token(teams[0]));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(queue_of(f, id, teams[0]), wanted);
  ASSERT_EQ(f.call("POST", draft_path(id, "/start"), "", commissioner_token())
              .status,
            200);

  expire_and_autopick(f, id); // overall 1, team 1: its first choice
  auto first = last_pick_made(f, id);
  EXPECT_EQ(first.player_id, wanted[0]);
  EXPECT_TRUE(first.auto_picked);
  EXPECT_EQ(first.autopick_source, "queue");
  // Team 2 takes team 1's second choice by hand; it leaves team 1's queue.
  ASSERT_EQ(f.call("POST", draft_path(id, "/picks"), pick_body(wanted[1]),
                   team_token(teams[1]))
              .status,
            201);
  auto by_hand = last_pick_made(f, id);
  EXPECT_FALSE(by_hand.auto_picked);
  EXPECT_EQ(by_hand.autopick_source, "");
  EXPECT_EQ(by_hand.by, "manager");
  EXPECT_EQ(queue_of(f, id, teams[0]),
            (std::vector<std::string>{wanted[2], wanted[3]}));
  expire_and_autopick(f, id); // overall 3, team 2 has no queue: best rank
  auto ranked = last_pick_made(f, id);
  EXPECT_EQ(ranked.player_id, player_at_rank(f.url(), 1));
  EXPECT_EQ(ranked.autopick_source, "rank");
  expire_and_autopick(f, id); // overall 4, team 1
  EXPECT_EQ(last_pick_made(f, id).player_id, wanted[2]);
  expire_and_autopick(f, id); // overall 5, team 1
  EXPECT_EQ(last_pick_made(f, id).player_id, wanted[3]);
  EXPECT_EQ(last_pick_made(f, id).autopick_source, "queue");
  EXPECT_TRUE(queue_of(f, id, teams[0]).empty());
  expire_and_autopick(f, id); // overall 6, team 2: rank 2
  EXPECT_EQ(last_pick_made(f, id).player_id, player_at_rank(f.url(), 2));
  // The picks rows say the same as the events.
  pqxx::connection c(f.url());
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec_params1("SELECT string_agg(coalesce(autopick_source, "
                            "'-'), ',' ORDER BY overall_pick) FROM picks WHERE "
                            "draft_id = $1 AND player_id IS NOT NULL",
                            id)[0]
              .as<std::string>(),
            "queue,-,rank,queue,queue,rank");
}

TEST(draft_room, a_queue_is_private_and_writes_no_event) {
  orchestrator_fixture f;
  auto created = f.create("linear", 3, 2, 60);
  auto id = str(created["draft_id"]);
  auto teams = team_ids(created);
  auto before = last_seq(f, id);
  auto body = ids_body({player_at_rank(f.url(), 5), player_at_rank(f.url(), 3)});
  EXPECT_EQ(f.call("PUT", queue_path(id, teams[1]), body, team_token(teams[1]))
              .status,
            200);
  // A commissioner may set it too, and an empty list clears it.
  EXPECT_EQ(f.call("PUT", queue_path(id, teams[2]), body, commissioner_token())
              .status,
            200);
  EXPECT_EQ(f.call("PUT", queue_path(id, teams[2]), ids_body({}),
                   commissioner_token())
              .status,
            200);
  EXPECT_TRUE(queue_of(f, id, teams[2]).empty());
  EXPECT_EQ(queue_of(f, id, teams[1]).size(), 2u);
  EXPECT_EQ(last_seq(f, id), before);
  // Another team, and a reader of every draft, may not read it.
  EXPECT_EQ(f.call("GET", queue_path(id, teams[1]), "", team_token(teams[0]))
              .status,
            403);
  auto reader = token_with(R"("sub":"viewer","drafts":["*"])");
  EXPECT_EQ(f.call("GET", queue_path(id, teams[1]), "", reader).status, 403);
}

TEST(draft_room, undo_twice_then_picks_continue_to_completion) {
  orchestrator_fixture f;
  auto created = f.create("snake", 3, 2, 60);
  auto id = str(created["draft_id"]);
  f.call("POST", draft_path(id, "/start"), "", commissioner_token());
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(pick_best(f, id), 201);
  auto third = str(created["picks"][2]["pick_id"]);
  auto second = str(created["picks"][1]["pick_id"]);
  auto seq = last_seq(f, id);
  auto res = f.call("POST", draft_path(id, "/undo"),
                    "{\"pick_id\":\"" + third + "\"}", commissioner_token());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(parse_json(res.body)["last_seq"].GetInt64(), seq + 2);
  res = f.call("POST", draft_path(id, "/undo"), "", commissioner_token());
  ASSERT_EQ(res.status, 200) << res.body;
  auto events = events_after(f, id, seq);
  EXPECT_EQ(types_of(events),
            (std::vector<std::string>{"PickUndone", "PickStarted", "PickUndone",
                                      "PickStarted"}));
  auto& undone = std::get<pick_undone_payload>(events[2].data);
  EXPECT_EQ(undone.pick_id, second);
  EXPECT_EQ(undone.overall_pick, 2);
  EXPECT_EQ(undone.by, "commish");
  EXPECT_EQ(std::get<pick_started_payload>(events[3].data).pick_id, second);
  auto state = describe(f, id);
  EXPECT_EQ(state["completed_picks"].GetInt(), 1);
  EXPECT_EQ(str(state["current_pick"]["pick_id"]), second);
  // The players are available again: the best is the one undone at overall 2.
  EXPECT_EQ(str(parse_json(f.call("GET", draft_path(id, "/players"), "",
                                  commissioner_token(),
                                  {{"available", "true"}, {"limit", "1"}})
                             .body)["players"][0]["player_id"]),
            player_at_rank(f.url(), 2));
  while (describe(f, id)["status"] != "COMPLETED")
    ASSERT_EQ(pick_best(f, id), 201);
  EXPECT_EQ(outbox_problems(f.url(), id), std::vector<std::string>{});
}

TEST(draft_room, undo_after_completion_reopens_the_draft) {
  orchestrator_fixture f;
  auto created = f.create("linear", 2, 1, 60);
  auto id = str(created["draft_id"]);
  f.call("POST", draft_path(id, "/start"), "", commissioner_token());
  ASSERT_EQ(pick_best(f, id), 201);
  ASSERT_EQ(pick_best(f, id), 201);
  ASSERT_EQ(describe(f, id)["status"], "COMPLETED");
  auto seq = last_seq(f, id);
  auto res = f.call("POST", draft_path(id, "/undo"), "", commissioner_token());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(types_of(events_after(f, id, seq)),
            (std::vector<std::string>{"PickUndone", "DraftResumed",
                                      "PickStarted"}));
  auto state = describe(f, id);
  EXPECT_EQ(state["status"], "IN_PROGRESS");
  EXPECT_EQ(state["current_pick"]["overall_pick"].GetInt(), 2);
  expire_and_autopick(f, id); // the reopened slot runs on the clock again
  EXPECT_EQ(describe(f, id)["status"], "COMPLETED");
  EXPECT_EQ(outbox_problems(f.url(), id), std::vector<std::string>{});
}

TEST(draft_room, undo_while_paused_stays_paused_until_resumed) {
  orchestrator_fixture f;
  auto created = f.create("linear", 2, 2, 60);
  auto id = str(created["draft_id"]);
  f.call("POST", draft_path(id, "/start"), "", commissioner_token());
  ASSERT_EQ(pick_best(f, id), 201);
  f.call("POST", draft_path(id, "/pause"), "", commissioner_token());
  ASSERT_EQ(f.call("POST", draft_path(id, "/undo"), "", commissioner_token())
              .status,
            200);
  EXPECT_EQ(describe(f, id)["status"], "PAUSED");
  EXPECT_EQ(describe(f, id)["current_pick"]["overall_pick"].GetInt(), 1);
  // Paused: no autopick, whatever the clock says.
  {
    pqxx::connection c(f.url());
    pqxx::nontransaction tx(c);
    tx.exec_params("UPDATE picks SET timeout_at = clock_timestamp() - "
                   "interval '1 second' WHERE draft_id = $1 AND timeout_at "
                   "IS NOT NULL AND player_id IS NULL",
                   id);
  }
  EXPECT_FALSE(f.commands().autopick_one_overdue());
  f.call("POST", draft_path(id, "/resume"), "", commissioner_token());
  while (describe(f, id)["status"] != "COMPLETED")
    ASSERT_EQ(pick_best(f, id), 201);
  EXPECT_EQ(outbox_problems(f.url(), id), std::vector<std::string>{});
}

TEST(draft_room, concurrent_undo_and_pick_one_wins_the_other_gets_409) {
  orchestrator_fixture f;
  auto created = f.create("snake", 4, 3, 60);
  auto id = str(created["draft_id"]);
  f.call("POST", draft_path(id, "/start"), "", commissioner_token());
  ASSERT_EQ(pick_best(f, id), 201);
  int undo_won = 0, pick_won = 0;
  for (int round = 0; round < 8; ++round) {
    auto state = describe(f, id);
    auto on_clock = current_pick_id(f, id);
    auto last_made = str(
      created["picks"][state["completed_picks"].GetInt() - 1]["pick_id"]);
    auto available = parse_json(f.call("GET", draft_path(id, "/players"), "",
                                       commissioner_token(),
                                       {{"available", "true"}, {"limit", "1"}})
                                  .body);
    auto player = str(available["players"][0]["player_id"]);
    std::promise<void> go;
    auto ready = go.get_future().share();
    auto undo = std::async(std::launch::async, [&] {
      ready.wait();
      return f.call("POST", draft_path(id, "/undo"),
                    "{\"pick_id\":\"" + last_made + "\"}", commissioner_token());
    });
    auto pick = std::async(std::launch::async, [&] {
      ready.wait();
      return f.call("POST", draft_path(id, "/picks"),
                    pick_body(player, on_clock), commissioner_token());
    });
    go.set_value();
    auto u = undo.get();
    auto p = pick.get();
    ASSERT_TRUE((u.status == 200 && p.status == 409)
                || (u.status == 409 && p.status == 201))
      << "undo " << u.status << " " << u.body << "; pick " << p.status << " "
      << p.body;
    EXPECT_EQ(str(parse_json(u.status == 409 ? u.body : p.body)["error"]),
              u.status == 409 ? "not_last_pick" : "pick_not_on_clock");
    (u.status == 200 ? undo_won : pick_won)++;
    if (describe(f, id)["completed_picks"].GetInt() == 0) {
      ASSERT_EQ(pick_best(f, id), 201);
    }
  }
  std::cout << "undo won " << undo_won << ", pick won " << pick_won << "\n";
  while (describe(f, id)["status"] != "COMPLETED")
    ASSERT_EQ(pick_best(f, id), 201);
  EXPECT_EQ(outbox_problems(f.url(), id), std::vector<std::string>{});
}

TEST(draft_room, the_clock_is_set_for_this_pick_and_for_the_rest) {
  orchestrator_fixture f;
  auto created = f.create("linear", 2, 2, 60);
  auto id = str(created["draft_id"]);
  f.call("POST", draft_path(id, "/start"), "", commissioner_token());
  auto seq = last_seq(f, id);
  pqxx::connection c(f.url());
  auto db_now = [&] {
    pqxx::nontransaction tx(c);
    return tx.exec1("SELECT (extract(epoch from clock_timestamp()) * "
                    "1000000)::bigint")[0]
      .as<long long>();
  };
  auto before = db_now();
  auto res = f.call("POST", draft_path(id, "/clock"), R"({"remaining_sec":5})",
                    commissioner_token());
  ASSERT_EQ(res.status, 200) << res.body;
  auto after = db_now();
  auto events = events_after(f, id, seq);
  ASSERT_EQ(types_of(events), std::vector<std::string>{"PickStarted"});
  // A copy: `events` is assigned again below (ASan caught the dangling
  // reference this was).
  auto restarted = std::get<pick_started_payload>(events[0].data);
  EXPECT_EQ(restarted.pick_id, str(created["picks"][0]["pick_id"]));
  // Event times are written with millisecond precision: compare at that.
  EXPECT_GE(restarted.timeout_at, before / 1000 * 1000 + 5'000'000);
  EXPECT_LE(restarted.timeout_at, after + 5'000'000);
  EXPECT_EQ(restarted.time_per_pick_sec, 60);
  auto state = describe(f, id);
  EXPECT_EQ(str(state["current_pick"]["timeout_at"]),
            format_rfc3339(restarted.timeout_at));

  // The rest of the draft: the current pick keeps its time, later picks get
  // the new clock.
  res = f.call("POST", draft_path(id, "/clock"), R"({"time_per_pick_sec":20})",
               commissioner_token());
  ASSERT_EQ(res.status, 200) << res.body;
  events = events_after(f, id, seq + 1);
  ASSERT_EQ(types_of(events), std::vector<std::string>{"PickStarted"});
  EXPECT_EQ(std::get<pick_started_payload>(events[0].data).timeout_at,
            restarted.timeout_at);
  EXPECT_EQ(std::get<pick_started_payload>(events[0].data).time_per_pick_sec, 20);
  ASSERT_EQ(pick_best(f, id), 201);
  events = events_after(f, id, seq + 2);
  ASSERT_EQ(types_of(events),
            (std::vector<std::string>{"PickMade", "PickStarted"}));
  auto next = std::get<pick_started_payload>(events[1].data);
  EXPECT_EQ(next.timeout_at - next.started_at, 20'000'000);
  EXPECT_EQ(next.time_per_pick_sec, 20);

  // Paused: the later clock may change (no event), this pick's may not.
  f.call("POST", draft_path(id, "/pause"), "", commissioner_token());
  seq = last_seq(f, id);
  EXPECT_EQ(f.call("POST", draft_path(id, "/clock"),
                   R"({"time_per_pick_sec":30})", commissioner_token())
              .status,
            200);
  EXPECT_EQ(last_seq(f, id), seq);
  EXPECT_EQ(describe(f, id)["time_per_pick_sec"].GetInt(), 30);
  f.call("POST", draft_path(id, "/resume"), "", commissioner_token());
  auto resumed = events_after(f, id, seq);
  ASSERT_EQ(types_of(resumed),
            (std::vector<std::string>{"DraftResumed", "PickStarted"}));
  EXPECT_EQ(std::get<pick_started_payload>(resumed[1].data).time_per_pick_sec,
            30);
}

TEST(draft_room, bad_input_is_refused_and_changes_nothing) {
  orchestrator_fixture f;
  auto created = f.create("snake", 3, 2, 60);
  auto id = str(created["draft_id"]);
  auto teams = team_ids(created);
  auto other = f.create("snake", 2, 1, 60);
  auto foreign_team = team_ids(other)[0];
  auto idle = str(other["draft_id"]);
  f.call("POST", draft_path(id, "/start"), "", commissioner_token());
  ASSERT_EQ(pick_best(f, id), 201);
  auto taken = player_at_rank(f.url(), 1);
  auto c = commissioner_token();
  std::vector<std::string> fifty_one;
  for (int rank = 10; rank < 61; ++rank)
    fifty_one.push_back(player_at_rank(f.url(), rank));
  auto queue = "/api/drafts/{id}/teams/" + teams[1] + "/queue";
  auto one = ids_body({player_at_rank(f.url(), 5)});
  const std::string nobody = "7d1c1b3e-0000-4000-8000-000000000000";
  std::vector<bad_case> cases = {
    {"queue_of_another_team", "PUT", queue, one, team_token(teams[0]), 403,
     "forbidden"},
    {"queue_read_by_another_team", "GET", queue, "", team_token(teams[0]), 403,
     "forbidden"},
    {"queue_unknown_player", "PUT", queue, ids_body({nobody}),
     team_token(teams[1]), 404, "unknown_player"},
    {"queue_of_51", "PUT", queue, ids_body(fifty_one), team_token(teams[1]), 400,
     "queue_too_long"},
    {"queue_drafted_player", "PUT", queue, ids_body({taken}), team_token(teams[1]),
     409, "player_already_drafted"},
    {"queue_twice_the_same", "PUT", queue,
     ids_body({player_at_rank(f.url(), 5), player_at_rank(f.url(), 5)}),
     team_token(teams[1]), 400, "invalid_field"},
    {"queue_not_uuid", "PUT", queue, R"({"player_ids":["mahomes"]})",
     team_token(teams[1]), 400, "invalid_field"},
    {"queue_not_a_list", "PUT", queue, R"({"player_ids":"all"})",
     team_token(teams[1]), 400, "invalid_field"},
    {"queue_not_json", "PUT", queue, "players", team_token(teams[1]), 400,
     "malformed_json"},
    {"queue_team_of_another_draft", "PUT",
     "/api/drafts/{id}/teams/" + foreign_team + "/queue", one, c, 404,
     "unknown_team"},
    {"queue_team_not_uuid", "GET", "/api/drafts/{id}/teams/seven/queue", "", c,
     400, "invalid_id"},
    {"queue_wrong_method", "POST", queue, one, c, 405, "method_not_allowed"},
    {"undo_nothing_to_undo", "POST", "/api/drafts/" + idle + "/undo", "", c, 409,
     "nothing_to_undo"},
    {"undo_by_a_team", "POST", "/api/drafts/{id}/undo", "", team_token(teams[1]),
     403, "forbidden"},
    {"undo_not_the_last_pick", "POST", "/api/drafts/{id}/undo",
     "{\"pick_id\":\"" + str(created["picks"][1]["pick_id"]) + "\"}", c, 409,
     "not_last_pick"},
    {"undo_pick_id_not_uuid", "POST", "/api/drafts/{id}/undo",
     R"({"pick_id":"last"})", c, 400, "invalid_field"},
    {"undo_unknown_draft", "POST", "/api/drafts/" + nobody + "/undo", "", c, 404,
     "unknown_draft"},
    {"clock_negative", "POST", "/api/drafts/{id}/clock", R"({"remaining_sec":-5})",
     c, 400, "invalid_field"},
    {"clock_zero_per_pick", "POST", "/api/drafts/{id}/clock",
     R"({"time_per_pick_sec":0})", c, 400, "invalid_field"},
    {"clock_too_long", "POST", "/api/drafts/{id}/clock",
     R"({"remaining_sec":99999})", c, 400, "invalid_field"},
    {"clock_empty", "POST", "/api/drafts/{id}/clock", "{}", c, 400,
     "invalid_field"},
    {"clock_by_a_team", "POST", "/api/drafts/{id}/clock",
     R"({"remaining_sec":30})", team_token(teams[1]), 403, "forbidden"},
    {"clock_not_started", "POST", "/api/drafts/" + idle + "/clock",
     R"({"remaining_sec":30})", c, 409, "invalid_state"},
  };
  expect_refused(f, cases, id);
}
