#include "actors/event_traces.hpp"

#include "runtime/logger.hpp"

namespace draft {


void event_traces::applied(const outbox_row& row, frame_ptr frame,
                           const char* role, timestamp at) {
  std::lock_guard<std::mutex> guard(mutex_);
  entries_.push_back({row.event_id, row.draft_id, row.seq, row.type,
                      row.traceparent, role, at, std::move(frame)});
  if (entries_.size() > capacity_)
    entries_.pop_front();
}

void event_traces::write(json::object_writer& o, const char* key,
                         const std::string& event_id) const {
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->event_id != event_id)
      continue;
    auto& f = *it->frame;
    auto time_or_null = [](json::object_writer& e, const char* name, timestamp t) {
      if (t == 0)
        e.null(name);
      else
        e.time(name, t);
    };
    o.object(key, [&](json::object_writer& e) {
      e.str("event_id", it->event_id)
        .str("draft_id", it->draft_id)
        .num("seq", it->seq)
        .str("type", to_string(it->type))
        .str("traceparent", it->traceparent)
        .str("role", it->role);
      time_or_null(e, "committed_at", f.created_at);
      time_or_null(e, "applied_at", it->applied_at);
      time_or_null(e, "first_write", f.first_write.load(std::memory_order_relaxed));
      time_or_null(e, "last_write", f.last_write.load(std::memory_order_relaxed));
      e.num("writes", f.writes.load(std::memory_order_relaxed));
    });
    return;
  }
  o.null(key);
}

event_traces& gateway_traces() {
  static event_traces ring;
  return ring;
}

} // namespace draft
