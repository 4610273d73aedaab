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
  std::string certificate; ///< optional: this node's TLS certificate (PEM)
  std::string key;         ///< and its private key
};

struct cluster_config {
  std::vector<cluster_node> nodes; ///< sorted by id
  std::string database_url;
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds peer_timeout{5000};
  /// Mutual TLS between nodes is the default; plaintext only when the file
  /// says `[tls] required = false`.
  bool tls_required = true;
  std::string tls_ca;          ///< the cluster CA (PEM)
  std::string tls_certificate; ///< a certificate for nodes that name none
  std::string tls_key;
  std::string directory;       ///< the file's directory (relative paths)
  std::string jwt_secret;          ///< optional: shared HS256 key
  std::string jwt_public_key_file; ///< optional: RS256 public key (PEM)

  /// The node with `id`, or null.
  const cluster_node* find(const std::string& id) const;
};

/// Validates a parsed configuration file.
result<cluster_config> read_cluster_config(const config& file);

/// Reads and validates a configuration file.
result<cluster_config> load_cluster_config(const std::string& path);

/// One node's TLS files, resolved.
struct cluster_tls {
  bool on = false; ///< false only when the file allows plaintext
  std::string ca, certificate, key;
};

/// Node `node_id`'s TLS files: the cluster file's paths (relative ones from
/// the file's directory), else those in `tls_dir` (GATEWAY_CLUSTER_TLS_DIR:
/// ca.pem, <id>.pem, <id>.key, as `./dev cluster-certs` writes them). A
/// problem when TLS is required and a file is missing or unreadable.
result<cluster_tls> resolve_cluster_tls(const cluster_config& cluster,
                                        const std::string& node_id,
                                        const std::string& tls_dir);

} // namespace draft
