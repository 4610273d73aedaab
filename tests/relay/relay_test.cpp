// The outbox relay against a real PostgreSQL and a real nats-server (started
// by ./dev test; one test starts its own to play "broker down at start").

#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <nats/nats.h>
#include <pqxx/pqxx>
#include <rapidjson/document.h>
#include <unistd.h>

#include "protocol/json_codec.hpp"
#include "publishers.hpp"
#include "relay_test_support.hpp"
#include "relay_worker.hpp"
#include "runtime/metrics.hpp"
#include "support/process.hpp"
#include "support/test_database.hpp"

using namespace draft;
using namespace draft::relay;
using namespace std::chrono_literals;
using draft::testing::test_database;

namespace {

std::string nats_url() {
  auto env = std::getenv("DRAFT_TEST_NATS_URL");
  if (!env)
    throw std::runtime_error("DRAFT_TEST_NATS_URL is not set: run the broker "
                             "tests through ./dev test");
  return env;
}

// A subject prefix and stream name no other test uses.
std::string unique(const std::string& what) {
  static int n = 0;
  return what + std::to_string(getpid()) + "_" + std::to_string(++n);
}

struct nats_client {
  explicit nats_client(const std::string& url) {
    EXPECT_EQ(natsConnection_ConnectTo(&nc, url.c_str()), NATS_OK);
  }
  ~nats_client() {
    natsSubscription_Destroy(sub);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
  }
  // Reads up to `n` message bodies (5 s per message at most); each must carry
  // its event's traceparent header when `with_trace`.
  std::vector<std::string> read(int n, bool with_trace = true) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      natsMsg* m = nullptr;
      if (natsSubscription_NextMsg(&m, sub, 5000) != NATS_OK)
        break;
      if (with_trace) {
        std::string body(natsMsg_GetData(m),
                         static_cast<size_t>(natsMsg_GetDataLength(m)));
        auto env = json::decode_envelope(body);
        const char* header = nullptr;
        EXPECT_EQ(natsMsgHeader_Get(m, "traceparent", &header), NATS_OK) << body;
        if (env && header) {
          EXPECT_EQ(std::string(header), traceparent_of(env->event_id));
        }
      }
      out.emplace_back(natsMsg_GetData(m),
                       static_cast<size_t>(natsMsg_GetDataLength(m)));
      natsMsg_Destroy(m);
    }
    return out;
  }
  natsConnection* nc = nullptr;
  // Subscribes to every subject below `prefix`, before anything is published.
  bool subscribe(const std::string& prefix) {
    if (natsConnection_SubscribeSync(&sub, nc, (prefix + ".>").c_str()) != NATS_OK)
      return false;
    return natsConnection_Flush(nc) == NATS_OK;
  }
  natsSubscription* sub = nullptr;
  jsCtx* js = nullptr;
};

} // namespace

TEST(relay, nats_delivers_every_event_in_per_draft_order) {
  test_database db;
  nats_settings ns;
  ns.url = nats_url();
  ns.subject_prefix = unique("core");
  nats_client consumer(ns.url);
  ASSERT_TRUE(consumer.subscribe(ns.subject_prefix));
  auto drafts = write_events(db.url(), 10);
  nats_publisher publisher(ns, false);
  drain(db.url(), publisher, relay_config{});
  expect_in_order(db.url(), consumer.read(30), 10);
  pqxx::connection c(db.url());
  EXPECT_EQ(pqxx::nontransaction(c)
              .exec1("SELECT count(*) FROM draft_outbox WHERE sent_at IS NULL")[0]
              .as<int>(),
            0);
}

TEST(relay, jetstream_stores_each_event_once_in_order) {
  test_database db;
  nats_settings ns;
  ns.url = nats_url();
  ns.subject_prefix = unique("js");
  ns.stream = unique("STREAM");
  write_events(db.url(), 5);
  nats_publisher publisher(ns, true);
  drain(db.url(), publisher, relay_config{});
  // Publishing an event again (a retry after a lost ack) is deduplicated.
  pqxx::connection c(db.url());
  auto first = pqxx::nontransaction(c).exec1(
    "SELECT id, event_id, draft_id, seq, event_type, payload::text FROM "
    "draft_outbox ORDER BY id LIMIT 1");
  outbox_event again{first[0].as<std::int64_t>(), first[1].as<std::string>(),
                     first[2].as<std::string>(), first[3].as<std::int64_t>(),
                     first[4].as<std::string>(), first[5].as<std::string>(),
                     0, 1, ""};
  EXPECT_FALSE(publisher.publish(again));
  nats_client consumer(ns.url);
  ASSERT_EQ(natsConnection_JetStream(&consumer.js, consumer.nc, nullptr), NATS_OK);
  jsErrCode jerr = static_cast<jsErrCode>(0);
  ASSERT_EQ(js_SubscribeSync(&consumer.sub, consumer.js,
                             (ns.subject_prefix + ".>").c_str(), nullptr,
                             nullptr, &jerr),
            NATS_OK);
  auto bodies = consumer.read(16);
  EXPECT_EQ(bodies.size(), 15u); // 15 stored, the duplicate dropped
  expect_in_order(db.url(), bodies, 5);
}

TEST(relay, a_jetstream_batch_answers_for_each_event_and_fails_only_the_refused_one) {
  nats_settings ns;
  ns.url = nats_url();
  ns.subject_prefix = unique("batch");
  ns.stream = unique("BATCH");
  // The stream exists beforehand and refuses messages over 2 KiB.
  nats_client admin(ns.url);
  ASSERT_EQ(natsConnection_JetStream(&admin.js, admin.nc, nullptr), NATS_OK);
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = ns.stream.c_str();
  auto subjects = ns.subject_prefix + ".>";
  const char* list[] = {subjects.c_str()};
  cfg.Subjects = list;
  cfg.SubjectsLen = 1;
  cfg.MaxMsgSize = 2048;
  jsStreamInfo* si = nullptr;
  ASSERT_EQ(js_AddStream(&si, admin.js, &cfg, nullptr, nullptr), NATS_OK);
  jsStreamInfo_Destroy(si);

  auto event = [](int n, std::size_t payload_size) {
    auto id = "00000000-0000-4000-8000-00000000000" + std::to_string(n);
    auto draft = "11111111-0000-4000-8000-00000000000" + std::to_string(n);
    return outbox_event{n, id, draft, 1, "DraftPaused",
                        "{\"pad\":\"" + std::string(payload_size, 'x') + "\"}", 0, 1, ""};
  };
  auto a = event(1, 10), big = event(2, 4096), c = event(3, 10);
  nats_publisher publisher(ns, true);
  auto outcomes = publisher.publish_batch({&a, &big, &c});
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_FALSE(outcomes[0]) << *outcomes[0];
  ASSERT_TRUE(outcomes[1]);
  EXPECT_NE(outcomes[1]->find("JetStream publish"), std::string::npos) << *outcomes[1];
  EXPECT_FALSE(outcomes[2]) << *outcomes[2];
  // The same batch again (a retry): the two stored are duplicates, not new.
  outcomes = publisher.publish_batch({&a, &c});
  EXPECT_FALSE(outcomes[0]);
  EXPECT_FALSE(outcomes[1]);
  jsErrCode jerr = static_cast<jsErrCode>(0);
  ASSERT_EQ(js_GetStreamInfo(&si, admin.js, ns.stream.c_str(), nullptr, &jerr), NATS_OK);
  EXPECT_EQ(si->State.Msgs, 2u);
  jsStreamInfo_Destroy(si);
}

TEST(relay, a_failing_publisher_dead_letters_after_max_retries) {
  test_database db;
  nats_settings ns;
  ns.url = "nats://127.0.0.1:" + std::to_string(draft::testing::free_port());
  ns.timeout_ms = 500;
  write_events(db.url(), 1);
  nats_publisher publisher(ns, false);
  relay_config rc;
  rc.max_retries = 3;
  rc.retry_delay = 0ms;
  auto before = default_metrics().render();
  drain(db.url(), publisher, rc);
  pqxx::connection c(db.url());
  auto row = pqxx::nontransaction(c).exec1(
    "SELECT count(*) FILTER (WHERE dead), min(attempts), max(attempts), "
    "count(*) FILTER (WHERE last_error LIKE '%connect%'), count(*) FROM "
    "draft_outbox");
  EXPECT_EQ(row[0].as<int>(), 3) << "every row dead";
  EXPECT_EQ(row[1].as<int>(), 3);
  EXPECT_EQ(row[2].as<int>(), 3);
  EXPECT_EQ(row[3].as<int>(), 3) << "the last error is kept";
  EXPECT_NE(default_metrics().render().find("relay_dead_lettered_total 3"),
            std::string::npos)
    << default_metrics().render();
}

TEST(relay, broker_down_at_start_then_everything_arrives) {
  test_database db;
  auto port = draft::testing::free_port();
  nats_settings ns;
  ns.url = "nats://127.0.0.1:" + std::to_string(port);
  ns.subject_prefix = unique("down");
  ns.stream = unique("DOWN");
  ns.timeout_ms = 500;
  write_events(db.url(), 3);
  relay_config rc;
  rc.max_retries = 1000;
  rc.retry_delay = 50ms;
  rc.poll_interval = 100ms;
  rc.fallback_interval = 100ms;
  auto health = std::make_shared<relay_health>();
  realtime_worker worker(db.url(), std::make_shared<nats_publisher>(ns, true),
                         std::make_shared<prometheus_metrics>(), rc, health);
  std::thread running([&] { worker.run(); });
  auto count = [&](const char* sql) {
    pqxx::connection c(db.url());
    return pqxx::nontransaction(c).exec1(sql)[0].as<int>();
  };
  // It keeps retrying while the broker is down.
  for (int i = 0; i < 100 && count("SELECT coalesce(max(attempts), 0) FROM "
                                   "draft_outbox") < 3;
       ++i)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(count("SELECT count(*) FROM draft_outbox WHERE sent_at IS NOT NULL"),
            0);
  EXPECT_GE(count("SELECT max(attempts) FROM draft_outbox"), 3);
  char dir_template[] = "/tmp/draft-nats-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  {
    draft::testing::child_process broker(
      NATS_SERVER_BIN,
      {"-js", "-a", "127.0.0.1", "-p", std::to_string(port), "-sd", dir}, {},
      dir + "/nats.log");
    for (int i = 0; i < 300 && count("SELECT count(*) FROM draft_outbox WHERE "
                                     "sent_at IS NULL") > 0;
         ++i)
      std::this_thread::sleep_for(100ms);
    worker.stop();
    running.join();
    EXPECT_EQ(count("SELECT count(*) FROM draft_outbox WHERE sent_at IS NULL"),
              0);
    nats_client consumer(ns.url);
    ASSERT_EQ(natsConnection_JetStream(&consumer.js, consumer.nc, nullptr),
              NATS_OK);
    jsErrCode jerr = static_cast<jsErrCode>(0);
    ASSERT_EQ(js_SubscribeSync(&consumer.sub, consumer.js,
                               (ns.subject_prefix + ".>").c_str(), nullptr,
                               nullptr, &jerr),
              NATS_OK);
    expect_in_order(db.url(), consumer.read(9), 3);
  }
  std::system(("rm -rf " + dir).c_str());
}

TEST(relay, two_instances_on_one_database_keep_per_draft_order) {
  test_database db;
  nats_settings ns;
  ns.url = nats_url();
  ns.subject_prefix = unique("pair");
  nats_client consumer(ns.url);
  ASSERT_TRUE(consumer.subscribe(ns.subject_prefix));
  write_events(db.url(), 20);
  // Two relays, each with its own connections, racing over the same rows.
  relay_config rc;
  rc.batch_size = 2;
  std::vector<std::thread> relays;
  for (int i = 0; i < 2; ++i)
    relays.emplace_back([&] {
      nats_publisher publisher(ns, false);
      drain(db.url(), publisher, rc);
    });
  for (auto& t : relays)
    t.join();
  drain(db.url(), *std::make_unique<nats_publisher>(ns, false), rc); // leftovers
  expect_in_order(db.url(), consumer.read(60), 20);
}

namespace {

const std::string pick_id = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const std::string player_id = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e";
const std::string team_id = "c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f";
const timestamp t0 = 1701424800LL * 1'000'000;

// One draft with a PickMade then a PickUndone, relayed to a real NATS in
// `format`; returns the two envelopes as a consumer read them.
std::vector<relay_envelope> relay_a_pick_and_its_undo(payload_format format) {
  test_database db;
  nats_settings ns;
  ns.url = nats_url();
  ns.subject_prefix = unique("picks");
  nats_client consumer(ns.url);
  EXPECT_TRUE(consumer.subscribe(ns.subject_prefix));
  std::string draft;
  {
    pqxx::connection c(db.url());
    pqxx::work tx(c);
    draft = tx.exec1("INSERT INTO drafts (id, type, rounds, time_per_pick_sec, "
                     "team_count) VALUES (gen_random_uuid(), 'snake', 1, 60, "
                     "2) RETURNING id")[0]
              .as<std::string>();
    for (auto& payload :
         {event_payload{pick_made_payload{pick_id, player_id, team_id, 1, 1, 1,
                                          "Patrick Mahomes", "Team 1", t0,
                                          false, "", "alice"}},
          event_payload{pick_undone_payload{pick_id, player_id, team_id, 1, t0,
                                            "commish"}}})
      tx.exec_params("SELECT draft_append_event($1, gen_random_uuid(), $2, "
                     "$3::jsonb)",
                     draft, to_string(static_cast<event_type>(payload.index())),
                     json::encode_payload(payload));
    tx.commit();
  }
  nats_publisher publisher(ns, false);
  relay_config rc;
  rc.payload = format;
  drain(db.url(), publisher, rc);
  std::vector<relay_envelope> out;
  for (auto& body : consumer.read(2, false)) {
    auto env = json::decode_envelope(body);
    EXPECT_TRUE(env) << body;
    if (env)
      out.push_back(*env);
  }
  return out;
}

} // namespace

TEST(relay, by_default_the_payload_is_seed_003s) {
  auto got = relay_a_pick_and_its_undo(payload_format::seed);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, event_type::pick_made);
  rapidjson::Document pick;
  pick.Parse(got[0].payload_json.c_str());
  ASSERT_TRUE(pick.IsObject()) << got[0].payload_json;
  // Exactly the seed's four members.
  EXPECT_EQ(pick.MemberCount(), 4u) << got[0].payload_json;
  EXPECT_STREQ(pick["PickID"].GetString(), pick_id.c_str());
  EXPECT_STREQ(pick["PlayerID"].GetString(), player_id.c_str());
  EXPECT_STREQ(pick["TeamID"].GetString(), team_id.c_str());
  EXPECT_EQ(pick["Overall"].GetInt(), 1);
  EXPECT_EQ(got[1].type, event_type::pick_undone);
  EXPECT_EQ(got[1].payload_json,
            R"({"PickID":")" + pick_id + R"(","PlayerID":")" + player_id
              + R"(","TeamID":")" + team_id
              + R"(","Overall":1,"UndoneAt":"2023-12-01T10:00:00Z","By":"commish"})");
}

TEST(relay, relay_payload_full_publishes_the_stored_payload) {
  auto got = relay_a_pick_and_its_undo(payload_format::full);
  ASSERT_EQ(got.size(), 2u);
  auto made = json::decode_payload(got[0].type, got[0].payload_json);
  ASSERT_TRUE(made) << got[0].payload_json;
  EXPECT_EQ(std::get<pick_made_payload>(*made).by, "alice");
  auto undone = json::decode_payload(got[1].type, got[1].payload_json);
  ASSERT_TRUE(undone) << got[1].payload_json;
  EXPECT_EQ(std::get<pick_undone_payload>(*undone),
            (pick_undone_payload{pick_id, player_id, team_id, 1, t0, "commish"}));
}

TEST(relay, an_undecodable_payload_is_dead_lettered_with_the_reason) {
  test_database db;
  {
    pqxx::connection c(db.url());
    pqxx::work tx(c);
    auto draft = tx.exec1("INSERT INTO drafts (id, type, rounds, "
                          "time_per_pick_sec, team_count) VALUES "
                          "(gen_random_uuid(), 'snake', 1, 60, 2) RETURNING id")[0]
                   .as<std::string>();
    tx.exec_params("SELECT draft_append_event($1, gen_random_uuid(), "
                   "'PickMade', '{\"odd\": true}')",
                   draft);
    tx.commit();
  }
  mock_publisher publisher;
  relay_config rc;
  rc.max_retries = 1;
  drain(db.url(), publisher, rc);
  EXPECT_TRUE(publisher.published().empty());
  pqxx::connection c(db.url());
  auto row = pqxx::nontransaction(c).exec1(
    "SELECT dead, last_error FROM draft_outbox");
  EXPECT_TRUE(row[0].as<bool>());
  EXPECT_NE(row[1].as<std::string>().find("payload does not decode"),
            std::string::npos)
    << row[1].as<std::string>();
}
