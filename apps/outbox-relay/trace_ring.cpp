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

void trace_ring::write(json::object_writer& o, const char* key,
                       const std::string& event_id) const {
  std::vector<publish_trace> kept;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    for (auto& t : entries_)
      if (t.event_id == event_id)
        kept.push_back(t);
  }
  o.objects(key, kept, [](json::object_writer& p, const publish_trace& t) {
    p.str("event_id", t.event_id)
      .str("draft_id", t.draft_id)
      .num("seq", t.seq)
      .str("traceparent", t.traceparent)
      .num("attempt", t.attempt)
      .time("publish_started", t.started)
      .time("publish_finished", t.finished)
      .boolean("acknowledged", t.acknowledged);
  });
}

trace_ring& relay_traces() {
  static trace_ring ring;
  return ring;
}

} // namespace draft::relay
