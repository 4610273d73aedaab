#pragma once

// Real processes for the gateway's end-to-end tests: a fresh database, the
// orchestrator and one gateway node — or a cluster of gateway nodes sharing a
// cluster file — ended by pid when the fixture goes.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <rapidjson/document.h>

#include "support/process.hpp"
#include "support/test_database.hpp"
#include "support/ws_client.hpp"

namespace draft::testing {

inline const std::string gateway_secret = "gateway-e2e-secret-of-32-bytes!!!";

/// An HS256 token: `claims` are JSON members without braces.
std::string signed_token(const std::string& claims, long ttl_sec = 3600);

/// A reader token for every draft, for user `sub`.
std::string reader_token(const std::string& sub);

/// A commissioner token.
std::string commissioner();

/// An operator's token (role admin).
std::string admin_token();

/// A started program with its port and log file.
struct service {
  /// Starts `program` on a free port (or `fixed_port`) and waits for its
  /// /health.
  service(const std::string& program, const std::string& name,
          std::map<std::string, std::string> env,
          const std::string& port_variable, int fixed_port = 0);
  int port;
  std::string log_file;
  std::unique_ptr<child_process> process;
};

/// The cluster's CA and node certificates (n1..n9) for this test process,
/// made by scripts/cluster-certs.sh: a directory for GATEWAY_CLUSTER_TLS_DIR.
const std::string& cluster_credentials();

class gateway_fixture {
public:
  /// `gateway_env` adds or overrides the gateway's environment. With
  /// `nodes` > 1 the gateways form a cluster (node ids n1, n2, …) on
  /// loopback; `cluster_extra` is appended to the cluster file.
  explicit gateway_fixture(std::map<std::string, std::string> gateway_env = {},
                           int nodes = 1, const std::string& cluster_extra = "");

  const std::string& url() const { return db_.url(); }
  int orchestrator_port() const { return orchestrator_->port; }
  service& orchestrator() { return *orchestrator_; }
  /// A node's HTTP port (fixed for a cluster node, even while it restarts).
  int gateway_port(int node = 0) const {
    return http_ports_.empty() ? nodes_[node]->port : http_ports_[node];
  }
  service& gateway(int node = 0) { return *nodes_[node]; }
  int node_count() const { return static_cast<int>(nodes_.size()); }

  /// Starts node `node` again (after the test killed it).
  void restart(int node);

  /// Sets `key` in node `node`'s environment from its next (re)start on.
  void set_node_env(int node, const std::string& key, const std::string& value) {
    node_env_[node][key] = value;
  }

  /// A cluster node's cluster (CAF) port.
  int cluster_port(int node) const { return cluster_ports_[node]; }

  /// Creates a draft through the orchestrator; returns its id.
  std::string create_draft(int teams, int rounds, int clock_sec);

  /// POST /api/drafts/{id}/{action} as commissioner; returns the status.
  int command(const std::string& draft_id, const std::string& action);

  /// Makes the pick on the clock with the best available player.
  int pick_best(const std::string& draft_id);

  /// Opens a client on `draft_id` (resuming after `last_seq` if >= 0).
  std::unique_ptr<draft_listener> open(const std::string& draft_id,
                                       const std::string& user,
                                       std::int64_t last_seq = -1,
                                       int receive_buffer = 0, int node = 0);

  /// The outbox of a draft as (seq, event_id), in seq order.
  std::vector<std::pair<std::int64_t, std::string>>
  outbox(const std::string& draft_id);

  /// Runs a scalar SQL query.
  long long scalar(const std::string& sql);

  /// Polls `condition` every 100 ms until true or `seconds` passed.
  static bool eventually(const std::function<bool()>& condition, int seconds);

  /// The value of a metric line on a gateway's /metrics (or -1).
  double metric(const std::string& line_prefix, int node = 0);

private:
  void start_node(int node);

  test_database db_;
  std::unique_ptr<service> orchestrator_;
  std::map<std::string, std::string> gateway_env_;
  std::vector<int> http_ports_;
  std::vector<int> cluster_ports_;
  std::map<int, std::map<std::string, std::string>> node_env_;
  std::vector<std::unique_ptr<service>> nodes_;
};

/// A draft's outbox in the database at `url`, as (seq, event_id) by seq.
std::vector<std::pair<std::int64_t, std::string>>
outbox_of(const std::string& url, const std::string& draft_id);

/// The events a client applied, as (seq, event_id).
std::vector<std::pair<std::int64_t, std::string>>
applied(const draft_listener& listener);

} // namespace draft::testing
