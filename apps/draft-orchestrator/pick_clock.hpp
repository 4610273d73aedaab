#pragma once

// The pick clock: a timer thread that autopicks each slot when its time is
// up. It sleeps until the earliest timeout_at of an in-progress draft (read
// by the database's clock, which wrote every timeout_at), or until a command
// that may have moved a timeout wakes it (`wake`), and at most
// `longest_wait` (another orchestrator instance's changes are not signalled
// here). Overdue picks from before a crash are autopicked as it starts.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "draft_commands.hpp"

namespace draft {

class pick_clock {
public:
  pick_clock(draft_commands& commands, std::chrono::milliseconds longest_wait);
  ~pick_clock(); ///< stops the thread

  pick_clock(const pick_clock&) = delete;
  pick_clock& operator=(const pick_clock&) = delete;

  /// A draft's clock may have changed (a start, pick, resume, undo or clock
  /// command committed): look again now.
  void wake();

private:
  void run();
  // How long to sleep from now: to the next timeout, within the bounds.
  std::chrono::microseconds next_wait();

  draft_commands& commands_;
  std::chrono::milliseconds longest_wait_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace draft
