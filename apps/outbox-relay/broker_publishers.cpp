#include "broker_publishers.hpp"

#include <sys/time.h>

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <librdkafka/rdkafka.h>

namespace draft::relay {

// -- RabbitMQ -------------------------------------------------------------------

struct rabbitmq_publisher::connection {
  amqp_connection_state_t state = amqp_new_connection();
  ~connection() {
    amqp_channel_close(state, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state);
  }
};

namespace {

std::string rpc_error(const char* what, const amqp_rpc_reply_t& r) {
  std::string out = what;
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
    out += std::string(": ") + amqp_error_string2(r.library_error);
  else if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION)
    out += ": refused by the broker";
  return out;
}

} // namespace

rabbitmq_publisher::rabbitmq_publisher(rabbitmq_settings settings)
  : settings_(std::move(settings)) {
}

rabbitmq_publisher::~rabbitmq_publisher() = default;

std::optional<std::string> rabbitmq_publisher::connect() {
  std::string url = settings_.url;
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (amqp_parse_url(url.data(), &info) != AMQP_STATUS_OK)
    return "RABBITMQ_URL is not an amqp:// URL: " + settings_.url;
  // "amqp://host/" parses to an empty vhost; the default one is "/".
  std::string vhost = info.vhost && *info.vhost ? info.vhost : "/";
  auto c = std::make_unique<connection>();
  auto socket = amqp_tcp_socket_new(c->state);
  timeval timeout{settings_.timeout_ms / 1000, (settings_.timeout_ms % 1000) * 1000};
  if (amqp_socket_open_noblock(socket, info.host, info.port, &timeout)
      != AMQP_STATUS_OK)
    return "connect to " + std::string(info.host) + ":"
           + std::to_string(info.port) + " failed";
  auto r = amqp_login(c->state, vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                      info.user, info.password);
  if (r.reply_type != AMQP_RESPONSE_NORMAL)
    return rpc_error("login", r);
  amqp_channel_open(c->state, 1);
  if ((r = amqp_get_rpc_reply(c->state)).reply_type != AMQP_RESPONSE_NORMAL)
    return rpc_error("channel", r);
  amqp_exchange_declare(c->state, 1, amqp_cstring_bytes(settings_.exchange.c_str()),
                        amqp_cstring_bytes("topic"), 0, 1, 0, 0,
                        amqp_empty_table);
  if ((r = amqp_get_rpc_reply(c->state)).reply_type != AMQP_RESPONSE_NORMAL)
    return rpc_error("exchange", r);
  amqp_confirm_select(c->state, 1);
  if ((r = amqp_get_rpc_reply(c->state)).reply_type != AMQP_RESPONSE_NORMAL)
    return rpc_error("publisher confirms", r);
  conn_ = std::move(c);
  return std::nullopt;
}

std::optional<std::string> rabbitmq_publisher::publish(const outbox_event& e) {
  if (!conn_)
    if (auto err = connect())
      return err;
  auto body = envelope_of(e);
  auto key = "draft." + e.draft_id;
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG
                 | AMQP_BASIC_MESSAGE_ID_FLAG;
  props.content_type = amqp_cstring_bytes("application/json");
  props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
  props.message_id = amqp_cstring_bytes(e.event_id.c_str());
  amqp_table_entry_t trace_header;
  if (!e.traceparent.empty()) {
    trace_header.key = amqp_cstring_bytes("traceparent");
    trace_header.value.kind = AMQP_FIELD_KIND_UTF8;
    trace_header.value.value.bytes = amqp_cstring_bytes(e.traceparent.c_str());
    props._flags |= AMQP_BASIC_HEADERS_FLAG;
    props.headers = amqp_table_t{1, &trace_header};
  }
  amqp_bytes_t payload{body.size(), body.data()};
  if (amqp_basic_publish(conn_->state, 1,
                         amqp_cstring_bytes(settings_.exchange.c_str()),
                         amqp_cstring_bytes(key.c_str()), 0, 0, &props, payload)
      != AMQP_STATUS_OK) {
    conn_.reset();
    return "RabbitMQ publish failed";
  }
  // Wait for the broker's confirm (ack or nack) of this message.
  timeval timeout{settings_.timeout_ms / 1000, (settings_.timeout_ms % 1000) * 1000};
  while (true) {
    amqp_frame_t frame;
    auto status = amqp_simple_wait_frame_noblock(conn_->state, &frame, &timeout);
    if (status != AMQP_STATUS_OK) {
      conn_.reset();
      return std::string("RabbitMQ confirm: ") + amqp_error_string2(status);
    }
    if (frame.frame_type != AMQP_FRAME_METHOD)
      continue;
    if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD)
      return std::nullopt;
    if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD)
      return std::string("RabbitMQ refused the message (nack)");
    if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD) {
      conn_.reset();
      return std::string("RabbitMQ closed the channel");
    }
  }
}

// -- Kafka ----------------------------------------------------------------------

struct kafka_publisher::producer {
  rd_kafka_t* rk = nullptr;
  ~producer() {
    if (rk) {
      rd_kafka_flush(rk, 1000);
      rd_kafka_destroy(rk);
    }
  }
};

namespace {

// Delivery reports land in the rd_kafka_resp_err_t the message points to.
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->_private)
    *static_cast<rd_kafka_resp_err_t*>(m->_private) = m->err;
}

} // namespace

kafka_publisher::kafka_publisher(kafka_settings settings)
  : settings_(std::move(settings)), producer_(std::make_unique<producer>()) {
  char errstr[512];
  auto conf = rd_kafka_conf_new();
  auto set = [&](const char* k, const std::string& v) {
    if (init_error_.empty()
        && rd_kafka_conf_set(conf, k, v.c_str(), errstr, sizeof errstr)
             != RD_KAFKA_CONF_OK)
      init_error_ = std::string("Kafka setting ") + k + ": " + errstr;
  };
  set("bootstrap.servers", settings_.brokers);
  set("enable.idempotence", "true");
  set("acks", "all");
  set("message.timeout.ms", std::to_string(settings_.timeout_ms));
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  if (!init_error_.empty()) {
    rd_kafka_conf_destroy(conf);
    return;
  }
  producer_->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!producer_->rk)
    init_error_ = std::string("Kafka producer: ") + errstr;
}

kafka_publisher::~kafka_publisher() = default;

std::optional<std::string> kafka_publisher::publish(const outbox_event& e) {
  if (!producer_->rk)
    return init_error_;
  auto body = envelope_of(e);
  auto result = RD_KAFKA_RESP_ERR__IN_PROGRESS;
  auto* headers = rd_kafka_headers_new(2);
  rd_kafka_header_add(headers, "event_id", -1, e.event_id.data(),
                      static_cast<ssize_t>(e.event_id.size()));
  if (!e.traceparent.empty())
    rd_kafka_header_add(headers, "traceparent", -1, e.traceparent.data(),
                        static_cast<ssize_t>(e.traceparent.size()));
  auto err = rd_kafka_producev(
    producer_->rk, RD_KAFKA_V_TOPIC(settings_.topic.c_str()),
    RD_KAFKA_V_KEY(e.draft_id.data(), e.draft_id.size()),
    RD_KAFKA_V_VALUE(body.data(), body.size()),
    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
    RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(&result), RD_KAFKA_V_END);
  if (err) {
    rd_kafka_headers_destroy(headers); // not taken over on failure
    return std::string("Kafka produce: ") + rd_kafka_err2str(err);
  }
  // Wait for this message's delivery report.
  rd_kafka_flush(producer_->rk, settings_.timeout_ms + 1000);
  if (result == RD_KAFKA_RESP_ERR__IN_PROGRESS)
    return std::string("Kafka: no delivery report in time");
  if (result != RD_KAFKA_RESP_ERR_NO_ERROR)
    return std::string("Kafka delivery: ") + rd_kafka_err2str(result);
  return std::nullopt;
}

} // namespace draft::relay
