#pragma once

// RabbitMQ (rabbitmq-c) and Kafka (librdkafka) publishers of seed 003.

#include <memory>
#include <string>

#include "relay_types.hpp"

namespace draft::relay {

struct rabbitmq_settings {
  std::string url = "amqp://guest:guest@127.0.0.1:5672/";
  std::string exchange = "draft.events"; ///< topic exchange, durable
  int timeout_ms = 5000;
};

/// Persistent messages to a durable topic exchange, routing key
/// `draft.<draft_id>`, `message_id` = event id, each one confirmed by the
/// broker (publisher confirms) before it counts as published.
class rabbitmq_publisher : public event_publisher {
public:
  explicit rabbitmq_publisher(rabbitmq_settings settings);
  ~rabbitmq_publisher() override;
  std::optional<std::string> publish(const outbox_event& event) override;
  std::string name() const override { return "rabbitmq"; }

  struct connection;

private:
  std::optional<std::string> connect();
  rabbitmq_settings settings_;
  std::unique_ptr<connection> conn_;
};

struct kafka_settings {
  std::string brokers = "127.0.0.1:9092";
  std::string topic = "draft-events";
  int timeout_ms = 5000;
};

/// An idempotent producer (acks=all): key = draft id, so a draft's events
/// share a partition and keep their order; header `event_id`. Each publish
/// waits for its delivery report.
class kafka_publisher : public event_publisher {
public:
  explicit kafka_publisher(kafka_settings settings);
  ~kafka_publisher() override;
  std::optional<std::string> publish(const outbox_event& event) override;
  std::string name() const override { return "kafka"; }

  struct producer;

private:
  kafka_settings settings_;
  std::unique_ptr<producer> producer_;
  std::string init_error_;
};

} // namespace draft::relay
