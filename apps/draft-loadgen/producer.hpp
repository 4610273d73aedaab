#pragma once

// draft-loadgen's producer: outbox events at a fixed rate, written as every
// writer writes them (draft_append_event, unless INSERT_QUERY says otherwise).

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "load_options.hpp"

namespace draft::load {

/// Set by SIGINT/SIGTERM: the run stops early and still reports.
extern std::atomic<bool> interrupted;
void on_signal(int);

/// Sleeps `seconds`, less if a signal comes.
void pause_unless_interrupted(double seconds);

/// Inserts rate × drafts events per second, round-robin, one transaction
/// each, through `insert_query` (event id, draft id, seq, payload); returns
/// the last seq of each draft and sets `seconds` to the time it took.
std::vector<std::int64_t> produce(const options& opts,
                                  const std::vector<std::string>& draft_ids,
                                  const std::string& insert_query,
                                  double& seconds);

} // namespace draft::load
