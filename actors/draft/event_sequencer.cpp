#include "actors/draft/event_sequencer.hpp"

namespace draft {

bool event_sequencer::offer(outbox_row row, std::int64_t applied) {
  if (row.seq <= applied)
    return false;
  if (row.seq > known_)
    known_ = row.seq;
  pending_.emplace(row.seq, std::move(row));
  return true;
}

std::optional<outbox_row> event_sequencer::next(std::int64_t applied) {
  while (!pending_.empty()) {
    auto it = pending_.begin();
    if (it->first <= applied) {
      pending_.erase(it); // a duplicate: already applied
      continue;
    }
    if (it->first != applied + 1)
      return std::nullopt; // a gap
    auto row = std::move(it->second);
    pending_.erase(it);
    return row;
  }
  return std::nullopt;
}

void event_sequencer::learn(std::int64_t seq) {
  if (seq > known_)
    known_ = seq;
}

std::optional<seq_range> event_sequencer::start_backfill(std::int64_t applied) {
  auto from = applied + 1;
  auto to = pending_.empty() ? known_ : pending_.begin()->first - 1;
  if (backfilling_ || to < from)
    return std::nullopt;
  backfilling_ = true;
  return seq_range{from, to};
}

void event_sequencer::backfill_done(std::vector<outbox_row> rows) {
  backfilling_ = false;
  for (auto& row : rows) {
    if (row.seq > known_)
      known_ = row.seq;
    pending_.emplace(row.seq, std::move(row));
  }
}

} // namespace draft
