// The outbox poller's PostgreSQL side (actors/outbox_source.hpp): the query
// for rows after each cursor, the clock measurement, and the LISTEN thread.

#include "actors/outbox_source.hpp"
#include "actors/outbox_rows.hpp"

#include <chrono>
#include <thread>
#include <type_traits>
#include <utility>

#include <caf/send.hpp>
#include <pqxx/pqxx>

#include "runtime/database_clock.hpp"
#include "runtime/draft_queries.hpp"
#include "runtime/logger.hpp"

namespace draft {

std::string outbox_columns(const std::string& alias) {
  auto a = alias.empty() ? std::string() : alias + ".";
  return a + "seq, " + a + "event_id, " + a + "event_type, "
         + sql_micros(a + "created_at") + ", " + a + "payload::text, coalesce("
         + a + "traceparent, '')";
}

outbox_row outbox_row_from(const pqxx::row& r, int first,
                           const std::string& draft_id) {
  outbox_row row;
  row.draft_id = draft_id;
  row.seq = r[first].as<long long>();
  row.event_id = r[first + 1].as<std::string>();
  parse_event_type(r[first + 2].as<std::string>(), row.type);
  row.created_at = r[first + 3].as<long long>();
  row.payload_json = r[first + 4].as<std::string>();
  row.traceparent = r[first + 5].as<std::string>();
  return row;
}

namespace {

using namespace std::chrono_literals;

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? "," : "") + items[i];
  return out + "}";
}

class postgres_source : public outbox_source {
public:
  explicit postgres_source(std::string url) : url_(std::move(url)) {}

  std::vector<outbox_row> rows_after(const std::vector<draft_cursor>& cursors,
                                     int limit) override {
    std::vector<std::string> ids, seqs;
    for (auto& c : cursors) {
      ids.push_back(c.draft_id);
      seqs.push_back(std::to_string(c.after));
    }
    return guarded([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      auto rows = tx.exec_params(
        "SELECT o.draft_id, " + outbox_columns("o")
          + " FROM unnest($1::uuid[], $2::bigint[]) AS c(draft_id, seq) "
            "JOIN draft_outbox o ON o.draft_id = c.draft_id AND o.seq > c.seq "
            "ORDER BY o.draft_id, o.seq LIMIT $3",
        array_literal(ids), array_literal(seqs), limit);
      std::vector<outbox_row> out;
      out.reserve(rows.size());
      for (auto r : rows)
        out.push_back(outbox_row_from(r, 1, r[0].as<std::string>()));
      return out;
    });
  }

  void measure_clock() override {
    guarded([](pqxx::connection& c) {
      measure_database_clock(c);
      return 0;
    });
  }

private:
  // Runs `f` on the connection (opened if needed); a failure drops it, so
  // the next call reconnects.
  template <class F>
  std::invoke_result_t<F, pqxx::connection&> guarded(F f) {
    try {
      if (!connection_ || !connection_->is_open())
        connection_ = std::make_unique<pqxx::connection>(url_);
      return f(*connection_);
    } catch (...) {
      connection_.reset();
      throw;
    }
  }

  std::string url_;
  std::unique_ptr<pqxx::connection> connection_;
};

} // namespace

std::shared_ptr<outbox_source> postgres_outbox_source(std::string database_url) {
  return std::make_shared<postgres_source>(std::move(database_url));
}

void outbox_wakeups::attach(poller_api poller) {
  std::lock_guard<std::mutex> guard(mutex_);
  poller_ = std::move(poller);
}

void outbox_wakeups::request_poll(const std::string& draft_id) {
  poller_api wake;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (draft_id.empty())
      all_ = true;
    else
      woken_.insert(draft_id);
    if (!queued_ && poller_) {
      queued_ = true;
      wake = poller_;
    }
  }
  if (wake)
    caf::anon_send(wake, poll_atom::value);
}

std::set<std::string> outbox_wakeups::take(bool& all) {
  std::lock_guard<std::mutex> guard(mutex_);
  queued_ = false;
  all = std::exchange(all_, false);
  return std::exchange(woken_, {});
}

struct outbox_listener::impl {
  struct receiver : pqxx::notification_receiver {
    receiver(pqxx::connection_base& c, outbox_wakeups& wakeups)
      : pqxx::notification_receiver(c, "draft_outbox"), wakeups(wakeups) {
    }
    // The payload is the trigger's JSON; only its draft_id is needed.
    void operator()(const std::string& payload, int) override {
      static const std::string key = "\"draft_id\" : \"";
      auto at = payload.find(key);
      wakeups.request_poll(at == std::string::npos
                             ? std::string()
                             : payload.substr(at + key.size(), 36));
    }
    outbox_wakeups& wakeups;
  };

  void run() {
    auto& log = logger::get("poller");
    while (!stop) {
      try {
        pqxx::connection c(url);
        receiver r(c, *wakeups);
        wakeups->listening = true;
        log.info("listening for outbox wake-ups");
        wakeups->request_poll(); // anything committed while we were away
        while (!stop)
          c.await_notification(0, 200'000);
      } catch (const std::exception& e) {
        if (wakeups->listening.exchange(false))
          log.warn("LISTEN connection lost; reconnecting", {{"error", e.what()}});
        for (int i = 0; i < 10 && !stop; ++i)
          std::this_thread::sleep_for(100ms);
      }
    }
  }

  std::string url;
  std::shared_ptr<outbox_wakeups> wakeups;
  std::atomic<bool> stop{false};
  std::thread thread;
};

outbox_listener::outbox_listener(std::string database_url,
                                 std::shared_ptr<outbox_wakeups> wakeups)
  : impl_(std::make_unique<impl>()) {
  impl_->url = std::move(database_url);
  impl_->wakeups = std::move(wakeups);
  impl_->thread = std::thread([this] { impl_->run(); });
}

outbox_listener::~outbox_listener() {
  impl_->stop = true;
  impl_->thread.join();
}

} // namespace draft
