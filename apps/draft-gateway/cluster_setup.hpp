#pragma once

// Joining a gateway cluster at start-up: the cluster file named by
// GATEWAY_CLUSTER_CONFIG (format: cluster-config/README.md) sets this node's
// addresses, the shared database URL and JWT key, CAF's middleman heartbeats
// and optional TLS between nodes. Without the variable the gateway is a
// single node that owns every draft.

#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/edge/gateway_context.hpp"
#include "protocol/result.hpp"
#include "runtime/cluster_config.hpp"
#include "runtime/jwt.hpp"
#include "runtime/node_credential.hpp"

namespace draft {

struct cluster_membership {
  cluster_config file;
  std::string node_id;
  cluster_tls tls;  ///< this node's TLS files (off only if the file allows)
  std::shared_ptr<const node_credential> credential; ///< for the hello
};

/// The cluster this node is configured into, if any; a bad file, an id not
/// in it, or missing TLS files (required unless the file says
/// `[tls] required = false`) is a problem naming the field. `tls_dir` is
/// GATEWAY_CLUSTER_TLS_DIR.
result<std::optional<cluster_membership>>
read_cluster_membership(const std::string& path, const std::string& node_id,
                        const std::string& tls_dir);

/// Applies the node's addresses and the shared settings: the database URL
/// and the JWT key (unless the environment sets them).
result<jwt_settings> apply_cluster_settings(const cluster_membership& cluster,
                                            gateway_options& options,
                                            std::string& database_url);

/// Turns on CAF's middleman heartbeats and TLS (unless plaintext is allowed
/// and no certificate is given).
void configure_cluster_transport(caf::actor_system_config& config,
                                 const cluster_membership& cluster);

/// Spawns the membership actor, publishes it on the cluster port (bound to
/// the node's host only) and waits until every peer was tried once.
result<membership_api> join_cluster(caf::actor_system& system,
                                const cluster_membership& cluster,
                                const directory_api& directory,
                                const admin_api& admin);

} // namespace draft
