#include "actors/draft/frame_history.hpp"

#include "actors/draft_state.hpp"

namespace draft {

void frame_history::push(frame_ptr f) {
  history_.push_back(std::move(f));
  while (history_.size() > limit_) {
    if (!older_.empty())
      older_.push_back(history_.front());
    history_.pop_front();
  }
}

std::int64_t frame_history::front(std::int64_t next) const {
  if (!older_.empty())
    return older_.front()->seq;
  if (!history_.empty())
    return history_.front()->seq;
  return next;
}

const frame_ptr& frame_history::at(std::int64_t seq) const {
  if (!older_.empty() && seq <= older_.back()->seq)
    return older_[static_cast<std::size_t>(seq - older_.front()->seq)];
  return history_[static_cast<std::size_t>(seq - history_.front()->seq)];
}

std::size_t frame_history::join_below(const std::vector<outbox_row>& rows,
                                      std::int64_t next) {
  auto below = front(next);
  std::size_t joined = 0;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    if (it->seq != below - 1)
      break;
    older_.push_front(encode_row(*it));
    --below;
    ++joined;
  }
  return joined;
}

} // namespace draft
