#include "trace_ring.hpp"

#include "runtime/logger.hpp"

namespace draft::relay {

void trace_ring::record(const outbox_event& e, timestamp started,
                        timestamp finished, bool acknowledged) {
  std::lock_guard<std::mutex> guard(mutex_);
  entries_.push_back({e.event_id, e.draft_id, e.seq, e.traceparent, started,
                      finished, acknowledged, e.attempts});
  if (entries_.size() > capacity_)
    entries_.pop_front();
}

std::string trace_ring::json_of(const std::string& event_id) const {
  std::lock_guard<std::mutex> guard(mutex_);
  std::string out = "[";
  for (auto& t : entries_) {
    if (t.event_id != event_id)
      continue;
    out += std::string(out.size() > 1 ? "," : "") + "{\"event_id\":"
           + json_quoted(t.event_id) + ",\"draft_id\":" + json_quoted(t.draft_id)
           + ",\"seq\":" + std::to_string(t.seq) + ",\"traceparent\":"
           + json_quoted(t.traceparent) + ",\"attempt\":"
           + std::to_string(t.attempt) + ",\"publish_started\":"
           + json_quoted(format_rfc3339(t.started)) + ",\"publish_finished\":"
           + json_quoted(format_rfc3339(t.finished)) + ",\"acknowledged\":"
           + (t.acknowledged ? "true" : "false") + "}";
  }
  return out + "]";
}

trace_ring& relay_traces() {
  static trace_ring ring;
  return ring;
}

} // namespace draft::relay
