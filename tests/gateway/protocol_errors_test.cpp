// What a client can get wrong, and what the node does on shutdown: each
// refusal has its status or close code and says why.

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <csignal>
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "gateway_fixture.hpp"
#include "runtime/jwt.hpp"
#include "support/http_client.hpp"

using namespace draft::testing;
using namespace std::chrono_literals;

namespace {

int handshake_status(gateway_fixture& f, const std::string& draft_id,
                     const std::string& token, std::string& body) {
  int status = 0;
  auto client = ws_client::connect(f.gateway_port(),
                                   "/drafts/" + draft_id + "/connect", token,
                                   status, body);
  return status;
}

std::string unsigned_token() {
  // {"alg":"none"} . {"sub":"x","exp":9999999999,"drafts":["*"]} .
  return "eyJhbGciOiJub25lIn0."
         "eyJzdWIiOiJ4IiwiZXhwIjo5OTk5OTk5OTk5LCJkcmFmdHMiOlsiKiJdfQ.";
}

} // namespace

TEST(gateway_errors, every_auth_failure_gets_its_status_before_the_upgrade) {
  gateway_fixture f;
  auto id = f.create_draft(2, 1, 600);
  std::string body;
  EXPECT_EQ(handshake_status(f, id, "", body), 401);
  EXPECT_EQ(handshake_status(f, id, signed_token(R"("sub":"u","drafts":["*"])", -120), body),
            401);
  EXPECT_NE(body.find("token_expired"), std::string::npos) << body;
  auto good = reader_token("u");
  auto tampered = good;
  auto& c = tampered[tampered.size() - 10]; // inside the signature
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(handshake_status(f, id, tampered, body), 401);
  EXPECT_NE(body.find("token_bad_signature"), std::string::npos) << body;
  EXPECT_EQ(handshake_status(f, id, unsigned_token(), body), 401);
  EXPECT_NE(body.find("token_alg_none"), std::string::npos) << body;
  auto other = signed_token(
    R"("sub":"u","drafts":["11111111-1111-4111-8111-111111111111"])");
  EXPECT_EQ(handshake_status(f, id, other, body), 403);
  EXPECT_EQ(handshake_status(f, "22222222-2222-4222-8222-222222222222", good,
                             body),
            404);
  EXPECT_NE(body.find("unknown_draft"), std::string::npos) << body;
  // The REST API applies the same rules.
  EXPECT_EQ(http_call(f.gateway_port(), "GET", "/api/drafts/" + id + "/state")
              .status,
            401);
  EXPECT_EQ(http_call(f.gateway_port(), "GET", "/api/drafts/" + id + "/state",
                      "", other)
              .status,
            403);
  EXPECT_GE(f.metric("gateway_refusals_total{reason=\"token_expired\"}"), 1);
}

TEST(gateway_errors, picks_paginate_exactly_once_and_bad_cursors_are_400) {
  gateway_fixture f;
  auto id = f.create_draft(3, 3, 600);
  ASSERT_EQ(f.command(id, "start"), 200);
  for (int i = 0; i < 7; ++i)
    ASSERT_EQ(f.pick_best(id), 201);
  auto token = reader_token("pager");
  std::vector<int> overall;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto res = http_call(f.gateway_port(), "GET",
                         "/api/drafts/" + id + "/picks?limit=3"
                           + (cursor.empty() ? "" : "&cursor=" + cursor),
                         "", token);
    ASSERT_EQ(res.status, 200) << res.body;
    rapidjson::Document doc;
    doc.Parse(res.body.c_str());
    for (auto& p : doc["picks"].GetArray())
      overall.push_back(p["overall_pick"].GetInt());
    if (doc["next_cursor"].IsNull())
      break;
    cursor = doc["next_cursor"].GetString();
  }
  EXPECT_EQ(overall, (std::vector<int>{1, 2, 3, 4, 5, 6, 7}));
  for (auto bad : {"cursor=abc", "cursor=33333333-3333-4333-8333-333333333333",
                   "limit=0", "limit=101", "limit=ten"}) {
    auto res = http_call(f.gateway_port(), "GET",
                         "/api/drafts/" + id + "/picks?" + bad, "", token);
    EXPECT_EQ(res.status, 400) << bad << ": " << res.body;
    EXPECT_NE(res.body.find("\"message\""), std::string::npos);
  }
  auto state = http_call(f.gateway_port(), "GET", "/api/drafts/" + id + "/state",
                         "", token);
  ASSERT_EQ(state.status, 200);
  rapidjson::Document doc;
  doc.Parse(state.body.c_str());
  EXPECT_EQ(doc["completed_picks"].GetInt(), 7);
  EXPECT_EQ(std::string(doc["status"].GetString()), "IN_PROGRESS");
  // The time left agrees with the database's clock (to the second it
  // rounds to; the two are read a moment apart).
  auto left = doc["current_pick"]["time_remaining_sec"].GetInt();
  auto by_database = f.scalar(
    "SELECT ceil(extract(epoch FROM timeout_at - clock_timestamp()))::bigint "
    "FROM picks WHERE draft_id = '" + id + "' AND player_id IS NULL AND "
    "timeout_at IS NOT NULL ORDER BY overall_pick LIMIT 1");
  EXPECT_GT(left, 0);
  EXPECT_LE(left, 600);
  EXPECT_LE(std::abs(left - by_database), 1) << left << " vs " << by_database;
}

TEST(gateway_errors, client_messages_pong_or_close_with_a_reason) {
  gateway_fixture f(std::map<std::string, std::string>{{"GATEWAY_MAX_MESSAGE_BYTES", "256"}});
  auto id = f.create_draft(2, 1, 600);
  auto c = f.open(id, "pinger");
  ASSERT_TRUE(c && c->read_one());
  c->client().send(R"({"type":"ping","nonce":"n-1"})");
  ASSERT_TRUE(c->read_one());
  EXPECT_EQ(c->pongs(), 1);
  c->client().send(R"({"type":"subscribe"})");
  EXPECT_FALSE(c->read_one(10s));
  EXPECT_EQ(c->client().close_code(), 4000);
  EXPECT_NE(c->client().close_reason().find("unknown message type"),
            std::string::npos)
    << c->client().close_reason();

  auto big = f.open(id, "talker");
  ASSERT_TRUE(big && big->read_one());
  big->client().send(R"({"type":"ping","nonce":")" + std::string(1000, 'x')
                     + "\"}");
  EXPECT_FALSE(big->read_one(10s));
  EXPECT_EQ(big->client().close_code(), 4009);
}

TEST(gateway_errors, a_session_ends_with_4001_when_its_token_expires) {
  gateway_fixture f(std::map<std::string, std::string>{{"DRAFT_JWT_LEEWAY_SEC", "0"}});
  auto id = f.create_draft(2, 1, 600);
  int status = 0;
  std::string body;
  auto client = ws_client::connect(
    f.gateway_port(), "/drafts/" + id + "/connect",
    signed_token(R"("sub":"brief","drafts":["*"])", 2), status, body);
  ASSERT_TRUE(client) << status << " " << body;
  draft_listener brief(std::move(client));
  ASSERT_TRUE(brief.read_one()); // the snapshot
  auto lasting = f.open(id, "lasting");
  ASSERT_TRUE(lasting && lasting->read_one());
  while (brief.read_one(10s)) {
  }
  EXPECT_EQ(brief.client().close_code(), 4001);
  EXPECT_NE(brief.client().close_reason().find("token expired"),
            std::string::npos);
  EXPECT_EQ(f.metric("gateway_closes_total{reason=\"token_expired\"}"), 1);
  // A token valid for an hour is unaffected.
  ASSERT_EQ(f.command(id, "start"), 200);
  EXPECT_TRUE(lasting->read_until("DraftStarted", 10s));
}

TEST(gateway_errors, a_token_valid_for_centuries_keeps_its_session) {
  // exp in the year 3000 must not overflow the expiry timer (it used to
  // close the session with 4001 at once).
  gateway_fixture f;
  auto id = f.create_draft(2, 1, 600);
  int status = 0;
  std::string body;
  auto client = ws_client::connect(
    f.gateway_port(), "/drafts/" + id + "/connect",
    draft::sign_hs256(R"({"sub":"forever","drafts":["*"],"exp":32503680000})",
                      gateway_secret),
    status, body);
  ASSERT_TRUE(client) << status << " " << body;
  draft_listener forever(std::move(client));
  ASSERT_TRUE(forever.read_one()); // the snapshot
  forever.client().send(R"({"type":"ping","nonce":"still-there"})");
  ASSERT_TRUE(forever.read_one(10s)) << "closed with "
                                     << forever.client().close_code();
  EXPECT_EQ(forever.pongs(), 1);
  ASSERT_EQ(f.command(id, "start"), 200);
  EXPECT_TRUE(forever.read_until("DraftStarted", 10s));
}

TEST(gateway_errors, a_last_seq_beyond_int64_is_refused_not_clamped) {
  gateway_fixture f;
  auto id = f.create_draft(2, 1, 600);
  for (auto bad : {"99999999999999999999", "9223372036854775808", "-1", "+5",
                   "%205", "5x", ""}) {
    int status = 0;
    std::string body;
    auto client = ws_client::connect(
      f.gateway_port(), "/drafts/" + id + "/connect?last_seq=" + std::string(bad),
      reader_token("overflow"), status, body);
    EXPECT_FALSE(client) << bad;
    EXPECT_EQ(status, 400) << bad << ": " << body;
    EXPECT_NE(body.find("invalid_last_seq"), std::string::npos) << body;
  }
  int status = 0;
  std::string body;
  EXPECT_TRUE(ws_client::connect(f.gateway_port(),
                                 "/drafts/" + id
                                   + "/connect?last_seq=9223372036854775807",
                                 reader_token("largest"), status, body))
    << status << " " << body;
}

TEST(gateway_errors, shutdown_closes_clients_with_1001) {
  gateway_fixture f;
  auto id = f.create_draft(2, 1, 600);
  auto c = f.open(id, "stayer");
  ASSERT_TRUE(c && c->read_one());
  f.gateway().process->signal(SIGTERM);
  EXPECT_FALSE(c->read_one(10s));
  EXPECT_EQ(c->client().close_code(), 1001);
}

TEST(gateway_errors, connection_limits_refuse_clearly_and_are_counted) {
  gateway_fixture f(std::map<std::string, std::string>{
    {"GATEWAY_MAX_CONNECTIONS_PER_USER", "2"}, {"GATEWAY_MAX_CONNECTIONS", "3"}});
  auto id = f.create_draft(2, 1, 600);
  auto a = f.open(id, "greedy");
  auto b = f.open(id, "greedy");
  ASSERT_TRUE(a && b);
  std::string body;
  int status = 0;
  auto third = ws_client::connect(f.gateway_port(), "/drafts/" + id + "/connect",
                                  reader_token("greedy"), status, body);
  EXPECT_FALSE(third);
  EXPECT_EQ(status, 429);
  EXPECT_NE(body.find("too_many_connections"), std::string::npos) << body;
  auto other = f.open(id, "someone-else");
  ASSERT_TRUE(other);
  auto fourth = ws_client::connect(f.gateway_port(), "/drafts/" + id + "/connect",
                                   reader_token("late"), status, body);
  EXPECT_FALSE(fourth);
  EXPECT_EQ(status, 503);
  EXPECT_NE(body.find("node_full"), std::string::npos) << body;
  // At least once each (the test client asks a refused upgrade twice to read
  // its body).
  EXPECT_GE(f.metric("gateway_refusals_total{reason=\"too_many_connections\"}"), 1);
  EXPECT_GE(f.metric("gateway_refusals_total{reason=\"node_full\"}"), 1);
}

TEST(gateway_errors, the_handshake_rate_is_limited) {
  gateway_fixture f(std::map<std::string, std::string>{
    {"GATEWAY_HANDSHAKES_PER_SECOND", "1"}});
  auto id = f.create_draft(2, 1, 600);
  // The bucket holds one token a second: a burst gets a refusal (up to 50
  // tries, so a slow machine that refills between tries still sees one).
  int refused = 0;
  for (int i = 0; i < 50 && refused == 0; ++i) {
    std::string body;
    int status = 0;
    auto c = ws_client::connect(f.gateway_port(), "/drafts/" + id + "/connect",
                                reader_token("u" + std::to_string(i)), status,
                                body);
    if (!c) {
      EXPECT_EQ(status, 429);
      EXPECT_NE(body.find("rate_limited"), std::string::npos) << body;
      ++refused;
    }
  }
  EXPECT_GE(refused, 1);
  EXPECT_GE(f.metric("gateway_refusals_total{reason=\"handshake_rate\"}"), refused);
}

TEST(gateway_errors, a_flood_of_bad_upgrades_does_not_lock_real_clients_out) {
  // A node-wide budget of 100 handshakes a second, then 2,000 upgrades with
  // bad tokens within about a second, from the same address as the real
  // client. Bad tokens never spend the node's budget (it is charged after
  // identity), and past its refusal budget the address's bad attempts are
  // closed unanswered. (The test client asks a refused upgrade again over
  // plain HTTP to read its status, so each attempt costs two refusals.)
  gateway_fixture f(std::map<std::string, std::string>{
    {"GATEWAY_HANDSHAKES_PER_SECOND", "100"}, {"GATEWAY_REFUSALS_PER_ADDRESS", "50"}});
  auto id = f.create_draft(2, 1, 600);
  std::atomic<int> answered{0}, dropped{0};
  std::vector<std::thread> attackers;
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < 4; ++t)
    attackers.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        int status = 0;
        std::string body;
        auto token = (i + t) % 2 ? std::string("abc.def.ghi")
                                 : std::string("not-a-token");
        auto c = ws_client::connect(f.gateway_port(),
                                    "/drafts/" + id + "/connect", token, status,
                                    body);
        EXPECT_FALSE(c);
        (status == 401 ? answered : dropped)++;
      }
    });
  for (auto& a : attackers)
    a.join();
  auto flood_ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - start)
                    .count();
  std::printf("[ flood ] 2000 bad upgrades in %.0f ms: %d answered 401, %d "
              "closed unanswered\n",
              flood_ms, answered.load(), dropped.load());
  // At once, a real client is admitted.
  int status = 0;
  std::string body;
  auto real = ws_client::connect(f.gateway_port(), "/drafts/" + id + "/connect",
                                 reader_token("real-fan"), status, body);
  ASSERT_TRUE(real) << status << ": " << body;
  draft_listener listener(std::move(real));
  EXPECT_TRUE(listener.read_one(10s));
  EXPECT_TRUE(listener.got_snapshot());
  EXPECT_GT(dropped.load(), 0); // the refusal budget cut the flood short
  EXPECT_GE(f.metric("gateway_refusals_total{reason=\"refusal_rate\"}"),
            dropped.load());
  EXPECT_EQ(f.metric("gateway_refusals_total{reason=\"handshake_rate\"}"), -1);
}

TEST(gateway_errors, rest_is_rate_limited_per_user_after_identity) {
  gateway_fixture f(std::map<std::string, std::string>{{"GATEWAY_REST_PER_USER", "1"}});
  auto id = f.create_draft(2, 1, 600);
  auto state = [&](const std::string& user) {
    return http_call(f.gateway_port(), "GET", "/api/drafts/" + id + "/state", "",
                     reader_token(user));
  };
  // A burst of two, then 429 for that user only.
  EXPECT_EQ(state("busy").status, 200);
  EXPECT_EQ(state("busy").status, 200);
  auto third = state("busy");
  EXPECT_EQ(third.status, 429) << third.body;
  EXPECT_NE(third.body.find("rate_limited"), std::string::npos);
  EXPECT_EQ(state("calm").status, 200);
  // Refused tokens are not charged to anyone's REST budget.
  EXPECT_EQ(http_call(f.gateway_port(), "GET", "/api/drafts/" + id + "/state", "",
                      "not-a-token")
              .status,
            401);
  EXPECT_GE(f.metric("gateway_refusals_total{reason=\"rest_rate\"}"), 1);
}

TEST(gateway_errors, made_up_draft_ids_spawn_no_actor) {
  gateway_fixture f;
  for (int i = 0; i < 50; ++i) {
    auto token = reader_token("prober-" + std::to_string(i)); // REST is per user
    char id[37];
    std::snprintf(id, sizeof id, "7d1c1b3e-0000-4000-8000-%012d", i);
    auto res = http_call(f.gateway_port(), "GET",
                         std::string("/api/drafts/") + id + "/state", "", token);
    EXPECT_EQ(res.status, 404) << res.body;
    // Asked again at once: refused from the negative cache, the same way.
    EXPECT_EQ(http_call(f.gateway_port(), "GET",
                        std::string("/api/drafts/") + id + "/state", "", token)
                .status,
              404);
  }
  // No draft actor was ever spawned for them (the gauge is set on a spawn).
  EXPECT_LE(f.metric("gateway_draft_actors"), 0);
  auto real = f.create_draft(2, 1, 600);
  EXPECT_EQ(http_call(f.gateway_port(), "GET", "/api/drafts/" + real + "/state", "",
                      reader_token("prober"))
              .status,
            200);
  EXPECT_EQ(f.metric("gateway_draft_actors"), 1);
}
