// Cluster groundwork: the configuration file and rendezvous ownership.

#include <algorithm>
#include <cstdio>
#include <map>

#include <gtest/gtest.h>

#include "runtime/cluster_config.hpp"
#include "runtime/ownership.hpp"

using namespace draft;

namespace {

std::string draft_id(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012d", n * 2654435761u, n);
  return buf;
}

std::string error_of(const std::string& text) {
  auto file = config::from_text(text, "test.conf");
  if (!file)
    return file.error().to_string();
  auto c = read_cluster_config(*file);
  return c ? "<accepted>" : c.error().to_string();
}

const std::string base = "[database]\nurl = postgresql://x/y\n"
                         "[cluster]\nheartbeat_interval = 1s\npeer_timeout = 5s\n";

std::string node(const std::string& id, const std::string& http,
                 const std::string& cluster) {
  return "[node." + id + "]\nhost = 127.0.0.1\nhttp_port = " + http
         + "\ncluster_port = " + cluster + "\n";
}

} // namespace

TEST(ownership, every_node_agrees_whatever_the_order_of_members) {
  std::vector<std::string> a{"n1", "n2", "n3"}, b{"n3", "n1", "n2"};
  for (int i = 0; i < 500; ++i)
    EXPECT_EQ(owner_of(draft_id(i), a), owner_of(draft_id(i), b));
  EXPECT_EQ(owner_of(draft_id(1), {}), "");
}

TEST(ownership, only_the_drafts_of_a_node_that_leaves_move) {
  std::vector<std::string> all{"n1", "n2", "n3"}, without_n2{"n1", "n3"};
  std::map<std::string, int> owned;
  int moved = 0;
  for (int i = 0; i < 3000; ++i) {
    auto before = owner_of(draft_id(i), all);
    auto after = owner_of(draft_id(i), without_n2);
    ++owned[before];
    if (before != "n2")
      EXPECT_EQ(before, after) << draft_id(i);
    else
      ++moved;
    EXPECT_NE(after, "n2");
    // When n2 returns, every draft goes back where it was.
    EXPECT_EQ(owner_of(draft_id(i), all), before);
  }
  EXPECT_EQ(moved, owned["n2"]);
  // Spread: each of three nodes owns a fair share of 3,000 drafts.
  for (auto& node : all) {
    EXPECT_GT(owned[node], 800) << node;
    EXPECT_LT(owned[node], 1200) << node;
  }
}

TEST(cluster_config, reads_the_shipped_local_cluster) {
  auto c = load_cluster_config(std::string(DRAFT_SOURCE_DIR)
                               + "/cluster-config/local-3-node.conf");
  ASSERT_TRUE(c) << c.error().to_string();
  ASSERT_EQ(c->nodes.size(), 3u);
  EXPECT_EQ(c->nodes[0].id, "n1");
  EXPECT_EQ(c->nodes[0].http_port, 8080);
  EXPECT_EQ(c->nodes[2].cluster_port, 9082);
  EXPECT_EQ(c->nodes[1].host, "127.0.0.1");
  EXPECT_LT(c->heartbeat_interval, c->peer_timeout);
  EXPECT_NE(c->find("n2"), nullptr);
  EXPECT_EQ(c->find("n9"), nullptr);
}

TEST(cluster_config, refuses_invalid_files_naming_the_field) {
  EXPECT_EQ(error_of(base + node("n1", "8080", "9080")), "<accepted>");
  EXPECT_EQ(error_of(base), "node: no [node.<id>] section: a cluster needs at "
                            "least one node");
  EXPECT_EQ(error_of("[node.n1]\nhost = h\n"),
            "database.url: is required (a PostgreSQL URL)");
  EXPECT_EQ(error_of(base + "[node.n1]\nhost = 127.0.0.1\ncluster_port = 9080\n"),
            "node.n1.http_port: is required (a port from 1 to 65535)");
  EXPECT_EQ(error_of(base + node("n1", "80800", "9080")),
            "node.n1.http_port (test.conf:8): expected an integer from 1 to "
            "65535, got \"80800\"");
  EXPECT_EQ(error_of(base + node("n1", "8080", "9080") + node("n2", "8080", "9081")),
            "node.n2.http_port (test.conf:12): port 8080 on 127.0.0.1 is used "
            "twice");
  EXPECT_EQ(error_of(base + node("n1", "8080", "9080") + "colour = red\n"),
            "node.n1.colour (test.conf:10): unknown node field; expected host, "
            "http_port, cluster_port, certificate or key");
  EXPECT_EQ(error_of("[database]\nurl = u\n[cluster]\nheartbeat_interval = 5s\n"
                     "peer_timeout = 2s\n"
                     + node("n1", "8080", "9080")),
            "cluster.peer_timeout (test.conf:5): must be longer than "
            "cluster.heartbeat_interval");
  EXPECT_EQ(error_of(base + "[tls]\ncertificate = c.pem\n" + node("n1", "8080", "9080")),
            "tls: set both tls.certificate and tls.key, or neither");
  EXPECT_EQ(error_of(base + node("n1", "8080", "9080") + "certificate = n1.pem\n"),
            "node.n1.certificate: set both certificate and key of node n1, or "
            "neither");
  EXPECT_EQ(error_of(base + "[tls]\nrequired = maybe\n" + node("n1", "8080", "9080")),
            "tls.required (test.conf:7): expected true or false, got \"maybe\"");
}

// Which TLS files a node uses: the file's (relative to it), else the TLS
// directory's; none is an error unless plaintext is allowed.
TEST(cluster_config, resolves_a_nodes_tls_files_or_says_what_is_missing) {
  auto parse = [](const std::string& text) {
    auto file = config::from_text(text, "test.conf");
    auto c = read_cluster_config(*file);
    EXPECT_TRUE(c) << c.error().to_string();
    c->directory = "/etc/draft";
    return *c;
  };
  auto plain = parse(base + node("n1", "8080", "9080"));
  auto missing = resolve_cluster_tls(plain, "n1", "");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().to_string().find("mutual TLS"), std::string::npos);
  plain.tls_required = false;
  auto off = resolve_cluster_tls(plain, "n1", "");
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->on);
  // From the directory (./dev cluster-certs); unreadable here, so refused.
  auto from_dir = resolve_cluster_tls(plain, "n1", "/nonexistent");
  ASSERT_FALSE(from_dir);
  EXPECT_EQ(from_dir.error().to_string(), "tls: cannot read /nonexistent/ca.pem");
  auto named = parse(base + "[tls]\nca = tls/ca.pem\n" + node("n1", "8080", "9080")
                     + "certificate = /abs/n1.pem\nkey = n1.key\n");
  auto paths = resolve_cluster_tls(named, "n1", "/ignored");
  ASSERT_FALSE(paths); // not readable, but the message names the path used
  EXPECT_EQ(paths.error().to_string(), "tls: cannot read /etc/draft/tls/ca.pem");
}
