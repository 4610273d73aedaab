// The cluster's promise under a node failure: three nodes, ten drafts played
// by autopick on a one-second clock, 300 clients spread over the nodes. One
// node is killed with SIGKILL mid-draft and later restarted; its clients
// reconnect to another node with last_seq. At the end every client's applied
// log equals its draft's outbox: in order, no gap, no duplicate.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "cluster_support.hpp"
#include "roaming_client.hpp"

namespace draft::testing {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

TEST(cluster_failover, clients_lose_nothing_when_a_node_is_killed_and_restarted) {
  gateway_fixture f({}, 3);
  ASSERT_TRUE(all_see(f, {0, 1, 2}, {"n1", "n2", "n3"}));
  std::vector<std::string> drafts;
  for (int i = 0; i < 10; ++i)
    drafts.push_back(f.create_draft(4, 4, 1)); // 16 picks, 1-second clock
  std::vector<roaming_client> clients(300);
  for (std::size_t i = 0; i < clients.size(); ++i) {
    auto& c = clients[i];
    c.draft_id = drafts[i % drafts.size()];
    c.user = "fan-" + std::to_string(i);
    c.node = static_cast<int>(i % 3);
    ASSERT_TRUE(c.open(f));
    ASSERT_TRUE(c.listener->read_one(10s)); // the snapshot
  }
  for (auto& d : drafts)
    ASSERT_EQ(f.command(d, "start"), 200);
  auto deadline = steady::now() + 150s;
  std::vector<std::thread> threads;
  for (auto& c : clients)
    threads.emplace_back([&c, deadline] { c.run(deadline); });

  // Mid-draft: kill n3 without warning; once the others count it out (its
  // drafts have moved), bring it back.
  ASSERT_TRUE(drafts_under_way(f, drafts));
  f.gateway(2).process->signal(SIGKILL);
  EXPECT_TRUE(all_see(f, {0, 1}, {"n1", "n2"}));
  f.restart(2);

  for (auto& t : threads)
    t.join();
  auto [moved, resumes] = expect_every_log_complete(f, clients);
  // The killed node's clients moved; the others stayed where they were (their
  // node's draft actor followed the draft's new owner).
  EXPECT_EQ(moved, 100);
  for (auto& [code, count] : roaming_client::close_codes)
    std::printf("[ failover ] %d connections ended with close code %d\n", count,
                code);
  if (!resumes.empty())
    std::printf("[ failover ] %d clients reconnected %zu times; resume time "
                "p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
                moved, resumes.size(), resumes[resumes.size() / 2],
                resumes[resumes.size() * 99 / 100], resumes.back());
}

} // namespace
} // namespace draft::testing
