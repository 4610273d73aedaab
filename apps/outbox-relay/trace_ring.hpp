#pragma once

// The relay's part of an event's timeline, for `draftctl trace`: when it
// began publishing each recent event and when the broker acknowledged it
// (JetStream's PubAck, RabbitMQ's confirm, Kafka's delivery report, or the
// flush of a core NATS publish). A bounded ring: the newest 4,096 events.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "relay_types.hpp"

#include "protocol/json_writer.hpp"

namespace draft::relay {

/// One publish attempt of an event.
struct publish_trace {
  std::string event_id;
  std::string draft_id;
  std::int64_t seq = 0;
  std::string traceparent;
  timestamp started = 0;  ///< publish call began
  timestamp finished = 0; ///< the broker acknowledged, or the attempt failed
  bool acknowledged = false;
  int attempt = 0;
};

class trace_ring {
public:
  explicit trace_ring(std::size_t capacity = 4096) : capacity_(capacity) {}

  void record(const outbox_event& e, timestamp started, timestamp finished,
              bool acknowledged);

  /// Writes the attempts kept for `event_id`, oldest first, as the array
  /// member `key`.
  void write(json::object_writer& o, const char* key,
             const std::string& event_id) const;

private:
  mutable std::mutex mutex_;
  std::deque<publish_trace> entries_;
  std::size_t capacity_;
};

/// The process's ring (the worker writes, the HTTP port reads).
trace_ring& relay_traces();

} // namespace draft::relay
