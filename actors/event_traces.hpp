#pragma once

// The gateway's part of an event's timeline, for `draftctl trace` and
// GET /admin/api/trace/{event_id}: when this node's draft actor applied each
// recent event, and the first and last socket write of its frame here. A
// bounded ring (the newest 4,096 events applied on this node); one short lock
// per applied event, none per delivery (writes are counted in the frame).

#include <deque>
#include <mutex>
#include <string>

#include "actors/gateway_messages.hpp"
#include "protocol/json_writer.hpp"
#include "actors/gateway_types.hpp"

namespace draft {

class event_traces {
public:
  explicit event_traces(std::size_t capacity = 4096) : capacity_(capacity) {}

  /// Called by a draft actor when it applied `row` as `frame`; `role` is
  /// "owner" or "follower".
  void applied(const outbox_row& row, frame_ptr frame, const char* role,
               timestamp at);

  /// Writes this node's view of `event_id` as the member `key`: an object,
  /// or null if the event is not (or no longer) in the ring.
  void write(json::object_writer& o, const char* key,
             const std::string& event_id) const;

private:
  struct entry {
    std::string event_id;
    std::string draft_id;
    std::int64_t seq = 0;
    event_type type = event_type::pick_made;
    std::string traceparent;
    const char* role = "";
    timestamp applied_at = 0;
    frame_ptr frame;
  };
  mutable std::mutex mutex_;
  std::deque<entry> entries_;
  std::size_t capacity_;
};

/// The process's ring.
event_traces& gateway_traces();

} // namespace draft
