// The cluster behind HAProxy (ops/haproxy/haproxy.cfg.in, as ./dev run uses
// it): clients know one URL. Three nodes, four drafts on a one-second
// autopick clock, 100 clients through the balancer. A node is killed
// mid-draft: HAProxy takes it out, its clients reconnect through the same URL
// and resume with last_seq; the node returns and HAProxy puts it back. At the
// end every client's log equals its draft's outbox.

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "cluster_support.hpp"
#include "roaming_client.hpp"
#include "support/process.hpp"

namespace draft::testing {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

void replace(std::string& text, const std::string& what, const std::string& with) {
  auto at = text.find(what);
  ASSERT_NE(at, std::string::npos) << what;
  text.replace(at, what.size(), with);
}

// HAProxy over the fixture's nodes on free ports, ended with the test.
struct load_balancer {
  explicit load_balancer(gateway_fixture& f)
    : port(free_port()), stats_port(free_port()),
      config("/tmp/draft-e2e-" + std::to_string(getpid()) + "-haproxy.cfg") {
    std::ifstream in(std::string(DRAFT_SOURCE_DIR) + "/ops/haproxy/haproxy.cfg.in");
    std::stringstream text;
    text << in.rdbuf();
    auto cfg = text.str();
    std::string servers;
    for (int n = 0; n < f.node_count(); ++n)
      servers += "  server n" + std::to_string(n + 1) + " 127.0.0.1:"
                 + std::to_string(f.gateway_port(n)) + " check\n";
    replace(cfg, "@BIND@", "127.0.0.1:" + std::to_string(port));
    replace(cfg, "@STATS@", "127.0.0.1:" + std::to_string(stats_port));
    replace(cfg, "@SERVERS@", servers);
    std::ofstream(config) << cfg;
    process = std::make_unique<child_process>(
      HAPROXY_BIN, std::vector<std::string>{"-db", "-f", config},
      std::map<std::string, std::string>{}, config + ".log");
  }

  // "UP", "DOWN", … for server `name` (HAProxy's CSV stats).
  std::string status_of(const std::string& name) const {
    auto csv = http_call(stats_port, "GET", "/stats;csv").body;
    std::istringstream lines(csv);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("gateways," + name + ",", 0) != 0)
        continue;
      std::vector<std::string> fields;
      std::istringstream cells(line);
      std::string cell;
      while (std::getline(cells, cell, ','))
        fields.push_back(cell);
      return fields.size() > 17 ? fields[17] : "";
    }
    return "";
  }

  int port;
  int stats_port;
  std::string config;
  std::unique_ptr<child_process> process;
};

} // namespace

TEST(load_balancer, clients_of_one_url_lose_nothing_when_a_node_dies) {
  gateway_fixture f({}, 3);
  ASSERT_TRUE(all_see(f, {0, 1, 2}, {"n1", "n2", "n3"}));
  load_balancer lb(f);
  ASSERT_TRUE(gateway_fixture::eventually(
    [&] {
      return http_call(lb.port, "GET", "/health").status == 200
             && lb.status_of("n3").rfind("UP", 0) == 0;
    },
    20))
    << "HAProxy did not come up; see " << lb.config << ".log";
  std::vector<std::string> drafts;
  for (int i = 0; i < 4; ++i)
    drafts.push_back(f.create_draft(4, 4, 1)); // 16 picks, 1-second clock
  std::vector<roaming_client> clients(100);
  for (std::size_t i = 0; i < clients.size(); ++i) {
    auto& c = clients[i];
    c.draft_id = drafts[i % drafts.size()];
    c.user = "lb-fan-" + std::to_string(i);
    c.fixed_port = lb.port;
    ASSERT_TRUE(c.open(f)) << c.user;
    ASSERT_TRUE(c.listener->read_one(10s)); // the snapshot
  }
  // REST through the same URL.
  EXPECT_EQ(http_call(lb.port, "GET", "/api/drafts/" + drafts[0] + "/state", "",
                      reader_token("lb-rest"))
              .status,
            200);
  for (auto& d : drafts)
    ASSERT_EQ(f.command(d, "start"), 200);
  auto deadline = steady::now() + 120s;
  std::vector<std::thread> threads;
  for (auto& c : clients)
    threads.emplace_back([&c, deadline] { c.run(deadline); });

  // Mid-draft: kill n3; HAProxy marks it down; it returns and is marked up.
  ASSERT_TRUE(drafts_under_way(f, drafts));
  f.gateway(2).process->signal(SIGKILL);
  bool seen_down = gateway_fixture::eventually(
    [&] { return lb.status_of("n3").rfind("DOWN", 0) == 0; }, 10);
  // Kept down until the other nodes count it out too (its drafts moved).
  EXPECT_TRUE(all_see(f, {0, 1}, {"n1", "n2"}));
  f.restart(2);
  bool seen_up_again = gateway_fixture::eventually(
    [&] { return lb.status_of("n3").rfind("UP", 0) == 0; }, 20);

  for (auto& t : threads)
    t.join();
  EXPECT_TRUE(seen_down) << "HAProxy never took the killed node out";
  EXPECT_TRUE(seen_up_again) << "HAProxy never put the node back";
  auto [moved, resumes] = expect_every_log_complete(f, clients);
  // The killed node had clients (leastconn spreads them), and they came back.
  EXPECT_GT(moved, 0);
  if (!resumes.empty())
    std::printf("[ balancer ] %d of 100 clients reconnected through HAProxy; "
                "resume p50 %.0f ms, max %.0f ms\n",
                moved, resumes[resumes.size() / 2], resumes.back());
}

} // namespace draft::testing
