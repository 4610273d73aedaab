// A gateway cluster of real processes on loopback: membership, ownership,
// cross-node fan-out, a frozen node and TLS between nodes.

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "cluster_support.hpp"
#include "runtime/random_uuid.hpp"

namespace draft::testing {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> all3{"n1", "n2", "n3"};

// A draft whose owner is `node` (drafts are created until one is).
std::string draft_owned_by(gateway_fixture& f, const std::string& node,
                           int clock_sec = 60) {
  for (int i = 0; i < 30; ++i) {
    auto id = f.create_draft(4, 3, clock_sec);
    if (owners(f.gateway_port(0), {id})[id] == node)
      return id;
  }
  ADD_FAILURE() << "no draft landed on " << node;
  return "";
}

double counter(gateway_fixture& f, const std::string& name, int node) {
  return std::max(0.0, f.metric(name, node));
}

TEST(cluster, ownership_is_the_same_on_every_node_and_moves_only_from_the_leaver) {
  gateway_fixture f({}, 3);
  ASSERT_TRUE(all_see(f, {0, 1, 2}, all3));
  std::vector<std::string> drafts;
  for (int i = 0; i < 40; ++i)
    drafts.push_back(random_uuid());
  auto before = owners(f.gateway_port(0), drafts);
  ASSERT_EQ(before.size(), drafts.size());
  EXPECT_EQ(owners(f.gateway_port(1), drafts), before);
  EXPECT_EQ(owners(f.gateway_port(2), drafts), before);
  std::map<std::string, int> per_node;
  for (auto& [d, owner] : before)
    ++per_node[owner];
  EXPECT_EQ(per_node.size(), 3u) << "40 drafts should spread over 3 nodes";

  f.gateway(1).process->signal(SIGKILL);
  ASSERT_TRUE(all_see(f, {0, 2}, {"n1", "n3"}));
  auto after = owners(f.gateway_port(0), drafts);
  EXPECT_EQ(owners(f.gateway_port(2), drafts), after);
  int moved = 0;
  for (auto& d : drafts) {
    if (before[d] == "n2") {
      EXPECT_NE(after[d], "n2");
      ++moved;
    } else {
      EXPECT_EQ(after[d], before[d]) << "draft " << d << " moved needlessly";
    }
  }
  EXPECT_EQ(moved, per_node["n2"]);

  f.restart(1);
  ASSERT_TRUE(all_see(f, {0, 1, 2}, all3));
  for (int n = 0; n < 3; ++n)
    EXPECT_EQ(owners(f.gateway_port(n), drafts), before) << "node " << n;
}

TEST(cluster, inter_node_messages_per_event_equal_subscribing_nodes) {
  gateway_fixture f({}, 3);
  ASSERT_TRUE(all_see(f, {0, 1, 2}, all3));
  auto draft = draft_owned_by(f, "n1");
  ASSERT_FALSE(draft.empty());
  // 2 clients on the owner, 10 on each of the two other nodes.
  std::vector<std::unique_ptr<draft_listener>> clients;
  for (int i = 0; i < 22; ++i) {
    int node = i < 2 ? 0 : 1 + (i % 2);
    clients.push_back(f.open(draft, "fan-" + std::to_string(i), -1, 0, node));
    ASSERT_TRUE(clients.back());
    ASSERT_TRUE(clients.back()->read_one(10s));
  }
  // Both other nodes' draft actors follow the owner's.
  ASSERT_TRUE(gateway_fixture::eventually(
    [&] {
      return draft_detail(f.gateway_port(0), draft, "n1", "followers") == "2";
    },
    20));
  for (auto node : {"n2", "n3"})
    EXPECT_TRUE(gateway_fixture::eventually(
      [&] {
        return draft_detail(f.gateway_port(0), draft, node, "role")
               == "follower";
      },
      10))
      << node;
  auto forwarded0 = counter(f, "gateway_cluster_events_forwarded_total", 0);
  auto applied0 = counter(f, "gateway_events_applied_total", 0);
  auto frames = [&](const char* how, int node) {
    return counter(f, std::string("gateway_event_frames_total{how=\"") + how
                        + "\"}", node);
  };
  std::map<std::pair<std::string, int>, double> frames0;
  for (auto how : {"spliced", "encoded", "forwarded"})
    for (int n : {0, 1, 2})
      frames0[{how, n}] = frames(how, n);
  auto made = [&](const char* how, int node) {
    return frames(how, node) - frames0[{how, node}];
  };
  ASSERT_EQ(f.command(draft, "start"), 200);
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(f.pick_best(draft), 201);
  auto log = f.outbox(draft);
  for (auto& c : clients)
    ASSERT_TRUE(c->read_until_seq(log.back().first, 20s));
  for (auto& c : clients)
    EXPECT_EQ(applied(*c), log);
  auto events = counter(f, "gateway_events_applied_total", 0) - applied0;
  auto forwarded = counter(f, "gateway_cluster_events_forwarded_total", 0)
                   - forwarded0;
  EXPECT_EQ(events, static_cast<double>(log.size()));
  // Two subscribing nodes, twenty subscribers there: two messages per event.
  EXPECT_EQ(forwarded, 2 * events);
  auto expected = std::to_string(static_cast<long long>(2 * events));
  EXPECT_TRUE(gateway_fixture::eventually(
    [&] {
      return draft_detail(f.gateway_port(1), draft, "n1", "events_forwarded")
             == expected;
    },
    10));
  for (int n : {1, 2})
    EXPECT_EQ(counter(f, "gateway_cluster_events_forwarded_total", n), 0);
  // Encoded once in the cluster: the owner splices each stored payload (the
  // orchestrator wrote it canonical, jsonb reordered it); the followers send
  // the owner's frame, byte for byte.
  EXPECT_EQ(made("spliced", 0), events);
  EXPECT_EQ(made("encoded", 0), 0);
  for (int n : {1, 2}) {
    EXPECT_EQ(made("forwarded", n), events) << "node " << n;
    EXPECT_EQ(made("spliced", n) + made("encoded", n), 0) << "node " << n;
  }
  auto texts = [](const draft_listener& c) {
    std::vector<std::string> out;
    for (auto& e : c.events())
      out.push_back(e.text);
    return out;
  };
  for (auto& c : clients)
    EXPECT_EQ(texts(*c), texts(*clients.front()));
}

TEST(cluster, a_frozen_node_is_detected_and_its_drafts_move) {
  gateway_fixture f({}, 3);
  ASSERT_TRUE(all_see(f, {0, 1, 2}, all3));
  auto draft = draft_owned_by(f, "n3");
  ASSERT_FALSE(draft.empty());
  auto client = f.open(draft, "watcher", -1, 0, 0);
  ASSERT_TRUE(client && client->read_one(10s));
  ASSERT_EQ(f.command(draft, "start"), 200);
  ASSERT_EQ(f.pick_best(draft), 201);
  ASSERT_TRUE(client->read_until_seq(f.outbox(draft).back().first, 20s));

  auto& frozen = *f.gateway(2).process;
  frozen.signal(SIGSTOP);
  auto stopped = std::chrono::steady_clock::now();
  // peer_timeout is 1500ms, heartbeats every 300ms (gateway_fixture).
  bool detected = all_see(f, {0, 1}, {"n1", "n2"}, 10);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - stopped);
  std::printf("[ cluster  ] frozen node seen down after %lld ms "
              "(peer_timeout 1500 ms)\n",
              static_cast<long long>(took.count()));
  EXPECT_TRUE(detected);
  EXPECT_NE(owners(f.gateway_port(0), {draft})[draft], "n3");
  // The draft goes on from its new owner: the client on n1 gets new picks.
  ASSERT_EQ(f.pick_best(draft), 201);
  EXPECT_TRUE(client->read_until_seq(f.outbox(draft).back().first, 20s));

  frozen.signal(SIGCONT);
  ASSERT_TRUE(all_see(f, {0, 1, 2}, all3));
  ASSERT_EQ(f.pick_best(draft), 201);
  auto log = f.outbox(draft);
  ASSERT_TRUE(client->read_until_seq(log.back().first, 20s));
  EXPECT_EQ(applied(*client), log);
  EXPECT_EQ(client->gaps(), 0);
  EXPECT_EQ(client->duplicates(), 0);
}

// Starts a gateway with `file` as its cluster file; its exit status and output.
int start_with_cluster_file(const std::string& file, const std::string& node,
                            std::string& output) {
  return run_command("GATEWAY_CLUSTER_CONFIG=" + file + " GATEWAY_NODE_ID="
                       + node + " " + bin_dir() + "/draft-gateway",
                     output);
}

TEST(cluster, a_node_refuses_an_invalid_cluster_file_naming_the_field) {
  std::string file = "/tmp/draft-e2e-" + std::to_string(getpid()) + "-bad.conf";
  std::ofstream(file) << "[database]\nurl = postgresql://127.0.0.1:1/x\n"
                         "[node.n1]\nhost = 127.0.0.1\nhttp_port = 8080\n"
                         "cluster_port = 9080\n[node.n2]\nhost = 127.0.0.1\n"
                         "http_port = 8081\n";
  std::string out;
  EXPECT_EQ(start_with_cluster_file(file, "n1", out), 2);
  EXPECT_NE(out.find("node.n2.cluster_port"), std::string::npos) << out;
  out.clear();
  std::ofstream(file) << "[database]\nurl = postgresql://127.0.0.1:1/x\n"
                         "[node.n1]\nhost = 127.0.0.1\nhttp_port = 8080\n"
                         "cluster_port = 9080\n";
  EXPECT_EQ(start_with_cluster_file(file, "n7", out), 2);
  EXPECT_NE(out.find("GATEWAY_NODE_ID"), std::string::npos) << out;
  std::remove(file.c_str());
}

} // namespace
} // namespace draft::testing
