#pragma once

// draft-loadgen's WebSocket clients: one thread's share of the connections
// on one Asio loop. Each client follows the protocol's seq rule
// (protocol/client_sequence.hpp), resumes after a gap or a dropped
// connection (to the next node), and times every event from its commit to
// its receipt. Beast stays in load_clients.cpp.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "load_options.hpp"
#include "load_stats.hpp"

namespace draft::load {

/// What the main thread reads of one client.
struct client_view {
  int draft = 0;
  bool open = false;
  std::int64_t last = 0; ///< its last seq
};

class client_group {
public:
  /// `drafts_and_nodes`: each client's draft and node (an index into the
  /// ports); `owner_nodes`: each draft's owner node, to tell local from
  /// cross-node deliveries (empty: not known).
  client_group(const options& opts, const std::vector<std::string>& draft_ids,
               const std::vector<std::string>& tokens,
               std::vector<std::pair<int, int>> drafts_and_nodes,
               const std::vector<int>& owner_nodes);
  ~client_group();

  void start();
  void stop();
  bool connecting_done() const;
  std::size_t opened() const;
  const std::map<std::string, int>& errors() const;
  void measure_from(double ms);
  const load_stats& stats() const;
  std::vector<client_view> clients() const;

private:
  class impl;
  std::unique_ptr<impl> impl_;
};

} // namespace draft::load
