#pragma once

// The publishers of seed 003: MockPublisher (in memory, for development),
// NATSPublisher (core NATS), JetStreamPublisher (persistent, deduplicated by
// event id, a batch kept in flight with its PubAcks awaited together), and
// the MetricPublisher decorator. RabbitMQ and Kafka: broker_publishers.hpp.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "protocol/result.hpp"
#include "relay_types.hpp"

// libnats types, declared here so its header stays in publishers.cpp.
struct __natsMsg;
typedef struct __natsMsg natsMsg;
struct __jsCtx;
typedef struct __jsCtx jsCtx;
struct jsPubAck;
struct jsPubAckErr;

namespace draft::relay {

/// Keeps every published envelope in memory.
class mock_publisher : public event_publisher {
public:
  std::optional<std::string> publish(const outbox_event& event) override;
  std::string name() const override { return "mock"; }
  std::vector<std::string> published() const;

private:
  mutable std::mutex mutex_;
  std::vector<std::string> published_;
};

struct nats_settings {
  std::string url = "nats://localhost:4222";
  std::string subject_prefix = "draft.events"; ///< subject: prefix.<draft_id>
  std::string stream = "DRAFT_EVENTS";         ///< JetStream only
  int timeout_ms = 5000;
  int window = 1024; ///< JetStream: publishes awaiting their PubAck at most
};

/// Core NATS: publish, then flush (the server has the message). It connects
/// lazily and reconnects on the next publish after a failure.
class nats_publisher : public event_publisher {
public:
  explicit nats_publisher(nats_settings settings, bool jetstream);
  ~nats_publisher() override;
  std::optional<std::string> publish(const outbox_event& event) override;
  /// JetStream: every event published asynchronously (at most `window`
  /// awaiting their PubAck at once), then one wait for all the PubAcks.
  std::vector<publish_outcome> publish_batch(const std::vector<const outbox_event*>& events) override;
  std::string name() const override { return jetstream_ ? "jetstream" : "nats"; }

  struct connection;
  struct batch;

private:
  std::optional<std::string> connect();
  natsMsg* message_of(const outbox_event& event) const;
  static void on_ack(jsCtx*, natsMsg*, jsPubAck*, jsPubAckErr*, void* closure);
  nats_settings settings_;
  bool jetstream_;
  // Declared before conn_, so they outlive it: the library may still run
  // on_ack while the connection is torn down.
  std::mutex batch_mutex_;
  std::shared_ptr<batch> batch_; ///< the batch awaiting PubAcks, if any
  std::unique_ptr<connection> conn_;
};

/// Counts and times another publisher (seed: MetricPublisher).
class metric_publisher : public event_publisher {
public:
  metric_publisher(std::unique_ptr<event_publisher> inner,
                   std::shared_ptr<metrics_collector> metrics)
    : inner_(std::move(inner)), metrics_(std::move(metrics)) {}
  std::optional<std::string> publish(const outbox_event& event) override;
  std::vector<publish_outcome> publish_batch(const std::vector<const outbox_event*>& events) override;
  std::string name() const override { return inner_->name(); }

private:
  std::unique_ptr<event_publisher> inner_;
  std::shared_ptr<metrics_collector> metrics_;
};

/// MetricsCollector on the process's Prometheus registry
/// (seed: PrometheusMetrics).
class prometheus_metrics : public metrics_collector {
public:
  void published(const std::string& publisher,
                 std::chrono::microseconds took) override;
  void failed(const std::string& publisher) override;
  void dead_lettered() override;
  void polled(std::size_t claimed) override;
};

} // namespace draft::relay
