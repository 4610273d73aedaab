// outbox-relay: publishes the draft_outbox to a broker, at least once, in
// per-draft order (seed 003). Configured by the seed's environment variables;
// see docs/relay.md.

#include <atomic>
#include <csignal>
#include <thread>

#include "broker_publishers.hpp"
#include "publishers.hpp"
#include "relay_worker.hpp"
#include "runtime/config.hpp"
#include "runtime/http_server.hpp"
#include "runtime/logger.hpp"
#include "protocol/uuid.hpp"
#include "runtime/metrics.hpp"
#include "trace_ring.hpp"
#include "runtime/migrations.hpp"

namespace {

// The worker a signal stops; null again before the worker is destroyed, so
// a second signal during shutdown (Ctrl-C reaches the whole process group,
// then ./dev sends SIGTERM) finds nothing to touch.
std::atomic<draft::relay::outbox_relay*> running{nullptr};

void on_signal(int) {
  if (auto* worker = running.load())
    worker->stop(); // finish what is in flight, start nothing new
}

int fail(const draft::problem& p) {
  draft::logger::get("relay").error("cannot start", {{"error", p.to_string()}});
  return 2;
}

} // namespace

int main() {
  using namespace std::chrono;
  using namespace draft;
  config cfg;
  cfg.apply_environment({
    {"database_url", "DATABASE_URL"},
    {"publisher", "PUBLISHER_TYPE"},
    {"metrics", "ENABLE_METRICS"},
    {"poll_interval", "OUTBOX_POLL_INTERVAL"},
    {"nats_url", "NATS_URL"},
    {"fallback_interval", "FALLBACK_INTERVAL"},
    {"health", "ENABLE_HEALTH_CHECK"},
    {"health_port", "HEALTH_PORT"},
    {"mode", "RELAY_MODE"},
    {"batch_size", "RELAY_BATCH_SIZE"},
    {"max_retries", "RELAY_MAX_RETRIES"},
    {"retry_delay", "RELAY_RETRY_DELAY"},
    {"lease", "RELAY_LEASE"},
    {"subject_prefix", "NATS_SUBJECT_PREFIX"},
    {"stream", "JETSTREAM_STREAM"},
    {"rabbitmq_url", "RABBITMQ_URL"},
    {"rabbitmq_exchange", "RABBITMQ_EXCHANGE"},
    {"kafka_brokers", "KAFKA_BROKERS"},
    {"kafka_topic", "KAFKA_TOPIC"},
    {"payload", "RELAY_PAYLOAD"},
  });
  auto url = cfg.get_string("database_url");
  if (url.empty())
    return fail({"DATABASE_URL", "is required (a PostgreSQL URL)"});
  auto publisher_type = cfg.get_choice(
    "publisher", "mock", {"mock", "nats", "jetstream", "rabbitmq", "kafka"});
  auto mode = cfg.get_choice("mode", "realtime", {"realtime", "polling"});
  auto payload = cfg.get_choice("payload", "seed", {"seed", "full"});
  auto metrics_on = cfg.get_bool("metrics", true);
  auto health_on = cfg.get_bool("health", true);
  auto health_port = cfg.get_int("health_port", 8080, 0, 65535);
  auto poll = cfg.get_duration("poll_interval", seconds(5), milliseconds(10),
                               hours(1));
  auto fallback = cfg.get_duration("fallback_interval", seconds(30),
                                   milliseconds(10), hours(1));
  auto retry = cfg.get_duration("retry_delay", seconds(1), milliseconds(0),
                                hours(1));
  auto lease = cfg.get_duration("lease", seconds(30), seconds(1), hours(1));
  auto batch = cfg.get_int("batch_size", 100, 1, 10000);
  auto retries = cfg.get_int("max_retries", 3, 1, 1000);
  if (!publisher_type) return fail(publisher_type.error());
  if (!mode) return fail(mode.error());
  if (!payload) return fail(payload.error());
  if (!metrics_on) return fail(metrics_on.error());
  if (!health_on) return fail(health_on.error());
  if (!health_port) return fail(health_port.error());
  for (auto* r : {&poll, &fallback, &retry, &lease})
    if (!*r)
      return fail(r->error());
  for (auto* r : {&batch, &retries})
    if (!*r)
      return fail(r->error());
  auto migrated = apply_migrations(url);
  if (!migrated)
    return fail(migrated.error());

  std::unique_ptr<relay::event_publisher> publisher;
  if (*publisher_type == "mock") {
    publisher = std::make_unique<relay::mock_publisher>();
  } else if (*publisher_type == "rabbitmq") {
    relay::rabbitmq_settings rs;
    rs.url = cfg.get_string("rabbitmq_url", rs.url);
    rs.exchange = cfg.get_string("rabbitmq_exchange", rs.exchange);
    publisher = std::make_unique<relay::rabbitmq_publisher>(rs);
  } else if (*publisher_type == "kafka") {
    relay::kafka_settings ks;
    ks.brokers = cfg.get_string("kafka_brokers", ks.brokers);
    ks.topic = cfg.get_string("kafka_topic", ks.topic);
    publisher = std::make_unique<relay::kafka_publisher>(ks);
  } else {
    relay::nats_settings ns;
    ns.url = cfg.get_string("nats_url", ns.url);
    ns.subject_prefix = cfg.get_string("subject_prefix", ns.subject_prefix);
    ns.stream = cfg.get_string("stream", ns.stream);
    publisher = std::make_unique<relay::nats_publisher>(
      ns, *publisher_type == "jetstream");
  }
  auto metrics = std::make_shared<relay::prometheus_metrics>();
  std::shared_ptr<relay::event_publisher> chosen
    = *metrics_on ? std::make_shared<relay::metric_publisher>(std::move(publisher),
                                                              metrics)
                  : std::shared_ptr<relay::event_publisher>(std::move(publisher));
  relay::relay_config rc;
  rc.batch_size = static_cast<int>(*batch);
  rc.max_retries = static_cast<int>(*retries);
  rc.retry_delay = *retry;
  rc.poll_interval = *poll;
  rc.fallback_interval = *fallback;
  rc.payload = *payload == "full" ? relay::payload_format::full
                                  : relay::payload_format::seed;
  rc.lease = *lease;
  auto health = std::make_shared<relay::relay_health>();
  std::unique_ptr<relay::outbox_relay> worker;
  if (*mode == "realtime")
    worker = std::make_unique<relay::realtime_worker>(url, chosen, metrics, rc,
                                                      health);
  else
    worker = std::make_unique<relay::worker>(url, chosen, metrics, rc, health);

  std::unique_ptr<http_server> server;
  if (*health_on) {
    http_server::options opts;
    opts.port = static_cast<std::uint16_t>(*health_port);
    auto realtime = *mode == "realtime";
    bool with_metrics = *metrics_on;
    auto started = http_server::start(opts, [&, realtime, with_metrics](
                                              const http_request& r) {
      if (r.path == "/metrics" && with_metrics)
        return http_response{200, default_metrics().render(),
                             "text/plain; version=0.0.4"};
      if (r.path.rfind("/trace/", 0) == 0) {
        // This relay's publishes of one recent event (draftctl trace).
        auto id = r.path.substr(7);
        if (!is_uuid(id))
          return json_error(400, "invalid_id",
                            "GET /trace/{event_id}: the event id must be a UUID");
        auto event_id = normalize_uuid(id);
        return http_response{200, json::write_object([&](json::object_writer& o) {
                               o.str("event_id", event_id);
                               relay::relay_traces().write(o, "publishes", event_id);
                             })};
      }
      if (r.path != "/health")
        return json_error(404, "not_found",
                          with_metrics ? "GET /health, /metrics or /trace/{event_id}"
                                       : "GET /health or /trace/{event_id} "
                                         "(ENABLE_METRICS=false turned /metrics "
                                         "off)");
      auto last = health->last_round_us.load();
      double age = last == 0 ? -1 : static_cast<double>(now_utc() - last) / 1e6;
      bool ok = last != 0 && (!realtime || health->listening.load());
      return http_response{
        ok ? 200 : 503,
        std::string("{\"status\":\"") + (ok ? "ok" : "unhealthy")
          + "\",\"listening\":" + (health->listening ? "true" : "false")
          + ",\"last_poll_age_sec\":" + std::to_string(age)
          + ",\"oldest_unsent_age_sec\":"
          + std::to_string(health->oldest_unsent_sec.load()) + "}"};
    });
    if (!started)
      return fail(started.error());
    server = std::move(*started);
  }
  running = worker.get();
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  logger::get("relay").info("relay started",
                            {{"publisher", chosen->name()}, {"mode", *mode}});
  worker->run();
  running = nullptr;
  logger::get("relay").info("relay stopped");
  return 0;
}
