#include "runtime/cluster_config.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <unistd.h>

namespace draft {

const cluster_node* cluster_config::find(const std::string& id) const {
  for (auto& n : nodes)
    if (n.id == id)
      return &n;
  return nullptr;
}

result<cluster_config> read_cluster_config(const config& file) {
  using namespace std::chrono;
  cluster_config out;
  out.database_url = file.get_string("database.url");
  if (out.database_url.empty())
    return problem{"database.url", "is required (a PostgreSQL URL)"};
  auto heartbeat = file.get_duration("cluster.heartbeat_interval", seconds(1),
                                     milliseconds(50), minutes(1));
  if (!heartbeat)
    return heartbeat.error();
  auto timeout = file.get_duration("cluster.peer_timeout", seconds(5),
                                   milliseconds(100), minutes(10));
  if (!timeout)
    return timeout.error();
  if (*timeout <= *heartbeat)
    return problem{"cluster.peer_timeout (" + file.origin_of("cluster.peer_timeout")
                     + ")",
                   "must be longer than cluster.heartbeat_interval"};
  out.heartbeat_interval = *heartbeat;
  out.peer_timeout = *timeout;
  out.tls_certificate = file.get_string("tls.certificate");
  out.tls_key = file.get_string("tls.key");
  out.tls_ca = file.get_string("tls.ca");
  if (out.tls_certificate.empty() != out.tls_key.empty())
    return problem{"tls", "set both tls.certificate and tls.key, or neither"};
  auto required = file.get_bool("tls.required", true);
  if (!required)
    return required.error();
  out.tls_required = *required;
  out.jwt_secret = file.get_string("jwt.secret");
  out.jwt_public_key_file = file.get_string("jwt.public_key_file");
  // Node ids come from the [node.<id>] sections.
  std::set<std::string> ids;
  for (auto& key : file.keys_with_prefix("node.")) {
    auto rest = key.substr(5);
    auto dot = rest.find('.');
    if (dot == std::string::npos || dot == 0)
      return problem{key + " (" + file.origin_of(key) + ")",
                     "expected a [node.<id>] section with host, http_port and "
                     "cluster_port"};
    auto field = rest.substr(dot + 1);
    if (field != "host" && field != "http_port" && field != "cluster_port"
        && field != "certificate" && field != "key")
      return problem{key + " (" + file.origin_of(key) + ")",
                     "unknown node field; expected host, http_port, "
                     "cluster_port, certificate or key"};
    ids.insert(rest.substr(0, dot));
  }
  if (ids.empty())
    return problem{"node", "no [node.<id>] section: a cluster needs at least "
                           "one node"};
  std::set<std::pair<std::string, int>> ports;
  for (auto& id : ids) {
    auto prefix = "node." + id + ".";
    cluster_node node;
    node.id = id;
    node.host = file.get_string(prefix + "host");
    if (node.host.empty())
      return problem{prefix + "host", "is required (an address to bind)"};
    for (auto [name, target] :
         {std::pair<const char*, std::uint16_t*>{"http_port", &node.http_port},
          {"cluster_port", &node.cluster_port}}) {
      auto key = prefix + name;
      if (!file.has(key))
        return problem{key, "is required (a port from 1 to 65535)"};
      auto port = file.get_int(key, 0, 1, 65535);
      if (!port)
        return port.error();
      if (!ports.emplace(node.host, static_cast<int>(*port)).second)
        return problem{key + " (" + file.origin_of(key) + ")",
                       "port " + std::to_string(*port) + " on " + node.host
                         + " is used twice"};
      *target = static_cast<std::uint16_t>(*port);
    }
    node.certificate = file.get_string(prefix + "certificate");
    node.key = file.get_string(prefix + "key");
    if (node.certificate.empty() != node.key.empty())
      return problem{prefix + "certificate",
                     "set both certificate and key of node " + id + ", or "
                     "neither"};
    out.nodes.push_back(node);
  }
  return out;
}

result<cluster_config> load_cluster_config(const std::string& path) {
  auto file = config::from_file(path);
  if (!file)
    return file.error();
  auto out = read_cluster_config(*file);
  if (out) {
    auto slash = path.rfind('/');
    out->directory = slash == std::string::npos ? "." : path.substr(0, slash);
  }
  return out;
}

namespace {

bool readable(const std::string& path) {
  return ::access(path.c_str(), R_OK) == 0;
}

std::string relative_to(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || dir.empty())
    return path;
  return dir + "/" + path;
}

} // namespace

result<cluster_tls> resolve_cluster_tls(const cluster_config& cluster,
                                        const std::string& node_id,
                                        const std::string& tls_dir) {
  cluster_tls out;
  auto* me = cluster.find(node_id);
  if (!me)
    return problem{"GATEWAY_NODE_ID", "node '" + node_id + "' is not in the file"};
  auto& dir = cluster.directory;
  out.ca = relative_to(dir, cluster.tls_ca);
  out.certificate = relative_to(dir, me->certificate.empty() ? cluster.tls_certificate
                                                            : me->certificate);
  out.key = relative_to(dir, me->key.empty() ? cluster.tls_key : me->key);
  if (!tls_dir.empty()) {
    if (out.ca.empty())
      out.ca = tls_dir + "/ca.pem";
    if (out.certificate.empty()) {
      out.certificate = tls_dir + "/" + node_id + ".pem";
      out.key = tls_dir + "/" + node_id + ".key";
    }
  }
  bool any = !out.ca.empty() || !out.certificate.empty();
  if (!cluster.tls_required && !any)
    return out; // plaintext, as the file says explicitly
  if (out.ca.empty() || out.certificate.empty())
    return problem{"tls",
                   "the cluster runs over mutual TLS: give [tls] ca and node "
                     + node_id + "'s certificate and key in the cluster file, "
                     "or GATEWAY_CLUSTER_TLS_DIR (./dev cluster-certs makes "
                     "one); plaintext only with [tls] required = false"};
  for (auto* f : {&out.ca, &out.certificate, &out.key})
    if (!readable(*f))
      return problem{"tls", "cannot read " + *f};
  out.on = true;
  return out;
}

} // namespace draft
