#pragma once

// A test client that behaves as the web and mobile apps do: when its
// connection drops it connects again — to the next node, or to the same
// load-balanced URL — resuming with the last seq it applied.

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway_fixture.hpp"

namespace draft::testing {

struct roaming_client {
  using steady = std::chrono::steady_clock;

  std::string draft_id;
  std::string user;
  int node = 0;          ///< the node it is on (when `fixed_port` is 0)
  int fixed_port = 0;    ///< a load balancer's port: always reconnect there
  std::unique_ptr<draft_listener> listener;
  int reconnects = 0;
  std::vector<double> resume_ms; ///< drop noticed -> connected again

  /// Close code (0: dropped) -> count, over every client.
  static inline std::mutex codes_mutex;
  static inline std::map<int, int> close_codes;

  bool completed() const {
    auto& events = listener->events();
    return !events.empty() && events.back().type == "DraftCompleted";
  }

  /// Reads until its draft completed or `deadline`.
  void run(gateway_fixture& f, steady::time_point deadline) {
    using namespace std::chrono_literals;
    while (steady::now() < deadline && !completed()) {
      if (listener->read_one(500ms) || !listener->client().closed())
        continue;
      auto dropped = steady::now();
      {
        std::lock_guard<std::mutex> guard(codes_mutex);
        ++close_codes[listener->client().close_code()];
      }
      bool back = false;
      while (!back && steady::now() < deadline) {
        if (!fixed_port)
          node = (node + 1) % f.node_count();
        int status = 0;
        std::string body;
        auto client = ws_client::connect(
          fixed_port ? fixed_port : f.gateway_port(node),
          "/drafts/" + draft_id + "/connect?last_seq="
            + std::to_string(listener->last_seq()),
          reader_token(user), status, body);
        if (client) {
          listener->reconnect(std::move(client));
          back = true;
        } else {
          std::this_thread::sleep_for(100ms);
        }
      }
      ++reconnects;
      resume_ms.push_back(
        std::chrono::duration<double, std::milli>(steady::now() - dropped)
          .count());
    }
  }
};

/// What a run of roaming clients showed.
struct roaming_result {
  int moved = 0;               ///< clients that reconnected at least once
  std::vector<double> resumes; ///< every resume time (ms), sorted
};

/// Checks that every client's applied log equals its draft's outbox — in
/// order, no gap, no duplicate — and that its draft completed; returns who
/// moved and how fast they resumed.
inline roaming_result expect_every_log_complete(gateway_fixture& f,
                                                std::vector<roaming_client>& clients) {
  roaming_result out;
  for (auto& c : clients) {
    auto log = f.outbox(c.draft_id);
    EXPECT_FALSE(log.empty());
    EXPECT_EQ(applied(*c.listener), log) << c.user << " on " << c.draft_id;
    EXPECT_EQ(c.listener->gaps(), 0) << c.user;
    EXPECT_EQ(c.listener->duplicates(), 0) << c.user;
    EXPECT_TRUE(c.completed()) << c.user;
    out.moved += c.reconnects > 0;
    out.resumes.insert(out.resumes.end(), c.resume_ms.begin(), c.resume_ms.end());
  }
  std::sort(out.resumes.begin(), out.resumes.end());
  return out;
}

} // namespace draft::testing
