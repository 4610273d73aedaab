#pragma once

// The ordering rule of a draft actor (docs/schema.md, "The ordering invariant"), as
// plain data: rows are applied strictly in seq order; a row ahead of the next
// expected seq waits here while the gap is read from PostgreSQL; a row at or
// below the applied seq is a duplicate and is dropped. No CAF: the draft
// actor asks it what to do and does the asking of the database itself.

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "actors/gateway_types.hpp"

namespace draft {

/// An inclusive range of seqs to read from the outbox.
struct seq_range {
  std::int64_t from = 0;
  std::int64_t to = 0;
  friend bool operator==(const seq_range& a, const seq_range& b) {
    return a.from == b.from && a.to == b.to;
  }
};

class event_sequencer {
public:
  /// Takes a row offered after `applied` (the model's last seq); false when
  /// it is a duplicate (dropped: applying it twice would deliver it twice).
  bool offer(outbox_row row, std::int64_t applied);

  /// The next row to apply after `applied`, if it is here; rows at or below
  /// `applied` met on the way are dropped.
  std::optional<outbox_row> next(std::int64_t applied);

  /// Events up to `seq` exist (the owner said so, or a tick carried it).
  void learn(std::int64_t seq);

  /// The rows to read from PostgreSQL to close the gap after `applied`
  /// (up to the first buffered row, or to the highest seq known), if there
  /// is one and no read is under way; the read is then under way.
  std::optional<seq_range> start_backfill(std::int64_t applied);

  /// The read came back: its rows are buffered like offered ones.
  void backfill_done(std::vector<outbox_row> rows);
  /// The read failed: the next `start_backfill` asks again.
  void backfill_failed() { backfilling_ = false; }

  std::size_t buffered() const { return pending_.size(); }
  bool backfilling() const { return backfilling_; }
  std::int64_t known() const { return known_; }

private:
  std::map<std::int64_t, outbox_row> pending_; // rows ahead of a gap
  std::int64_t known_ = 0;                     // highest seq known to exist
  bool backfilling_ = false;
};

} // namespace draft
