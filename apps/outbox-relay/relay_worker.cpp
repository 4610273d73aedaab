#include "relay_worker.hpp"
#include "seed_payload.hpp"
#include "trace_ring.hpp"
#include "runtime/trace_context.hpp"

#include "runtime/metrics.hpp"

#include <thread>

#include <pqxx/pqxx>

#include "runtime/logger.hpp"

namespace draft::relay {

namespace {

using namespace std::chrono;

logger& log() {
  return logger::get("relay");
}

std::string interval(milliseconds d) {
  return std::to_string(d.count()) + " milliseconds";
}

// Marks the published rows sent, in one statement.
void mark_sent(pqxx::connection_base& db, const std::vector<std::int64_t>& ids) {
  if (ids.empty())
    return;
  std::string list = "{";
  for (auto id : ids)
    list += (list.size() > 1 ? "," : "") + std::to_string(id);
  list += "}";
  pqxx::work tx(db);
  tx.exec_params("UPDATE draft_outbox SET sent_at = now(), last_error = NULL "
                 "WHERE id = ANY($1::bigint[])",
                 list);
  tx.commit();
}

// A row whose publish failed: scheduled for its retry, or dead after the
// last one.
void retry_or_bury(pqxx::connection_base& db, const outbox_event& e,
                   const std::string& error, const relay_config& config,
                   metrics_collector& metrics) {
  pqxx::work tx(db);
  if (e.attempts >= config.max_retries) {
    tx.exec_params("UPDATE draft_outbox SET dead = true, dead_at = now(), "
                   "last_error = $2 WHERE id = $1",
                   e.id, error);
    metrics.dead_lettered();
    log().error("event dead-lettered after its last retry",
                {{"event_id", e.event_id},
                 {"draft_id", e.draft_id},
                 {"attempts", e.attempts},
                 {"error", error}});
  } else {
    auto backoff = config.retry_delay * (1LL << std::min(e.attempts - 1, 20));
    tx.exec_params("UPDATE draft_outbox SET next_attempt_at = now() + "
                   "$2::interval, last_error = $3 WHERE id = $1",
                   e.id, interval(duration_cast<milliseconds>(backoff)), error);
    log().warn("publish failed; will retry",
               {{"event_id", e.event_id},
                {"attempts", e.attempts},
                {"error", error}});
  }
  tx.commit();
}

} // namespace

std::vector<outbox_event> claim(pqxx::connection_base& db, int batch,
                                milliseconds lease) {
  pqxx::work tx(db);
  auto rows = tx.exec_params(
    "WITH heads AS ("
    "  SELECT DISTINCT ON (draft_id) id, next_attempt_at FROM draft_outbox"
    "  WHERE sent_at IS NULL AND NOT dead ORDER BY draft_id, seq),"
    " due AS ("
    "  SELECT o.id FROM draft_outbox o JOIN heads h ON h.id = o.id"
    "  WHERE o.next_attempt_at <= now() ORDER BY o.id LIMIT $1"
    "  FOR UPDATE OF o SKIP LOCKED)"
    // Re-checked on the row's newest version: another relay that claimed it
    // a moment ago has moved next_attempt_at (its lease) into the future.
    " UPDATE draft_outbox o SET attempts = o.attempts + 1,"
    "  next_attempt_at = now() + $2::interval"
    " FROM due WHERE o.id = due.id AND o.sent_at IS NULL AND NOT o.dead"
    "  AND o.next_attempt_at <= now()"
    " RETURNING o.id, o.event_id, o.draft_id, o.seq, o.event_type,"
    "  o.payload::text, (extract(epoch from o.created_at) * 1000000)::bigint,"
    "  o.attempts, coalesce(o.traceparent, '')",
    batch, interval(lease));
  tx.commit();
  std::vector<outbox_event> out;
  for (auto r : rows)
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(),
                   r[2].as<std::string>(), r[3].as<std::int64_t>(),
                   r[4].as<std::string>(), r[5].as<std::string>(),
                   r[6].as<std::int64_t>(), r[7].as<int>(),
                   r[8].as<std::string>()});
  return out;
}

std::size_t run_round(pqxx::connection_base& db, event_publisher& publisher,
                      metrics_collector& metrics, const relay_config& config,
                      relay_health& health) {
  auto events = claim(db, config.batch_size, config.lease);
  metrics.polled(events.size());
  // The claim holds at most one row per draft (each draft's next), so the
  // whole batch can be in flight at once without reordering any draft.
  std::vector<publish_outcome> outcomes(events.size());
  std::vector<const outbox_event*> to_publish;
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (auto refused = shape_payload(events[i], config.payload))
      outcomes[i] = refused;
    else {
      to_publish.push_back(&events[i]);
      positions.push_back(i);
    }
  }
  auto started = now_utc();
  if (!to_publish.empty()) {
    auto published = publisher.publish_batch(to_publish);
    for (std::size_t k = 0; k < positions.size(); ++k)
      outcomes[positions[k]] = std::move(published[k]);
  }
  auto finished = now_utc();
  std::vector<std::int64_t> sent;
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto& e = events[i];
    // Every log line about this event carries its trace and event id.
    correlation_scope scope(e.traceparent, "event_id", e.event_id);
    relay_traces().record(e, started, finished, !outcomes[i]);
    if (log().enabled(log_level::debug))
      log().debug(outcomes[i] ? "publish failed" : "published",
                  {{"draft_id", e.draft_id}, {"seq", e.seq},
                   {"publisher", publisher.name()}});
    if (outcomes[i])
      retry_or_bury(db, e, *outcomes[i], config, metrics);
    else
      sent.push_back(e.id);
  }
  mark_sent(db, sent);
  health.last_round_us = now_utc();
  // The lag (a scan of the unsent rows) at the end of a drain, and at most
  // once a second while one is under way.
  if (!events.empty() && health.last_lag_us.load() > health.last_round_us.load() - 1'000'000)
    return events.size();
  health.last_lag_us = health.last_round_us.load();
  pqxx::nontransaction tx(db);
  health.oldest_unsent_sec = tx.exec1(
    "SELECT coalesce(extract(epoch from now() - min(created_at)), 0)::float8 "
    "FROM draft_outbox WHERE sent_at IS NULL AND NOT dead")[0]
                               .as<double>();
  static auto& lag = default_metrics().get_gauge(
    "relay_oldest_unsent_seconds",
    "Age of the oldest outbox row not yet published (0 when none).");
  lag.set(health.oldest_unsent_sec);
  return events.size();
}

worker::worker(std::string database_url,
               std::shared_ptr<event_publisher> publisher,
               std::shared_ptr<metrics_collector> metrics, relay_config config,
               std::shared_ptr<relay_health> health)
  : url_(std::move(database_url)), publisher_(std::move(publisher)),
    metrics_(std::move(metrics)), config_(config), health_(std::move(health)) {
}

void worker::drain(pqxx::connection_base& db) {
  while (!stopping_ && run_round(db, *publisher_, *metrics_, config_, *health_)
                         > 0)
    ;
}

void worker::pause(milliseconds d) {
  auto until = steady_clock::now() + d;
  while (!stopping_ && steady_clock::now() < until)
    std::this_thread::sleep_for(std::min(milliseconds(50), d));
}

void worker::run() {
  log().info("polling worker started", {{"publisher", publisher_->name()}});
  while (!stopping_) {
    try {
      pqxx::connection db(url_);
      while (!stopping_) {
        drain(db);
        pause(config_.poll_interval);
      }
    } catch (const std::exception& e) {
      log().warn("database error; reconnecting", {{"error", e.what()}});
      pause(milliseconds(1000));
    }
  }
}

namespace {

struct wake_up : pqxx::notification_receiver {
  wake_up(pqxx::connection_base& c, bool& flag)
    : pqxx::notification_receiver(c, "draft_outbox"), flag(flag) {
  }
  void operator()(const std::string&, int) override { flag = true; }
  bool& flag;
};

} // namespace

void realtime_worker::run() {
  log().info("real-time worker started", {{"publisher", publisher_->name()}});
  while (!stopping_) {
    try {
      pqxx::connection listen(url_);
      pqxx::connection db(url_);
      bool woken = false;
      wake_up receiver(listen, woken);
      health_->listening = true;
      // The next round without a notification: the fallback interval
      // (FALLBACK_INTERVAL), or sooner while failed rows wait for their retry
      // (backoff steps are multiples of the retry delay).
      auto next_round = [&] {
        bool retries_pending = health_->oldest_unsent_sec.load() > 0;
        return steady_clock::now()
               + (retries_pending
                    ? std::min(config_.fallback_interval, config_.retry_delay)
                    : config_.fallback_interval);
      };
      drain(db); // a full round after every (re)connect
      auto next = next_round();
      while (!stopping_) {
        listen.await_notification(0, 200'000);
        if (woken || steady_clock::now() >= next) {
          woken = false;
          drain(db);
          next = next_round();
        }
      }
    } catch (const std::exception& e) {
      health_->listening = false;
      log().warn("database connection lost; reconnecting", {{"error", e.what()}});
      pause(milliseconds(1000));
    }
  }
  health_->listening = false;
}

} // namespace draft::relay
