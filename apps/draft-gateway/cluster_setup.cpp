#include "cluster_setup.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/all.hpp>

#include "actors/gateway_messages.hpp"
#include "actors/membership.hpp"
#include "runtime/logger.hpp"

namespace draft {

result<std::optional<cluster_membership>>
read_cluster_membership(const std::string& path, const std::string& node_id) {
  if (path.empty())
    return std::optional<cluster_membership>{};
  auto file = load_cluster_config(path);
  if (!file)
    return problem{"GATEWAY_CLUSTER_CONFIG (" + path + ")",
                   file.error().to_string()};
  if (!file->find(node_id))
    return problem{"GATEWAY_NODE_ID",
                   "node '" + node_id + "' is not a [node.<id>] of " + path};
  return std::optional<cluster_membership>{cluster_membership{*file, node_id}};
}

result<jwt_settings> apply_cluster_settings(const cluster_membership& cluster,
                                            gateway_options& options,
                                            std::string& database_url) {
  auto& me = *cluster.file.find(cluster.node_id);
  options.node_id = me.id;
  options.host = me.host;
  options.port = me.http_port;
  if (database_url.empty())
    database_url = cluster.file.database_url;
  auto settings = jwt_settings_from_environment();
  if (!settings)
    return settings.error();
  if (settings->hs256_secret.empty())
    settings->hs256_secret = cluster.file.jwt_secret;
  if (settings->rs256_public_key_pem.empty()
      && !cluster.file.jwt_public_key_file.empty()) {
    std::ifstream in(cluster.file.jwt_public_key_file);
    if (!in)
      return problem{"jwt.public_key_file",
                     "cannot read " + cluster.file.jwt_public_key_file};
    std::stringstream buffer;
    buffer << in.rdbuf();
    settings->rs256_public_key_pem = buffer.str();
  }
  return settings;
}

void configure_cluster_transport(caf::actor_system_config& config,
                                 const cluster_membership& cluster) {
  auto& file = cluster.file;
  config.set("middleman.heartbeat-interval",
             caf::timespan{file.heartbeat_interval});
  config.set("middleman.connection-timeout", caf::timespan{file.peer_timeout});
  if (file.tls_certificate.empty())
    return;
  config.load<caf::openssl::manager>();
  config.openssl_certificate = file.tls_certificate;
  config.openssl_key = file.tls_key;
  config.openssl_cafile = file.tls_ca;
}

result<caf::actor> join_cluster(caf::actor_system& system,
                                const cluster_membership& cluster,
                                const caf::actor& directory,
                                const caf::actor& admin) {
  auto& file = cluster.file;
  auto& me = *file.find(cluster.node_id);
  bool tls = !file.tls_certificate.empty();
  membership_config config{cluster.node_id, file.nodes,
                           file.heartbeat_interval, file.peer_timeout,
                           directory, tls, admin};
  auto membership = spawn_membership(system, config);
  auto published
    = tls ? caf::openssl::publish(membership, me.cluster_port, me.host.c_str(),
                                  true)
          : system.middleman().publish(membership, me.cluster_port,
                                       me.host.c_str(), true);
  if (!published) {
    caf::anon_send_exit(membership, caf::exit_reason::user_shutdown);
    return problem{"node." + me.id + ".cluster_port",
                   "cannot listen on " + me.host + ":"
                     + std::to_string(me.cluster_port) + ": "
                     + system.render(published.error())};
  }
  logger::get("membership").info(
    "cluster port open", {{"address", me.host + ":"
                                        + std::to_string(*published)},
                          {"tls", tls ? "on" : "off"}});
  caf::scoped_actor self{system};
  self->request(membership, file.peer_timeout * 2 + std::chrono::seconds(1),
                ready_atom::value)
    .receive([](bool) {},
             [](caf::error&) {
               // Peers still unreachable: start anyway, they join later.
             });
  return membership;
}

} // namespace draft
