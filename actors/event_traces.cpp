#include "actors/event_traces.hpp"

#include "runtime/logger.hpp"

namespace draft {

namespace {

std::string time_or_null(timestamp t) {
  return t == 0 ? "null" : json_quoted(format_rfc3339(t));
}

} // namespace

void event_traces::applied(const outbox_row& row, frame_ptr frame,
                           const char* role, timestamp at) {
  std::lock_guard<std::mutex> guard(mutex_);
  entries_.push_back({row.event_id, row.draft_id, row.seq, row.type,
                      row.traceparent, role, at, std::move(frame)});
  if (entries_.size() > capacity_)
    entries_.pop_front();
}

std::string event_traces::json_of(const std::string& event_id) const {
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->event_id != event_id)
      continue;
    auto& f = *it->frame;
    return "{\"event_id\":" + json_quoted(it->event_id)
           + ",\"draft_id\":" + json_quoted(it->draft_id)
           + ",\"seq\":" + std::to_string(it->seq)
           + ",\"type\":" + json_quoted(to_string(it->type))
           + ",\"traceparent\":" + json_quoted(it->traceparent)
           + ",\"role\":" + json_quoted(it->role)
           + ",\"committed_at\":" + time_or_null(f.created_at)
           + ",\"applied_at\":" + time_or_null(it->applied_at)
           + ",\"first_write\":"
           + time_or_null(f.first_write.load(std::memory_order_relaxed))
           + ",\"last_write\":"
           + time_or_null(f.last_write.load(std::memory_order_relaxed))
           + ",\"writes\":"
           + std::to_string(f.writes.load(std::memory_order_relaxed)) + "}";
  }
  return "null";
}

event_traces& gateway_traces() {
  static event_traces ring;
  return ring;
}

} // namespace draft
