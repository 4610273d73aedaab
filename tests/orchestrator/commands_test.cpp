// The orchestrator's commands against a real PostgreSQL, through the same
// request handler the HTTP server calls.

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "orchestrator_fixture.hpp"
#include "protocol/time_format.hpp"

using namespace draft;
using namespace draft::testing;

namespace {

int count_where(const std::string& url, const std::string& sql,
                const std::string& arg) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec_params1(sql, arg)[0].as<int>();
}

} // namespace

TEST(orchestrator_commands, a_snake_draft_seats_every_overall_pick_right) {
  orchestrator_fixture f;
  auto created = f.create("snake", 12, 15, 60);
  auto teams = team_ids(created);
  ASSERT_EQ(teams.size(), 12u);
  // Independent table: seats 1..12, reversed after every round.
  std::vector<int> seats;
  std::vector<int> order{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  for (int r = 0; r < 15; ++r) {
    seats.insert(seats.end(), order.begin(), order.end());
    std::reverse(order.begin(), order.end());
  }
  auto& picks = created["picks"];
  ASSERT_EQ(picks.Size(), 180u);
  pqxx::connection c(f.url());
  pqxx::nontransaction tx(c);
  auto stored = tx.exec_params(
    "SELECT p.overall_pick, t.draft_position, p.round, p.pick FROM picks p "
    "JOIN teams t ON t.id = p.team_id WHERE p.draft_id = $1 ORDER BY "
    "p.overall_pick",
    str(created["draft_id"]));
  ASSERT_EQ(stored.size(), 180u);
  for (rapidjson::SizeType i = 0; i < picks.Size(); ++i) {
    int seat = seats[i];
    EXPECT_EQ(str(picks[i]["team_id"]), teams[static_cast<size_t>(seat - 1)])
      << "overall " << i + 1;
    EXPECT_EQ(stored[i][1].as<int>(), seat) << "overall " << i + 1;
    EXPECT_EQ(stored[i][2].as<int>(), static_cast<int>(i / 12 + 1));
    EXPECT_EQ(stored[i][3].as<int>(), static_cast<int>(i % 12 + 1));
  }
}

TEST(orchestrator_commands, two_concurrent_picks_for_one_slot_one_wins) {
  orchestrator_fixture f;
  auto created = f.create("snake", 3, 2, 60);
  auto id = str(created["draft_id"]);
  ASSERT_EQ(f.call("POST", "/api/drafts/" + id + "/start", "",
                   commissioner_token())
              .status,
            200);
  auto slot = describe(f, id);
  auto pick_id = str(slot["current_pick"]["pick_id"]);
  auto token = team_token(str(slot["current_pick"]["team_id"]));
  std::vector<int> statuses(2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([&, i] {
      statuses[static_cast<size_t>(i)]
        = f.call("POST", "/api/drafts/" + id + "/picks",
                 pick_body(player_at_rank(f.url(), 10 + i), pick_id), token)
            .status;
    });
  for (auto& t : threads)
    t.join();
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{201, 409}));
  EXPECT_EQ(count_where(f.url(),
                        "SELECT count(*) FROM draft_outbox WHERE draft_id = $1 "
                        "AND event_type = 'PickMade'",
                        id),
            1);
}

TEST(orchestrator_commands, one_player_picked_concurrently_by_two_slots) {
  orchestrator_fixture f;
  auto created = f.create("snake", 3, 2, 60);
  auto id = str(created["draft_id"]);
  f.call("POST", "/api/drafts/" + id + "/start", "", commissioner_token());
  auto player = player_at_rank(f.url(), 5);
  std::vector<http_response> answers(2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([&, i] {
      // A commissioner picks for whichever slot is on the clock.
      answers[static_cast<size_t>(i)] = f.call(
        "POST", "/api/drafts/" + id + "/picks", pick_body(player),
        commissioner_token());
    });
  for (auto& t : threads)
    t.join();
  auto won = std::count_if(answers.begin(), answers.end(),
                           [](auto& a) { return a.status == 201; });
  EXPECT_EQ(won, 1);
  for (auto& a : answers)
    if (a.status != 201) {
      EXPECT_EQ(a.status, 409);
      EXPECT_NE(a.body.find("player_already_drafted"), std::string::npos)
        << a.body;
    }
  EXPECT_EQ(count_where(f.url(),
                        "SELECT count(*) FROM picks WHERE player_id = $1",
                        player),
            1);
}

TEST(orchestrator_commands, teams_play_a_draft_to_completion) {
  orchestrator_fixture f;
  auto created = f.create("snake", 3, 2, 60);
  auto id = str(created["draft_id"]);
  f.call("POST", "/api/drafts/" + id + "/start", "", commissioner_token());
  for (int rank = 1; rank <= 6; ++rank) {
    auto slot = describe(f, id);
    ASSERT_TRUE(slot["current_pick"].IsObject());
    auto res = f.call("POST", "/api/drafts/" + id + "/picks",
                      pick_body(player_at_rank(f.url(), rank)),
                      team_token(str(slot["current_pick"]["team_id"])));
    ASSERT_EQ(res.status, 201) << res.body;
  }
  auto final_state = describe(f, id);
  EXPECT_EQ(str(final_state["status"]), "COMPLETED");
  EXPECT_TRUE(final_state["current_pick"].IsNull());
  EXPECT_EQ(outbox_problems(f.url(), id), std::vector<std::string>{});
  EXPECT_EQ(count_where(f.url(),
                        "SELECT count(*) FROM picks WHERE draft_id = $1 AND "
                        "auto_picked",
                        id),
            0);
}

TEST(orchestrator_commands, pause_stops_the_clock_and_resume_restarts_it) {
  orchestrator_fixture f;
  auto id = str(f.create("linear", 2, 1, 30)["draft_id"]);
  f.call("POST", "/api/drafts/" + id + "/start", "", commissioner_token());
  EXPECT_EQ(f.call("POST", "/api/drafts/" + id + "/pause", "",
                   commissioner_token())
              .status,
            200);
  EXPECT_EQ(str(describe(f, id)["status"]), "PAUSED");
  // No pick while paused.
  auto refused = f.call("POST", "/api/drafts/" + id + "/picks",
                        pick_body(player_at_rank(f.url(), 1)),
                        commissioner_token());
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(f.call("POST", "/api/drafts/" + id + "/resume", "",
                   commissioner_token())
              .status,
            200);
  pqxx::connection c(f.url());
  pqxx::nontransaction tx(c);
  auto events = tx.exec_params("SELECT event_type, payload FROM draft_outbox "
                               "WHERE draft_id = $1 ORDER BY seq",
                               id);
  std::vector<std::string> types;
  for (auto e : events)
    types.push_back(e[0].as<std::string>());
  EXPECT_EQ(types, (std::vector<std::string>{"DraftStarted", "PickStarted",
                                             "DraftPaused", "DraftResumed",
                                             "PickStarted"}));
  // The time left is the clock's, at the pause: from the PickStarted's
  // timeout and the DraftPaused's instant, rounded up to a second.
  auto started = parse_json(events[1][1].as<std::string>());
  auto paused = parse_json(events[2][1].as<std::string>());
  auto timeout_at = parse_rfc3339(started["timeout_at"].GetString());
  auto paused_at = parse_rfc3339(paused["paused_at"].GetString());
  ASSERT_TRUE(timeout_at && paused_at);
  auto left_us = std::max<std::int64_t>(0, *timeout_at - *paused_at);
  EXPECT_EQ(paused["time_remaining_sec"].GetInt(), (left_us + 999'999) / 1'000'000);
  // The fresh timer is the full clock.
  auto restarted = tx.exec_params1(
    "SELECT extract(epoch FROM timeout_at - started_at)::int FROM picks WHERE "
    "draft_id = $1 AND overall_pick = 1",
    id);
  EXPECT_EQ(restarted[0].as<int>(), 30);
}

TEST(orchestrator_commands, players_paginate_the_pool_exactly_once) {
  orchestrator_fixture f;
  auto id = str(f.create("snake", 2, 1, 60)["draft_id"]);
  f.call("POST", "/api/drafts/" + id + "/start", "", commissioner_token());
  auto first = player_at_rank(f.url(), 1);
  ASSERT_EQ(f.call("POST", "/api/drafts/" + id + "/picks", pick_body(first),
                   commissioner_token())
              .status,
            201);
  std::vector<int> ranks;
  std::map<std::string, std::string> query{{"limit", "37"}};
  for (int page = 0; page < 20; ++page) {
    auto res = f.call("GET", "/api/drafts/" + id + "/players", "",
                      commissioner_token(), query);
    ASSERT_EQ(res.status, 200) << res.body;
    auto doc = parse_json(res.body);
    for (auto& p : doc["players"].GetArray()) {
      ranks.push_back(p["rank"].GetInt());
      EXPECT_EQ(p["available"].GetBool(), str(p["player_id"]) != first);
    }
    if (doc["next_cursor"].IsNull())
      break;
    query["cursor"] = str(doc["next_cursor"]);
  }
  ASSERT_EQ(ranks.size(), 300u);
  for (size_t i = 0; i < ranks.size(); ++i)
    EXPECT_EQ(ranks[i], static_cast<int>(i + 1));
  auto available = f.call("GET", "/api/drafts/" + id + "/players", "",
                          commissioner_token(),
                          {{"available", "true"}, {"position", "QB"},
                           {"limit", "100"}});
  auto doc = parse_json(available.body);
  for (auto& p : doc["players"].GetArray()) {
    EXPECT_EQ(str(p["position"]), "QB");
    EXPECT_TRUE(p["available"].GetBool());
  }
}

TEST(orchestrator_commands, bad_input_is_refused_and_changes_nothing) {
  orchestrator_fixture f;
  auto created = f.create("snake", 3, 2, 60);
  auto id = str(created["draft_id"]);
  auto teams = team_ids(created);
  auto idle = str(f.create("snake", 2, 1, 60)["draft_id"]);
  f.call("POST", "/api/drafts/" + id + "/start", "", commissioner_token());
  auto taken = player_at_rank(f.url(), 1);
  ASSERT_EQ(f.call("POST", "/api/drafts/" + id + "/picks", pick_body(taken),
                   commissioner_token())
              .status,
            201);
  auto on_clock = str(describe(f, id)["current_pick"]["team_id"]);
  auto off_clock = *std::find_if(teams.begin(), teams.end(),
                                 [&](auto& t) { return t != on_clock; });
  auto c = commissioner_token();
  auto create = [](const std::string& fields) {
    return "{" + fields + "}";
  };
  const std::string good_teams = R"("teams":["A","B"])";
  std::vector<bad_case> cases = {
    {"malformed_json", "POST", "/api/drafts", "{\"type\":", c, 400, "malformed_json"},
    {"rounds_zero", "POST", "/api/drafts",
     create(R"("type":"snake","rounds":0,"time_per_pick_sec":60,)" + good_teams), c,
     400, "invalid_field"},
    {"rounds_negative", "POST", "/api/drafts",
     create(R"("type":"snake","rounds":-3,"time_per_pick_sec":60,)" + good_teams), c,
     400, "invalid_field"},
    {"rounds_absurd", "POST", "/api/drafts",
     create(R"("type":"snake","rounds":1000,"time_per_pick_sec":60,)" + good_teams),
     c, 400, "invalid_field"},
    {"clock_zero", "POST", "/api/drafts",
     create(R"("type":"snake","rounds":2,"time_per_pick_sec":0,)" + good_teams), c,
     400, "invalid_field"},
    {"clock_absurd", "POST", "/api/drafts",
     create(R"("type":"snake","rounds":2,"time_per_pick_sec":999999,)" + good_teams),
     c, 400, "invalid_field"},
    {"clock_string", "POST", "/api/drafts",
     create(R"("type":"snake","rounds":2,"time_per_pick_sec":"60",)" + good_teams),
     c, 400, "invalid_field"},
    {"one_team", "POST", "/api/drafts",
     create(R"("type":"snake","rounds":2,"time_per_pick_sec":60,"teams":["A"])"), c,
     400, "invalid_field"},
    {"duplicate_team", "POST", "/api/drafts",
     create(R"("type":"snake","rounds":2,"time_per_pick_sec":60,"teams":["A","A"])"),
     c, 400, "invalid_field"},
    {"unknown_type", "POST", "/api/drafts",
     create(R"("type":"auction","rounds":2,"time_per_pick_sec":60,)" + good_teams),
     c, 400, "invalid_field"},
    {"pool_too_small", "POST", "/api/drafts",
     create(R"("type":"snake","rounds":20,"time_per_pick_sec":60,)" + good_teams
            + R"(,"player_pool":{"positions":["K"]})"),
     c, 400, "pool_too_small"},
    {"no_token", "POST", "/api/drafts", create(good_teams), "", 401, "unauthorized"},
    {"bad_token", "POST", "/api/drafts", create(good_teams), "abc.def.ghi", 401,
     "token_bad_base64"},
    {"not_a_commissioner", "POST", "/api/drafts", create(good_teams),
     team_token(on_clock), 403, "forbidden"},
    {"unknown_draft", "POST", "/api/drafts/7d1c1b3e-0000-4000-8000-000000000000/start",
     "", c, 404, "unknown_draft"},
    {"draft_id_not_uuid", "POST", "/api/drafts/abc/start", "", c, 400,
     "invalid_id"},
    {"start_twice", "POST", "/api/drafts/{id}/start", "", c, 409, "invalid_state"},
    {"resume_running", "POST", "/api/drafts/{id}/resume", "", c, 409,
     "invalid_state"},
    {"pick_before_start", "POST", "/api/drafts/" + idle + "/picks",
     pick_body(player_at_rank(f.url(), 2)), c, 409, "invalid_state"},
    {"not_your_turn", "POST", "/api/drafts/{id}/picks",
     pick_body(player_at_rank(f.url(), 2)), team_token(off_clock), 403,
     "not_your_turn"},
    {"already_drafted", "POST", "/api/drafts/{id}/picks", pick_body(taken),
     team_token(on_clock), 409, "player_already_drafted"},
    {"unknown_player", "POST", "/api/drafts/{id}/picks",
     pick_body("7d1c1b3e-0000-4000-8000-000000000000"), team_token(on_clock),
     404, "unknown_player"},
    {"player_not_uuid", "POST", "/api/drafts/{id}/picks",
     R"({"player_id":"mahomes"})", team_token(on_clock), 400, "invalid_field"},
    {"stale_pick_id", "POST", "/api/drafts/{id}/picks",
     pick_body(player_at_rank(f.url(), 2), str(created["picks"][0]["pick_id"])),
     team_token(on_clock), 409, "pick_not_on_clock"},
    {"pick_body_not_json", "POST", "/api/drafts/{id}/picks", "player=1",
     team_token(on_clock), 400, "malformed_json"},
    {"bad_cursor", "GET", "/api/drafts/{id}/players", "", c, 400,
     "invalid_cursor", {{"cursor", "abc"}}},
    {"bad_limit", "GET", "/api/drafts/{id}/players", "", c, 400,
     "invalid_query", {{"limit", "0"}}},
    {"bad_position", "GET", "/api/drafts/{id}/players", "", c, 400,
     "invalid_query", {{"position", "GOALIE"}}},
    {"wrong_method", "DELETE", "/api/drafts/{id}/start", "", c, 405,
     "method_not_allowed"},
    {"unknown_endpoint", "POST", "/api/drafts/{id}/rewind", "", c, 404,
     "not_found"},
    // An outsider learns nothing of the draft's state (not "not started").
    {"outsider_pick", "POST", "/api/drafts/" + idle + "/picks",
     pick_body(player_at_rank(f.url(), 2)), team_token(on_clock), 403,
     "forbidden"},
    {"team_name_with_nul", "POST", "/api/drafts",
     create(R"("type":"snake","rounds":2,"time_per_pick_sec":60,"teams":["A\u0000B","C"])"),
     c, 400, "invalid_field"},
    {"team_name_with_newline", "POST", "/api/drafts",
     create(R"("type":"snake","rounds":2,"time_per_pick_sec":60,"teams":["A\nB","C"])"),
     c, 400, "invalid_field"},
    {"cursor_that_would_wrap", "GET", "/api/drafts/{id}/players", "", c, 400,
     "invalid_cursor", {{"cursor", "4294967297"}}},
    {"cursor_beyond_int64", "GET", "/api/drafts/{id}/players", "", c, 400,
     "invalid_cursor", {{"cursor", "99999999999999999999"}}},
    {"limit_with_a_sign", "GET", "/api/drafts/{id}/players", "", c, 400,
     "invalid_query", {{"limit", "+5"}}},
    // ?token= is for reading only: never on a command.
    {"token_in_the_query_of_a_command", "POST", "/api/drafts/{id}/pause", "", "",
     401, "unauthorized", {{"token", c}}},
  };
  expect_refused(f, cases, id);
}

TEST(orchestrator_commands, the_bearer_scheme_is_case_insensitive_and_token_reads_work) {
  orchestrator_fixture f;
  auto id = str(f.create("snake", 2, 1, 60)["draft_id"]);
  for (auto scheme : {"Bearer ", "bearer ", "BEARER  "}) {
    http_request req;
    req.method = "GET";
    req.path = "/api/drafts/" + id;
    req.headers["authorization"] = scheme + commissioner_token();
    EXPECT_EQ(f.api().handle(req).status, 200) << scheme;
  }
  for (auto bad : {"Basic abc", "Bearer", "Bearer ", "Bearertoken"}) {
    http_request req;
    req.method = "GET";
    req.path = "/api/drafts/" + id;
    req.headers["authorization"] = bad;
    EXPECT_EQ(f.api().handle(req).status, 401) << bad;
  }
  // A read may carry the token in the query (links, EventSource).
  EXPECT_EQ(f.call("GET", "/api/drafts/" + id, "", "",
                   {{"token", commissioner_token()}})
              .status,
            200);
}
