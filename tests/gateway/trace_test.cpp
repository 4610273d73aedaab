// End-to-end tracing: a pick made with a W3C traceparent is traced from the
// orchestrator's commit through the relay's JetStream publish and PubAck to
// the gateway's apply and socket write, as `draftctl trace` prints it, and
// every process's log lines about it carry its trace id.

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <rapidjson/document.h>

#include "gateway_fixture.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"

namespace draft::testing {
namespace {

using namespace std::chrono_literals;

std::string nats_url() {
  auto env = std::getenv("DRAFT_TEST_NATS_URL");
  if (!env)
    throw std::runtime_error("DRAFT_TEST_NATS_URL is not set: run the e2e "
                             "tests through ./dev test");
  return env;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// True if some line of `log` holds every one of `parts`.
bool has_line_with(const std::string& log, const std::vector<std::string>& parts) {
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    bool all = true;
    for (auto& p : parts)
      all = all && line.find(p) != std::string::npos;
    if (all)
      return true;
  }
  return false;
}

} // namespace

TEST(tracing, a_traced_pick_shows_every_hop_in_draftctl_trace) {
  gateway_fixture f(std::map<std::string, std::string>{{"DRAFT_LOG_LEVEL", "debug"}});
  auto suffix = std::to_string(getpid());
  service relay("outbox-relay", "relay-traced",
                {{"DATABASE_URL", f.url()},
                 {"PUBLISHER_TYPE", "jetstream"},
                 {"NATS_URL", nats_url()},
                 {"NATS_SUBJECT_PREFIX", "trace" + suffix},
                 {"JETSTREAM_STREAM", "TRACE" + suffix},
                 {"DRAFT_LOG_LEVEL", "debug"}},
                "HEALTH_PORT");
  auto id = f.create_draft(2, 1, 600);
  auto watcher = f.open(id, "tracer");
  ASSERT_TRUE(watcher);
  ASSERT_EQ(f.command(id, "start"), 200);
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto players = http_call(f.orchestrator_port(), "GET",
                           "/api/drafts/" + id + "/players?limit=1", "",
                           commissioner());
  rapidjson::Document doc;
  doc.Parse(players.body.c_str());
  std::string player = doc["players"][0]["player_id"].GetString();
  auto pick = http_call(f.orchestrator_port(), "POST", "/api/drafts/" + id + "/picks",
                        "{\"player_id\":\"" + player + "\"}", commissioner(),
                        {{"traceparent", "00-" + trace_id + "-00f067aa0ba902b7-01"}});
  ASSERT_EQ(pick.status, 201) << pick.body;
  ASSERT_TRUE(watcher->read_until("PickMade", 10s));
  auto event_id = watcher->events().back().id;

  // The outbox row carries the trace: the caller's trace id, a new span.
  pqxx::connection c(f.url());
  auto traceparent = pqxx::nontransaction(c)
                       .exec_params1("SELECT traceparent FROM draft_outbox WHERE "
                                     "event_id = $1",
                                     event_id)[0]
                       .as<std::string>();
  EXPECT_EQ(traceparent.substr(0, 36), "00-" + trace_id + "-");
  EXPECT_NE(traceparent.substr(36, 16), "00f067aa0ba902b7");
  ASSERT_TRUE(gateway_fixture::eventually(
    [&] {
      return pqxx::nontransaction(c)
        .exec_params1("SELECT sent_at IS NOT NULL FROM draft_outbox WHERE "
                      "event_id = $1",
                      event_id)[0]
        .as<bool>();
    },
    20))
    << "the relay did not publish the pick; see " << relay.log_file;

  std::string out;
  auto status = run_command(
    bin_dir() + "/draftctl --url http://127.0.0.1:"
      + std::to_string(f.gateway_port()) + " --token " + admin_token()
      + " trace " + event_id + " --relay 127.0.0.1:" + std::to_string(relay.port),
    out);
  ASSERT_EQ(status, 0) << out;
  std::printf("%s", out.c_str());
  EXPECT_NE(out.find("trace " + trace_id), std::string::npos) << out;
  // The steps in time order: commit, relay publish and ack, apply, write.
  std::vector<std::string> order = {"commit (outbox row)", "publish (attempt 1)",
                                    "broker ack", "apply (owner)",
                                    "first socket write"};
  for (auto& step : order)
    EXPECT_NE(out.find(step), std::string::npos) << step << "\n" << out;
  EXPECT_LT(out.find("commit (outbox row)"), out.find("apply (owner)")) << out;
  EXPECT_LT(out.find("publish (attempt 1)"), out.find("broker ack")) << out;
  EXPECT_LT(out.find("apply (owner)"), out.find("first socket write")) << out;

  // Each process's log lines about the event carry its trace id.
  auto tid = "\"trace_id\":\"" + trace_id + "\"";
  EXPECT_TRUE(has_line_with(read_file(f.orchestrator().log_file),
                            {tid, "\"event written\"", event_id}))
    << f.orchestrator().log_file;
  EXPECT_TRUE(has_line_with(read_file(f.orchestrator().log_file),
                            {tid, "\"msg\":\"request\"", "\"request_id\""}))
    << f.orchestrator().log_file;
  EXPECT_TRUE(has_line_with(read_file(relay.log_file),
                            {tid, "\"published\"", "\"event_id\":\"" + event_id}))
    << relay.log_file;
  EXPECT_TRUE(has_line_with(read_file(f.gateway().log_file),
                            {tid, "\"event applied\"", "\"event_id\":\"" + event_id}))
    << f.gateway().log_file;

  // Unknown and malformed ids.
  EXPECT_NE(run_command(bin_dir() + "/draftctl --url http://127.0.0.1:"
                          + std::to_string(f.gateway_port()) + " --token "
                          + admin_token()
                          + " trace 7d1c1b3e-0000-4000-8000-000000000000 --relay "
                            "127.0.0.1:"
                          + std::to_string(relay.port),
                        out),
            0);
  EXPECT_NE(out.find("no process remembers"), std::string::npos) << out;
  EXPECT_EQ(http_call(f.gateway_port(), "GET", "/admin/api/trace/abc", "",
                      admin_token())
              .status,
            400);
}

} // namespace draft::testing
