#pragma once

// The outbox relay's interfaces, named as seed 003 names them: OutboxEvent,
// EventPublisher, MetricsCollector, OutboxRelay.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/time_format.hpp"

namespace draft::relay {

/// One `draft_outbox` row claimed for publishing (seed: OutboxEvent).
struct outbox_event {
  std::int64_t id = 0;
  std::string event_id;
  std::string draft_id;
  std::int64_t seq = 0;
  std::string event_type;
  std::string payload_json;
  timestamp created_at = 0;
  int attempts = 0; ///< including the one under way
  std::string traceparent; ///< W3C trace context of the writer; "" if none
};

/// The envelope a publisher sends: seed 003's JSON (plus `seq`).
std::string envelope_of(const outbox_event& event);

/// What publishing one event came to: nothing (the broker acknowledged it)
/// or what went wrong.
using publish_outcome = std::optional<std::string>;

/// Publishes events to a broker (seed: EventPublisher). `publish` returns
/// nothing on success (the broker acknowledged) or what went wrong.
/// `publish_batch` publishes several events, at most one per draft (the
/// relay claims only each draft's next row), and answers one outcome per
/// event in the same order; a publisher that can keep several in flight
/// (JetStream) overrides it, the others publish one after the other.
class event_publisher {
public:
  virtual ~event_publisher() = default;
  virtual publish_outcome publish(const outbox_event& event) = 0;
  virtual std::vector<publish_outcome> publish_batch(const std::vector<const outbox_event*>& events) {
    std::vector<publish_outcome> out;
    out.reserve(events.size());
    for (auto* e : events)
      out.push_back(publish(*e));
    return out;
  }
  virtual std::string name() const = 0;
};

/// What the relay reports (seed: MetricsCollector).
class metrics_collector {
public:
  virtual ~metrics_collector() = default;
  virtual void published(const std::string& publisher,
                         std::chrono::microseconds took) = 0;
  virtual void failed(const std::string& publisher) = 0;
  virtual void dead_lettered() = 0;
  virtual void polled(std::size_t claimed) = 0;
};

/// A worker that drains the outbox (seed: OutboxRelay).
class outbox_relay {
public:
  virtual ~outbox_relay() = default;
  /// Runs until `stop()`; returns when in-flight work is finished.
  virtual void run() = 0;
  virtual void stop() = 0;
};

} // namespace draft::relay
