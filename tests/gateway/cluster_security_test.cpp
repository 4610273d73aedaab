// The cluster's trust model, on real processes (docs/cluster.md, "Trust"):
// mutual TLS by default, a peer's node id bound to its certificate by the
// hello, handles only for members, admin actions checked again by every node.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "cluster_support.hpp"
#include "support/process.hpp"
#include "support/raw_socket.hpp"

namespace draft::testing {
namespace {

using namespace std::chrono_literals;

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

std::string read_log(const service& s) {
  std::ifstream in(s.log_file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string intruder(int port, const std::string& claim, const std::string& files) {
  std::string out;
  run_command("timeout 30 " + bin_dir() + "/cluster_intruder 127.0.0.1 "
                + std::to_string(port) + " " + claim + " " + files,
              out);
  return out;
}

std::string credentials_of(const std::string& node) {
  auto& dir = cluster_credentials();
  return dir + "/" + node + ".pem " + dir + "/" + node + ".key " + dir + "/ca.pem";
}

TEST(cluster_security, a_stranger_gets_no_handle_and_the_node_allocates_nothing) {
  gateway_fixture f({}, 2);
  ASSERT_TRUE(all_see(f, {0, 1}, {"n1", "n2"}));
  auto pid = f.gateway(0).process->pid();
  auto before = rss_kib(pid);
  // Plain TCP: a BASP client handshake header declaring a ~4 GiB payload
  // (in plaintext CAF would allocate it at once). Over TLS it is not even a
  // handshake: the connection is dropped.
  int fd = raw_connect(f.cluster_port(0), 10);
  ASSERT_GE(fd, 0);
  unsigned char header[32] = {0x01, 0, 0, 0, 0xff, 0xff, 0xff, 0xf0};
  for (int i = 0; i < 8; ++i)
    ::send(fd, header, sizeof header, MSG_NOSIGNAL);
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
  }
  EXPECT_LE(n, 0) << "the node kept the connection";
  ::close(fd);
  // The port speaks TLS: a TLS client is shown the node's certificate (and
  // is then refused, having none of its own).
  std::string hello;
  run_command("timeout 10 openssl s_client -connect 127.0.0.1:"
                + std::to_string(f.cluster_port(0)) + " </dev/null 2>&1",
              hello);
  EXPECT_NE(hello.find("-----BEGIN CERTIFICATE-----"), std::string::npos) << hello;
  EXPECT_NE(hello.find("CN = n1"), std::string::npos) << hello;
  // TLS with a self-signed certificate, and with none at all.
  auto dir = "/tmp/draft-e2e-" + std::to_string(getpid()) + "-stranger";
  std::string out;
  ASSERT_EQ(run_command("mkdir -p " + dir + " && openssl req -x509 -newkey ec "
                          "-pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
                          "-subj /CN=n2 -keyout " + dir + "/s.key -out " + dir
                          + "/s.pem 2>&1",
                        out),
            0)
    << out;
  auto self_signed = intruder(f.cluster_port(0), "n2",
                              dir + "/s.pem " + dir + "/s.key " + dir + "/s.pem");
  EXPECT_NE(self_signed.find("connect: refused"), std::string::npos) << self_signed;
  auto plain = intruder(f.cluster_port(0), "n2", "");
  EXPECT_NE(plain.find("connect: refused"), std::string::npos) << plain;
  run_command("rm -rf " + dir, out);
  // Nothing grew, nothing changed: both nodes still see each other.
  EXPECT_LT(rss_kib(pid) - before, 64 * 1024) << "RSS grew by more than 64 MiB";
  EXPECT_TRUE(all_see(f, {0, 1}, {"n1", "n2"}));
}

TEST(cluster_security, a_member_certificate_cannot_speak_as_another_node) {
  gateway_fixture f({}, 2);
  ASSERT_TRUE(all_see(f, {0, 1}, {"n1", "n2"}));
  // Someone holding n3's key (a CA certificate, so TLS lets it in) claims to
  // be n2, which is up and authenticated.
  auto out = intruder(f.cluster_port(0), "n2", credentials_of("n3"));
  EXPECT_NE(out.find("connect: accepted"), std::string::npos) << out;
  EXPECT_NE(out.find("heartbeat: refused"), std::string::npos) << out;
  EXPECT_NE(out.find("get_draft: refused"), std::string::npos) << out;
  EXPECT_NE(out.find("get_admin: refused"), std::string::npos) << out;
  EXPECT_GE(f.metric("gateway_cluster_refused_total{reason=\"forged_node_id\"}", 0), 1);
  EXPECT_GE(f.metric("gateway_cluster_refused_total{reason=\"get_draft\"}", 0), 1);
  // The real n2 keeps its place.
  EXPECT_TRUE(all_see(f, {0, 1}, {"n1", "n2"}));
}

TEST(cluster_security, tls_is_required_unless_the_file_allows_plaintext) {
  // No certificates anywhere: the node refuses to start, saying what to do.
  std::string file = "/tmp/draft-e2e-" + std::to_string(getpid()) + "-notls.conf";
  std::ofstream(file) << "[database]\nurl = postgresql://127.0.0.1:1/x\n"
                         "[node.n1]\nhost = 127.0.0.1\nhttp_port = "
                      << free_port() << "\ncluster_port = " << free_port() << "\n";
  std::string out;
  EXPECT_EQ(run_command("GATEWAY_CLUSTER_CONFIG=" + file
                          + " GATEWAY_NODE_ID=n1 " + bin_dir() + "/draft-gateway",
                        out),
            2);
  EXPECT_NE(out.find("mutual TLS"), std::string::npos) << out;
  EXPECT_EQ(run_command("GATEWAY_CLUSTER_CONFIG=" + file + " GATEWAY_NODE_ID=n1 "
                          "GATEWAY_CLUSTER_TLS_DIR=/nonexistent "
                          + bin_dir() + "/draft-gateway",
                        out),
            2);
  EXPECT_NE(out.find("cannot read /nonexistent/ca.pem"), std::string::npos) << out;
  // Another node's certificate: refused (its name is not n1).
  auto& dir = cluster_credentials();
  std::ofstream(file) << "[database]\nurl = postgresql://127.0.0.1:1/x\n"
                         "[tls]\nca = " << dir << "/ca.pem\n"
                         "[node.n1]\nhost = 127.0.0.1\nhttp_port = "
                      << free_port() << "\ncluster_port = " << free_port()
                      << "\ncertificate = " << dir << "/n2.pem\nkey = " << dir
                      << "/n2.key\n";
  EXPECT_EQ(run_command("GATEWAY_CLUSTER_CONFIG=" + file + " GATEWAY_NODE_ID=n1 "
                          + bin_dir() + "/draft-gateway",
                        out),
            2);
  EXPECT_NE(out.find("names node 'n2', not n1"), std::string::npos) << out;
  std::remove(file.c_str());
  // Plaintext when the file says so: it runs, and warns at every start.
  gateway_fixture f({{"GATEWAY_CLUSTER_TLS_DIR", ""}}, 2, "[tls]\nrequired = false\n");
  ASSERT_TRUE(all_see(f, {0, 1}, {"n1", "n2"}));
  EXPECT_NE(read_log(f.gateway(0)).find("PLAINTEXT"), std::string::npos);
}

TEST(cluster_security, relayed_admin_actions_are_checked_again_and_logged_everywhere) {
  gateway_fixture f({{"GATEWAY_ADMIN_ACTIONS", "true"}}, 2);
  // n2 is read-only.
  f.set_node_env(1, "GATEWAY_ADMIN_ACTIONS", "false");
  f.gateway(1).process->signal(SIGTERM);
  f.restart(1);
  ASSERT_TRUE(all_see(f, {0, 1}, {"n1", "n2"}));
  auto res = http_call(f.gateway_port(0), "POST",
                       "/admin/api/log-level?component=poller&level=debug", "",
                       admin_token());
  // n1 did it, n2 refused: not "every node".
  EXPECT_NE(res.status, 200) << res.body;
  auto acted = read_log(f.gateway(0));
  auto refused = read_log(f.gateway(1));
  EXPECT_NE(acted.find("\"msg\":\"operator action\""), std::string::npos);
  EXPECT_NE(acted.find("\"by\":\"ops\""), std::string::npos);
  EXPECT_NE(refused.find("\"msg\":\"operator action refused\""), std::string::npos)
    << refused;
  EXPECT_NE(refused.find("\"by\":\"ops\""), std::string::npos);
  EXPECT_NE(refused.find("actions are off on this node"), std::string::npos);
}

} // namespace
} // namespace draft::testing
