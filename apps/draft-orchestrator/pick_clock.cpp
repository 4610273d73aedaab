#include "pick_clock.hpp"

#include <algorithm>

#include "runtime/logger.hpp"

namespace draft {

pick_clock::pick_clock(draft_commands& commands,
                       std::chrono::milliseconds longest_wait)
  : commands_(commands), longest_wait_(longest_wait) {
  thread_ = std::thread([this] { run(); });
}

pick_clock::~pick_clock() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void pick_clock::wake() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    woken_ = true;
  }
  changed_.notify_all();
}

std::chrono::microseconds pick_clock::next_wait() {
  std::chrono::microseconds longest = longest_wait_;
  try {
    auto due = commands_.next_timeout();
    // A moment past the timeout, so the autopick finds it overdue by the
    // database's clock too.
    return due ? std::min(longest, *due + std::chrono::milliseconds(2)) : longest;
  } catch (const std::exception& e) {
    logger::get("orchestrator").warn("pick clock: cannot read the next timeout",
                                     {{"error", e.what()}});
    return longest;
  }
}

void pick_clock::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    while (commands_.autopick_one_overdue()) {
      std::lock_guard<std::mutex> guard(mutex_);
      if (stopping_)
        return;
    }
    auto wait = next_wait();
    lock.lock();
    changed_.wait_for(lock, wait, [this] { return stopping_ || woken_; });
  }
}

} // namespace draft
