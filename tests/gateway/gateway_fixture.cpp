#include "gateway_fixture.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <unistd.h>

#include "protocol/time_format.hpp"
#include "runtime/jwt.hpp"
#include "support/http_client.hpp"

namespace draft::testing {

using namespace std::chrono_literals;

const std::string& cluster_credentials() {
  // One CA and certificates n1..n9 per test process, removed at its end.
  struct credentials {
    std::string dir = "/tmp/draft-e2e-" + std::to_string(getpid()) + "-tls";
    credentials() {
      std::string cmd = "bash '" DRAFT_SOURCE_DIR "/scripts/cluster-certs.sh' '"
                        + dir + "' n1 n2 n3 n4 n5 n6 n7 n8 n9";
      if (std::system(cmd.c_str()) != 0)
        ADD_FAILURE() << "cannot make cluster certificates: " << cmd;
    }
    ~credentials() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  };
  static credentials made;
  return made.dir;
}

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

std::string admin_token() {
  return signed_token(R"("sub":"ops","role":"admin")");
}

service::service(const std::string& program, const std::string& name,
                 std::map<std::string, std::string> env,
                 const std::string& port_variable, int fixed_port)
  : port(fixed_port > 0 ? fixed_port : free_port()),
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

gateway_fixture::gateway_fixture(std::map<std::string, std::string> gateway_env,
                                 int nodes, const std::string& cluster_extra) {
  std::map<std::string, std::string> common{{"DATABASE_URL", db_.url()},
                                            {"DRAFT_JWT_SECRET", gateway_secret}};
  gateway_env_ = common;
  gateway_env_["GATEWAY_MAX_CONNECTIONS_PER_USER"] = "200";
  gateway_env_["GATEWAY_ADMIN_SAMPLE_INTERVAL"] = "250ms";
  for (auto& [k, v] : gateway_env)
    gateway_env_[k] = v;
  if (nodes > 1) {
    // A cluster file on loopback; the database URL and JWT key come from it.
    std::string file = "/tmp/draft-e2e-" + std::to_string(getpid())
                       + "-cluster.conf";
    std::ofstream out(file);
    out << "[cluster]\nheartbeat_interval = 300ms\npeer_timeout = 1500ms\n"
        << "[database]\nurl = " << db_.url() << "\n"
        << "[jwt]\nsecret = " << gateway_secret << "\n";
    for (int i = 0; i < nodes; ++i) {
      http_ports_.push_back(free_port());
      cluster_ports_.push_back(free_port());
      out << "[node.n" << i + 1 << "]\nhost = 127.0.0.1\nhttp_port = "
          << http_ports_.back() << "\ncluster_port = " << cluster_ports_.back()
          << "\n";
    }
    out << cluster_extra;
    gateway_env_.erase("DATABASE_URL");
    gateway_env_.erase("DRAFT_JWT_SECRET");
    gateway_env_["GATEWAY_CLUSTER_CONFIG"] = file;
    // Mutual TLS and the hello, as in production (docs/cluster.md).
    if (!gateway_env_.count("GATEWAY_CLUSTER_TLS_DIR"))
      gateway_env_["GATEWAY_CLUSTER_TLS_DIR"] = cluster_credentials();
  }
  // The draft room page as ./dev run serves it: it connects to every node
  // and calls the orchestrator, which answers CORS for the nodes' origins.
  std::string origins, sockets;
  for (int port : http_ports_) {
    origins += (origins.empty() ? "" : ",") + std::string("http://127.0.0.1:")
               + std::to_string(port);
    sockets += (sockets.empty() ? "" : ",") + std::string("ws://127.0.0.1:")
               + std::to_string(port);
  }
  auto orchestrator_env = common;
  orchestrator_env["ORCHESTRATOR_CLOCK_INTERVAL"] = "50ms";
  orchestrator_env["ORCHESTRATOR_CORS_ORIGINS"] = origins;
  orchestrator_ = std::make_unique<service>("draft-orchestrator", "orchestrator",
                                            orchestrator_env,
                                            "ORCHESTRATOR_PORT");
  if (!gateway_env_.count("GATEWAY_ROOM_URLS"))
    gateway_env_["GATEWAY_ROOM_URLS"] = sockets;
  gateway_env_["GATEWAY_ROOM_ORCHESTRATOR_URL"]
    = "http://127.0.0.1:" + std::to_string(orchestrator_->port);
  nodes_.resize(static_cast<std::size_t>(nodes));
  for (int i = 0; i < nodes; ++i)
    start_node(i);
}

void gateway_fixture::start_node(int node) {
  auto env = gateway_env_;
  for (auto& [k, v] : node_env_[node])
    env[k] = v;
  int port = 0;
  std::string name = "gateway";
  if (!http_ports_.empty()) {
    env["GATEWAY_NODE_ID"] = "n" + std::to_string(node + 1);
    port = http_ports_[static_cast<std::size_t>(node)];
    name += "-n" + std::to_string(node + 1);
  }
  if (nodes_[static_cast<std::size_t>(node)])
    name += "-restarted"; // keeps the first run's log
  nodes_[static_cast<std::size_t>(node)].reset();
  nodes_[static_cast<std::size_t>(node)]
    = std::make_unique<service>("draft-gateway", name, env, "GATEWAY_PORT",
                                port);
}

void gateway_fixture::restart(int node) {
  start_node(node);
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
                      std::int64_t last_seq, int receive_buffer, int node) {
  int status = 0;
  std::string body;
  std::string target = "/drafts/" + draft_id + "/connect";
  if (last_seq >= 0)
    target += "?last_seq=" + std::to_string(last_seq);
  auto client = ws_client::connect(gateway_port(node), target, reader_token(user),
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
  return outbox_of(db_.url(), draft_id);
}

std::vector<std::pair<std::int64_t, std::string>>
outbox_of(const std::string& url, const std::string& draft_id) {
  pqxx::connection c(url);
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

double gateway_fixture::metric(const std::string& line_prefix, int node) {
  auto text = http_call(gateway_port(node), "GET", "/metrics").body;
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
