#include "gateway_fixture.hpp"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <unistd.h>

#include "protocol/time_format.hpp"
#include "runtime/jwt.hpp"
#include "support/http_client.hpp"

namespace draft::testing {

using namespace std::chrono_literals;

std::string signed_token(const std::string& claims, long ttl_sec) {
  return sign_hs256("{\"exp\":" + std::to_string(now_utc() / 1'000'000 + ttl_sec)
                      + "," + claims + "}",
                    gateway_secret);
}

std::string reader_token(const std::string& sub) {
  return signed_token("\"sub\":\"" + sub + "\",\"drafts\":[\"*\"]");
}

std::string commissioner() {
  return signed_token(R"("sub":"commish","role":"commissioner","drafts":["*"])");
}

service::service(const std::string& program, const std::string& name,
                 std::map<std::string, std::string> env,
                 const std::string& port_variable)
  : port(free_port()),
    log_file("/tmp/draft-e2e-" + std::to_string(getpid()) + "-" + name + ".log") {
  env[port_variable] = std::to_string(port);
  process = std::make_unique<child_process>(bin_dir() + "/" + program,
                                            std::vector<std::string>{}, env,
                                            log_file);
  for (int i = 0; i < 200; ++i) {
    if (http_call(port, "GET", "/health").status == 200)
      return;
    std::this_thread::sleep_for(50ms);
  }
  ADD_FAILURE() << name << " did not start; see " << log_file;
}

gateway_fixture::gateway_fixture(std::map<std::string, std::string> gateway_env) {
  std::map<std::string, std::string> common{{"DATABASE_URL", db_.url()},
                                            {"DRAFT_JWT_SECRET", gateway_secret}};
  auto orchestrator_env = common;
  orchestrator_env["ORCHESTRATOR_CLOCK_INTERVAL"] = "50ms";
  orchestrator_ = std::make_unique<service>("draft-orchestrator", "orchestrator",
                                            orchestrator_env,
                                            "ORCHESTRATOR_PORT");
  auto env = common;
  env["GATEWAY_MAX_CONNECTIONS_PER_USER"] = "200";
  for (auto& [k, v] : gateway_env)
    env[k] = v;
  gateway_ = std::make_unique<service>("draft-gateway", "gateway", env,
                                       "GATEWAY_PORT");
}

std::string gateway_fixture::create_draft(int teams, int rounds, int clock_sec) {
  std::string names;
  for (int i = 1; i <= teams; ++i)
    names += std::string(i > 1 ? "," : "") + "\"Team " + std::to_string(i) + "\"";
  auto res = http_call(orchestrator_->port, "POST", "/api/drafts",
                       "{\"type\":\"snake\",\"rounds\":" + std::to_string(rounds)
                         + ",\"time_per_pick_sec\":" + std::to_string(clock_sec)
                         + ",\"teams\":[" + names + "]}",
                       commissioner());
  EXPECT_EQ(res.status, 201) << res.body;
  rapidjson::Document doc;
  doc.Parse(res.body.c_str());
  return doc.IsObject() ? doc["draft_id"].GetString() : "";
}

int gateway_fixture::command(const std::string& draft_id,
                             const std::string& action) {
  return http_call(orchestrator_->port, "POST",
                   "/api/drafts/" + draft_id + "/" + action, "", commissioner())
    .status;
}

int gateway_fixture::pick_best(const std::string& draft_id) {
  auto page = http_call(orchestrator_->port, "GET",
                        "/api/drafts/" + draft_id
                          + "/players?available=true&limit=1",
                        "", commissioner());
  rapidjson::Document doc;
  doc.Parse(page.body.c_str());
  if (!doc.IsObject() || doc["players"].Empty())
    return 0;
  std::string player = doc["players"][0]["player_id"].GetString();
  return http_call(orchestrator_->port, "POST",
                   "/api/drafts/" + draft_id + "/picks",
                   "{\"player_id\":\"" + player + "\"}", commissioner())
    .status;
}

std::unique_ptr<draft_listener>
gateway_fixture::open(const std::string& draft_id, const std::string& user,
                      std::int64_t last_seq, int receive_buffer) {
  int status = 0;
  std::string body;
  std::string target = "/drafts/" + draft_id + "/connect";
  if (last_seq >= 0)
    target += "?last_seq=" + std::to_string(last_seq);
  auto client = ws_client::connect(gateway_->port, target, reader_token(user),
                                   status, body, receive_buffer);
  EXPECT_TRUE(client) << "status " << status << ": " << body;
  if (!client)
    return nullptr;
  auto listener = std::make_unique<draft_listener>(std::move(client));
  if (last_seq >= 0)
    listener->resume_from(last_seq);
  return listener;
}

std::vector<std::pair<std::int64_t, std::string>>
gateway_fixture::outbox(const std::string& draft_id) {
  pqxx::connection c(db_.url());
  pqxx::nontransaction tx(c);
  std::vector<std::pair<std::int64_t, std::string>> out;
  for (auto r : tx.exec_params("SELECT seq, event_id FROM draft_outbox WHERE "
                               "draft_id = $1 ORDER BY seq",
                               draft_id))
    out.emplace_back(r[0].as<long long>(), r[1].as<std::string>());
  return out;
}

long long gateway_fixture::scalar(const std::string& sql) {
  pqxx::connection c(db_.url());
  pqxx::nontransaction tx(c);
  return tx.exec1(sql)[0].as<long long>();
}

bool gateway_fixture::eventually(const std::function<bool()>& condition,
                                 int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition())
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return condition();
}

double gateway_fixture::metric(const std::string& line_prefix) {
  auto text = http_call(gateway_->port, "GET", "/metrics").body;
  auto at = text.find("\n" + line_prefix + " ");
  if (at == std::string::npos)
    return -1;
  return std::stod(text.substr(at + line_prefix.size() + 2));
}

std::vector<std::pair<std::int64_t, std::string>>
applied(const draft_listener& listener) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  for (auto& e : listener.events())
    out.emplace_back(e.seq, e.id);
  return out;
}

} // namespace draft::testing
