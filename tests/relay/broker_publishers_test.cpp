// RabbitMQ against a real rabbitmq-server (started by ./dev test), and Kafka
// against librdkafka's in-process mock cluster: no Kafka broker installs on
// this machine kind, and the mock speaks the Kafka protocol on loopback.

#include <chrono>
#include <cstdlib>
#include <thread>

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pqxx/pqxx>
#include <unistd.h>

#include "broker_publishers.hpp"
#include "protocol/json_codec.hpp"
#include "relay_test_support.hpp"
#include "support/test_database.hpp"

using namespace draft;
using namespace draft::relay;
using draft::testing::test_database;

namespace {

std::string rabbitmq_url() {
  auto env = std::getenv("DRAFT_TEST_RABBITMQ_URL");
  if (!env)
    throw std::runtime_error("DRAFT_TEST_RABBITMQ_URL is not set: run the "
                             "broker tests through ./dev test");
  return env;
}

// A consumer bound to the exchange before anything is published.
struct amqp_consumer {
  amqp_consumer(const std::string& url_text, const std::string& exchange) {
    std::string url = url_text;
    amqp_connection_info info;
    amqp_parse_url(url.data(), &info);
    auto socket = amqp_tcp_socket_new(state);
    EXPECT_EQ(amqp_socket_open(socket, info.host, info.port), AMQP_STATUS_OK);
    std::string vhost = info.vhost && *info.vhost ? info.vhost : "/";
    EXPECT_EQ(amqp_login(state, vhost.c_str(), 0, 131072, 0,
                         AMQP_SASL_METHOD_PLAIN, info.user, info.password)
                .reply_type,
              AMQP_RESPONSE_NORMAL);
    amqp_channel_open(state, 1);
    amqp_exchange_declare(state, 1, amqp_cstring_bytes(exchange.c_str()),
                          amqp_cstring_bytes("topic"), 0, 1, 0, 0,
                          amqp_empty_table);
    auto q = amqp_queue_declare(state, 1, amqp_empty_bytes, 0, 0, 1, 1,
                                amqp_empty_table);
    if (!q) {
      ADD_FAILURE() << "cannot declare a queue";
      return;
    }
    queue = amqp_bytes_malloc_dup(q->queue);
    amqp_queue_bind(state, 1, queue, amqp_cstring_bytes(exchange.c_str()),
                    amqp_cstring_bytes("draft.#"), amqp_empty_table);
    amqp_basic_consume(state, 1, queue, amqp_empty_bytes, 0, 1, 0,
                       amqp_empty_table);
    EXPECT_EQ(amqp_get_rpc_reply(state).reply_type, AMQP_RESPONSE_NORMAL);
  }
  ~amqp_consumer() {
    amqp_bytes_free(queue);
    amqp_channel_close(state, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state);
  }
  // Bodies of up to `n` messages; each must be persistent and carry the
  // event id as message_id.
  std::vector<std::string> read(int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      amqp_envelope_t env;
      timeval timeout{5, 0};
      amqp_maybe_release_buffers(state);
      if (amqp_consume_message(state, &env, &timeout, 0).reply_type
          != AMQP_RESPONSE_NORMAL)
        break;
      std::string body(static_cast<char*>(env.message.body.bytes),
                       env.message.body.len);
      auto decoded = json::decode_envelope(body);
      EXPECT_TRUE(decoded);
      EXPECT_EQ(env.message.properties.delivery_mode, AMQP_DELIVERY_PERSISTENT);
      if (decoded) {
        EXPECT_EQ(std::string(static_cast<char*>(
                                env.message.properties.message_id.bytes),
                              env.message.properties.message_id.len),
                  decoded->event_id);
        // The event's trace context, as an AMQP header.
        std::string trace;
        auto& headers = env.message.properties.headers;
        for (int h = 0; h < headers.num_entries; ++h) {
          auto& entry = headers.entries[h];
          if (std::string(static_cast<char*>(entry.key.bytes), entry.key.len)
                == "traceparent"
              && entry.value.kind == AMQP_FIELD_KIND_UTF8)
            trace.assign(static_cast<char*>(entry.value.value.bytes.bytes),
                         entry.value.value.bytes.len);
        }
        EXPECT_EQ(trace, traceparent_of(decoded->event_id));
      }
      out.push_back(std::move(body));
      amqp_destroy_envelope(&env);
    }
    return out;
  }
  amqp_connection_state_t state = amqp_new_connection();
  amqp_bytes_t queue{};
};

} // namespace

TEST(relay_rabbitmq, delivers_every_event_confirmed_and_in_order) {
  test_database db;
  rabbitmq_settings rs;
  rs.url = rabbitmq_url();
  rs.exchange = "test.events." + std::to_string(getpid());
  amqp_consumer consumer(rs.url, rs.exchange);
  write_events(db.url(), 10);
  rabbitmq_publisher publisher(rs);
  drain(db.url(), publisher, relay_config{});
  expect_in_order(db.url(), consumer.read(30), 10);
}

TEST(relay_kafka, delivers_to_the_mock_cluster_keyed_by_draft) {
  // The mock cluster lives inside a throwaway client instance.
  char errstr[512];
  auto host = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), errstr,
                           sizeof errstr);
  ASSERT_TRUE(host) << errstr;
  auto cluster = rd_kafka_mock_cluster_new(host, 1);
  ASSERT_TRUE(cluster);
  std::string topic = "draft-events";
  rd_kafka_mock_topic_create(cluster, topic.c_str(), 1, 1);
  std::string brokers = rd_kafka_mock_cluster_bootstraps(cluster);

  test_database db;
  write_events(db.url(), 5);
  {
    kafka_settings ks;
    ks.brokers = brokers;
    ks.topic = topic;
    kafka_publisher publisher(ks);
    drain(db.url(), publisher, relay_config{});
  }
  // Read the partition back from the start.
  auto conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr,
                    sizeof errstr);
  rd_kafka_conf_set(conf, "group.id", "relay-test", errstr, sizeof errstr);
  auto consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  ASSERT_TRUE(consumer) << errstr;
  auto parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic.c_str(), 0)->offset
    = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(consumer, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  std::vector<std::string> bodies;
  for (int i = 0; i < 100 && bodies.size() < 15; ++i) {
    auto m = rd_kafka_consumer_poll(consumer, 200);
    if (!m)
      continue;
    if (!m->err) {
      std::string body(static_cast<char*>(m->payload), m->len);
      auto env = json::decode_envelope(body);
      EXPECT_TRUE(env);
      if (env) {
        EXPECT_EQ(std::string(static_cast<char*>(m->key), m->key_len),
                  env->draft_id);
        rd_kafka_headers_t* headers = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        ASSERT_EQ(rd_kafka_message_headers(m, &headers), RD_KAFKA_RESP_ERR_NO_ERROR);
        ASSERT_EQ(rd_kafka_header_get_last(headers, "event_id", &value, &size),
                  RD_KAFKA_RESP_ERR_NO_ERROR);
        EXPECT_EQ(std::string(static_cast<const char*>(value), size),
                  env->event_id);
        ASSERT_EQ(rd_kafka_header_get_last(headers, "traceparent", &value, &size),
                  RD_KAFKA_RESP_ERR_NO_ERROR);
        EXPECT_EQ(std::string(static_cast<const char*>(value), size),
                  traceparent_of(env->event_id));
      }
      bodies.push_back(std::move(body));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  expect_in_order(db.url(), bodies, 5);
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(host);
}
