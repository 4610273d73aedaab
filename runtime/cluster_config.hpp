#pragma once

// The cluster's layout, read from a file in cluster-config/ (format:
// cluster-config/README.md). Every node reads the same file; a node refuses
// to start on an invalid one, with a message naming the field.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/result.hpp"
#include "runtime/config.hpp"

namespace draft {

/// One gateway node of the cluster.
struct cluster_node {
  std::string id;
  std::string host;             ///< the interface both ports bind to
  std::uint16_t http_port = 0;  ///< HTTP and WebSocket
  std::uint16_t cluster_port = 0; ///< CAF middleman
};

struct cluster_config {
  std::vector<cluster_node> nodes; ///< sorted by id
  std::string database_url;
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds peer_timeout{5000};
  std::string tls_certificate; ///< optional: PEM files for TLS between nodes
  std::string tls_key;
  std::string tls_ca;
  std::string jwt_secret;          ///< optional: shared HS256 key
  std::string jwt_public_key_file; ///< optional: RS256 public key (PEM)

  /// The node with `id`, or null.
  const cluster_node* find(const std::string& id) const;
};

/// Validates a parsed configuration file.
result<cluster_config> read_cluster_config(const config& file);

/// Reads and validates a configuration file.
result<cluster_config> load_cluster_config(const std::string& path);

} // namespace draft
