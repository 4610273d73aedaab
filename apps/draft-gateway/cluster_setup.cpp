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
read_cluster_membership(const std::string& path, const std::string& node_id,
                        const std::string& tls_dir) {
  if (path.empty())
    return std::optional<cluster_membership>{};
  auto file = load_cluster_config(path);
  if (!file)
    return problem{"GATEWAY_CLUSTER_CONFIG (" + path + ")",
                   file.error().to_string()};
  if (!file->find(node_id))
    return problem{"GATEWAY_NODE_ID",
                   "node '" + node_id + "' is not a [node.<id>] of " + path};
  auto tls = resolve_cluster_tls(*file, node_id, tls_dir);
  if (!tls)
    return problem{"GATEWAY_CLUSTER_CONFIG (" + path + ")", tls.error().to_string()};
  cluster_membership out{*file, node_id, *tls, nullptr};
  if (tls->on) {
    auto credential = node_credential::load(tls->certificate, tls->key, tls->ca);
    if (!credential)
      return problem{"tls", credential.error().to_string()};
    if ((*credential)->name() != node_id)
      return problem{"tls", tls->certificate + " names node '"
                              + (*credential)->name() + "', not " + node_id
                              + " (the certificate's common name must be the "
                                "node id)"};
    out.credential = *credential;
  }
  return std::optional<cluster_membership>{std::move(out)};
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
  if (!cluster.tls.on)
    return;
  config.load<caf::openssl::manager>();
  config.openssl_certificate = cluster.tls.certificate;
  config.openssl_key = cluster.tls.key;
  config.openssl_cafile = cluster.tls.ca;
}

result<membership_api> join_cluster(caf::actor_system& system,
                                const cluster_membership& cluster,
                                const directory_api& directory,
                                const admin_api& admin) {
  auto& file = cluster.file;
  auto& me = *file.find(cluster.node_id);
  bool tls = cluster.tls.on;
  if (!tls)
    logger::get("membership").warn(
      "the cluster runs in PLAINTEXT ([tls] required = false): anyone who "
      "reaches the cluster port can join, read and inject events; use it only "
      "on a trusted network");
  membership_config config{cluster.node_id, file.nodes,
                           file.heartbeat_interval, file.peer_timeout,
                           directory, tls, admin, cluster.credential};
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
