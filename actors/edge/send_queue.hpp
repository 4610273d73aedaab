#pragma once

// A connection's queue of frames waiting to be written: first in, first out,
// on one vector with a read position. Unlike std::deque (whose empty state
// already holds a 512-byte block and its map), an idle connection's queue
// holds at most the few slots its last burst needed, and nothing at all
// before its first frame.

#include <cstddef>
#include <utility>
#include <vector>

namespace draft {

template <class T>
class send_queue {
public:
  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  T& front() { return items_[head_]; }
  /// The item `i` places behind the front (i < size()).
  T& at(std::size_t i) { return items_[head_ + i]; }

  void push_back(T item) {
    if (empty())
      clear();
    items_.push_back(std::move(item));
  }

  void pop_front() {
    items_[head_++] = T{}; // release what it holds now
    if (empty())
      clear();
  }

  /// Drops everything after the first `keep` items (those being written
  /// stay: their buffers are in use).
  void truncate(std::size_t keep) {
    if (keep < size())
      items_.resize(head_ + keep);
    if (empty())
      clear();
  }

private:
  void clear() {
    items_.clear();
    head_ = 0;
  }

  std::vector<T> items_;
  std::size_t head_ = 0;
};

} // namespace draft
