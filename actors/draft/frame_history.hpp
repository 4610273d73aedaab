#pragma once

// The encoded frames a draft actor keeps for resumers: the last N applied
// (the hot history) and, while replays need them, a run read from
// PostgreSQL right below it ("older"). Both are seq-ascending and together
// contiguous, so a frame in memory is found by its seq alone. No CAF.

#include <cstdint>
#include <deque>
#include <vector>

#include "actors/gateway_messages.hpp"
#include "actors/gateway_types.hpp"

namespace draft {

class frame_history {
public:
  explicit frame_history(std::size_t limit = 512) : limit_(limit) {}

  /// Appends the frame of the event just applied; the oldest leaves the
  /// history (into `older` while that is kept, so the two stay contiguous).
  void push(frame_ptr f);

  /// The lowest seq in memory; `next` (the seq after the last applied)
  /// when nothing is.
  std::int64_t front(std::int64_t next) const;

  /// The frame with `seq`, which must be in memory (front() <= seq <= last).
  const frame_ptr& at(std::int64_t seq) const;

  /// Rows read from PostgreSQL for resumers (ascending): the run that ends
  /// right below the memory joins it, encoded; returns how many joined.
  /// `next` is as for front().
  std::size_t join_below(const std::vector<outbox_row>& rows, std::int64_t next);

  bool has_older() const { return !older_.empty(); }
  void drop_older() { older_.clear(); }
  std::size_t size() const { return history_.size(); }

private:
  std::size_t limit_;
  std::deque<frame_ptr> history_;
  std::deque<frame_ptr> older_;
};

} // namespace draft
