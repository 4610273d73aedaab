// The orchestrator as a real process over real HTTP: killed with SIGKILL
// mid-draft and restarted, and two instances sharing one database.

#include <chrono>
#include <csignal>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "orchestrator_fixture.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"

using namespace draft;
using namespace draft::testing;
using namespace std::chrono_literals;

namespace {

struct orchestrator_process {
  orchestrator_process(const std::string& url, const std::string& name)
    : port(free_port()),
      log_file("/tmp/draft-orchestrator-test-" + std::to_string(getpid()) + "-"
               + name + ".log"),
      process(bin_dir() + "/draft-orchestrator", {},
              {{"DATABASE_URL", url},
               {"DRAFT_JWT_SECRET", test_secret},
               {"ORCHESTRATOR_PORT", std::to_string(port)},
               {"ORCHESTRATOR_CLOCK_INTERVAL", "50ms"},
               {"ORCHESTRATOR_NODE_ID", name}},
              log_file) {
    for (int i = 0; i < 200; ++i) {
      if (http_call(port, "GET", "/health").status == 200)
        return;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << name << " did not become healthy; see " << log_file;
  }

  int port;
  std::string log_file;
  child_process process;
};

int count(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec1(sql)[0].as<int>();
}

void wait_for(const std::function<bool()>& condition, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
}

std::string create_over_http(int port, int teams, int rounds) {
  std::string names;
  for (int i = 1; i <= teams; ++i)
    names += std::string(i > 1 ? "," : "") + "\"T" + std::to_string(i) + "\"";
  auto res = http_call(port, "POST", "/api/drafts",
                       R"({"type":"snake","rounds":)" + std::to_string(rounds)
                         + R"(,"time_per_pick_sec":1,"teams":[)" + names + "]}",
                       commissioner_token());
  EXPECT_EQ(res.status, 201) << res.body;
  return parse_json(res.body)["draft_id"].GetString();
}

} // namespace

TEST(orchestrator_process, survives_sigkill_mid_draft) {
  test_database db;
  std::vector<std::string> ids;
  {
    orchestrator_process first(db.url(), "first");
    for (int i = 0; i < 5; ++i) {
      ids.push_back(create_over_http(first.port, 3, 3));
      auto started = http_call(first.port, "POST",
                               "/api/drafts/" + ids.back() + "/start", "",
                               commissioner_token());
      ASSERT_EQ(started.status, 200) << started.body;
    }
    wait_for([&] {
      return count(db.url(), "SELECT count(*) FROM picks WHERE player_id IS "
                             "NOT NULL") >= 5;
    }, 30s);
    first.process.signal(SIGKILL);
  }
  int before = count(db.url(), "SELECT count(*) FROM picks WHERE player_id IS "
                               "NOT NULL");
  ASSERT_GE(before, 5);
  ASSERT_LT(before, 45) << "the draft finished before the kill";
  std::this_thread::sleep_for(1500ms); // picks fall overdue while it is down
  orchestrator_process second(db.url(), "second");
  wait_for([&] {
    return count(db.url(), "SELECT count(*) FROM drafts WHERE status <> "
                           "'COMPLETED'") == 0;
  }, 60s);
  for (auto& id : ids)
    EXPECT_EQ(outbox_problems(db.url(), id), std::vector<std::string>{})
      << id << "; logs: " << second.log_file;
}

TEST(orchestrator_process, two_instances_never_autopick_a_slot_twice) {
  orchestrator_fixture f; // creates and starts the drafts in-process
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    ids.push_back(f.create("snake", 2, 3, 1)["draft_id"].GetString());
    ASSERT_EQ(f.call("POST", "/api/drafts/" + ids.back() + "/start", "",
                     commissioner_token())
                .status,
              200);
  }
  orchestrator_process a(f.url(), "a");
  orchestrator_process b(f.url(), "b");
  wait_for([&] {
    return count(f.url(), "SELECT count(*) FROM drafts WHERE status <> "
                          "'COMPLETED'") == 0;
  }, 60s);
  for (auto& id : ids)
    EXPECT_EQ(outbox_problems(f.url(), id), std::vector<std::string>{}) << id;
  EXPECT_EQ(count(f.url(), "SELECT count(*) FROM draft_outbox WHERE "
                           "event_type = 'PickMade'"),
            60);
}

TEST(orchestrator_process, refuses_an_oversized_body_over_http) {
  test_database db;
  orchestrator_process p(db.url(), "limits");
  auto res = http_call(p.port, "POST", "/api/drafts",
                       std::string(100 * 1024, ' '), commissioner_token());
  EXPECT_EQ(res.status, 413) << res.body;
  EXPECT_NE(res.body.find("body_too_large"), std::string::npos);
  auto metrics = http_call(p.port, "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(count(db.url(), "SELECT count(*) FROM drafts"), 0);
}
