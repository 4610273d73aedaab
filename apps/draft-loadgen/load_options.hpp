#pragma once

// draft-loadgen's command line, as the parts of the load generator share it.

#include <string>
#include <vector>

#include "protocol/time_format.hpp"

namespace draft::load {

struct options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::vector<int> ports; ///< --ports: clients spread over several nodes
  int connections = 100;
  int drafts = 10;
  double rate = 0;
  double warmup = 0;
  double duration = 10;
  double drain = 10;
  double hold = 0;
  int threads = 1;
  /// --sources N: connect from N loopback addresses (127.0.0.2 onwards)
  /// to pass one address's ephemeral-port limit.
  int sources = 1;
  int server_pid = 0;
  int db_pid = 0;
  std::string label;
};

/// Wall-clock milliseconds (the timestamps' clock, for commit → receipt).
inline double wall_ms() {
  return static_cast<double>(now_utc()) / 1000.0;
}

} // namespace draft::load
