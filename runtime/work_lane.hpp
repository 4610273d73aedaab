#pragma once

// One I/O thread's loop, seen from outside the network code: work posted
// here runs on that thread, in order. The HTTP server's lanes implement it
// (runtime/http_lane.hpp); the draft actor posts one fan-out task per lane.

#include <functional>

namespace draft {

class work_lane {
public:
  virtual ~work_lane() = default;
  virtual void post(std::function<void()> work) = 0;
};

} // namespace draft
