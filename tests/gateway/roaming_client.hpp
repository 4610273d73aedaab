#pragma once

// A test client that behaves as the web and mobile apps do: when its
// connection drops it connects again — to the next node, or to the same
// load-balanced URL — resuming with the last seq it applied. Where, when and
// with which target is the product's client session
// (protocol/client_session.hpp), as for draft-bots and the loadgen.

#include <algorithm>
#include <functional>
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
  int node = 0;          ///< the node it connects to first (when `fixed_port` is 0)
  int fixed_port = 0;    ///< a load balancer's port: always reconnect there
  std::unique_ptr<draft_listener> listener;
  int reconnects = 0;
  std::vector<double> resume_ms; ///< drop noticed -> connected again
  std::string gave_up;           ///< why its session gave up, if it did

  /// Close code (0: dropped) -> count, over every client.
  static inline std::mutex codes_mutex;
  static inline std::map<int, int> close_codes;

  bool completed() const {
    auto& events = listener->events();
    return !events.empty() && events.back().type == "DraftCompleted";
  }

  /// Connects for the first time (the snapshot comes first), through the
  /// product's client session: to `nodes`, starting at `node`; retried as
  /// the session says until `deadline`.
  bool open(std::vector<gateway_address> nodes, steady::time_point deadline) {
    using namespace std::chrono_literals;
    session_ = std::make_unique<client_session>(
      draft_id,
      std::make_shared<const std::vector<gateway_address>>(std::move(nodes)),
      static_cast<std::size_t>(node), backoff_policy{100ms, 1s},
      static_cast<std::uint32_t>(std::hash<std::string>{}(user)));
    return connect_until(deadline);
  }

  /// The same to the nodes of `f` (or its load balancer, `fixed_port`).
  bool open(gateway_fixture& f) {
    std::vector<gateway_address> nodes;
    if (fixed_port)
      nodes.push_back({"127.0.0.1", static_cast<std::uint16_t>(fixed_port)});
    else
      for (int i = 0; i < f.node_count(); ++i)
        nodes.push_back({"127.0.0.1", static_cast<std::uint16_t>(f.gateway_port(i))});
    return open(std::move(nodes), steady::now() + std::chrono::seconds(10));
  }

  /// Reads until its draft completed or `deadline`; when the connection
  /// ends, reconnects where and when the session says, resuming.
  void run(steady::time_point deadline) {
    using namespace std::chrono_literals;
    while (steady::now() < deadline && !completed()) {
      if (listener->read_one(500ms) || !listener->client().closed())
        continue;
      auto dropped = steady::now();
      auto code = listener->client().close_code();
      {
        std::lock_guard<std::mutex> guard(codes_mutex);
        ++close_codes[code];
      }
      auto next = listener->session().closed(code);
      if (next.action == close_action::give_up) {
        gave_up = next.reason;
        return;
      }
      std::this_thread::sleep_for(next.delay);
      if (!connect_until(deadline))
        return;
      ++reconnects;
      resume_ms.push_back(
        std::chrono::duration<double, std::milli>(steady::now() - dropped)
          .count());
    }
  }

private:
  // Connects where the session says (resuming once anything was applied);
  // a refusal is sorted by the session: wait and retry, or give up.
  bool connect_until(steady::time_point deadline) {
    auto& session = listener ? listener->session() : *session_;
    while (steady::now() < deadline) {
      int status = 0;
      std::string body;
      auto ws = ws_client::connect(session.node().port, session.target(),
                                   reader_token(user), status, body, 0,
                                   session.node().host);
      if (ws) {
        if (listener) {
          listener->reconnect(std::move(ws));
        } else {
          listener = std::make_unique<draft_listener>(std::move(ws),
                                                      std::move(*session_));
          listener->session().opened();
        }
        return true;
      }
      auto next = session.refused(status);
      if (next.action == close_action::give_up) {
        gave_up = next.reason + " (" + std::to_string(status) + ": " + body + ")";
        return false;
      }
      std::this_thread::sleep_for(next.delay);
    }
    return false;
  }

  std::unique_ptr<client_session> session_; // until the listener holds it
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
    EXPECT_EQ(c.gave_up, "") << c.user;
    out.moved += c.reconnects > 0;
    out.resumes.insert(out.resumes.end(), c.resume_ms.begin(), c.resume_ms.end());
  }
  std::sort(out.resumes.begin(), out.resumes.end());
  return out;
}

} // namespace draft::testing
