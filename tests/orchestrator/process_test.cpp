// The orchestrator as a real process over real HTTP: killed with SIGKILL
// mid-draft and restarted, and two instances sharing one database.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
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

std::map<std::string, std::string> with(std::map<std::string, std::string> extra,
                                        const std::map<std::string, std::string>& base) {
  extra.insert(base.begin(), base.end()); // `extra` wins
  return extra;
}

struct orchestrator_process {
  orchestrator_process(const std::string& url, const std::string& name,
                       std::map<std::string, std::string> extra = {})
    : port(free_port()),
      log_file("/tmp/draft-orchestrator-test-" + std::to_string(getpid()) + "-"
               + name + ".log"),
      process(bin_dir() + "/draft-orchestrator", {},
              with(extra, {{"DATABASE_URL", url},
                           {"DRAFT_JWT_SECRET", test_secret},
                           {"ORCHESTRATOR_PORT", std::to_string(port)},
                           {"ORCHESTRATOR_CLOCK_INTERVAL", "50ms"},
                           {"ORCHESTRATOR_NODE_ID", name}}),
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

TEST(orchestrator_process, a_thousand_idle_connections_then_a_request_is_served) {
  // 1,000 connections that never send a byte, against a cap of 500: the
  // ones over the cap get 503 at once, the others are closed when idle; then
  // a normal request is served.
  test_database db;
  orchestrator_process o(db.url(), "idle",
                         {{"ORCHESTRATOR_MAX_CONNECTIONS", "500"},
                          {"ORCHESTRATOR_IDLE_TIMEOUT", "1s"}});
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(o.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << i;
    idle.push_back(fd);
  }
  // Every one of them ends from the server's side: 503 or the idle timeout.
  int refused = 0, timed_out = 0;
  for (int fd : idle) {
    timeval tv{20, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string got;
    char buf[512];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
      got.append(buf, static_cast<size_t>(n));
    if (got.rfind("HTTP/1.1 503", 0) == 0)
      ++refused;
    else if (got.empty())
      ++timed_out;
    ::close(fd);
  }
  std::printf("[ idle ] 1000 idle connections: %d refused with 503, %d closed "
              "when idle\n", refused, timed_out);
  EXPECT_EQ(refused + timed_out, 1000);
  EXPECT_GE(refused, 400);
  auto health = http_call(o.port, "GET", "/health");
  EXPECT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(http_call(o.port, "GET", "/api/drafts", "", commissioner_token()).status,
            405);
}

// CORS for the configured origins only (the gateway's draft room page calls
// the players API and makes picks from the browser): a preflight answered
// without a token, the allow header on real answers, nothing for another
// origin; and a malformed origin list refuses to start, naming its variable.
TEST(orchestrator_process, answers_cors_for_the_configured_origins_only) {
  test_database db;
  orchestrator_process p(db.url(), "cors",
                         {{"ORCHESTRATOR_CORS_ORIGINS",
                           "http://127.0.0.1:8080,https://draft.example"}});
  const std::vector<std::pair<std::string, std::string>> page{
    {"Origin", "http://127.0.0.1:8080"},
    {"Access-Control-Request-Method", "POST"},
    {"Access-Control-Request-Headers", "authorization,content-type"}};
  auto preflight = http_call(p.port, "OPTIONS", "/api/drafts/x/picks", "", "", page);
  EXPECT_EQ(preflight.status, 204) << preflight.body;
  EXPECT_EQ(preflight.headers["access-control-allow-origin"], "http://127.0.0.1:8080");
  EXPECT_NE(preflight.headers["access-control-allow-methods"].find("POST"), std::string::npos);
  EXPECT_NE(preflight.headers["access-control-allow-headers"].find("Authorization"),
            std::string::npos);
  auto other = http_call(p.port, "OPTIONS", "/api/drafts/x/picks", "", "",
                         {{"Origin", "http://evil.example"}});
  EXPECT_EQ(other.status, 403);
  EXPECT_NE(other.body.find("origin_not_allowed"), std::string::npos);
  EXPECT_EQ(other.headers.count("access-control-allow-origin"), 0u);
  auto created = http_call(p.port, "POST", "/api/drafts",
                           R"({"type":"snake","rounds":1,"time_per_pick_sec":30,"teams":["A","B"]})",
                           commissioner_token(), {{"Origin", "https://draft.example"}});
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.headers["access-control-allow-origin"], "https://draft.example");
  auto plain = http_call(p.port, "GET", "/api/drafts/x", "", commissioner_token(),
                         {{"Origin", "http://evil.example"}});
  EXPECT_EQ(plain.headers.count("access-control-allow-origin"), 0u);

  std::string out;
  int status = run_command("env -i DATABASE_URL='" + db.url() + "' DRAFT_JWT_SECRET='"
                             + test_secret + "' ORCHESTRATOR_PORT=0 "
                             "ORCHESTRATOR_CORS_ORIGINS='http://ok:1,*' "
                             + bin_dir() + "/draft-orchestrator",
                           out);
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("ORCHESTRATOR_CORS_ORIGINS"), std::string::npos) << out;
}
