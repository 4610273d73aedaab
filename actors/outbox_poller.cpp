#include "actors/outbox_poller.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <utility>
#include <thread>

#include <caf/all.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <pqxx/pqxx>

#include "actors/gateway_messages.hpp"
#include "protocol/uuid.hpp"
#include "actors/gateway_types.hpp"
#include "runtime/database_clock.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"

namespace draft {

namespace {

using namespace std::chrono_literals;

// Blocks on LISTEN in its own thread; turns each wake-up (and each reconnect)
// into one (poll_atom) for the poller, coalescing bursts.
class listener {
public:
  listener(std::string url, poller_api poller)
    : url_(std::move(url)), poller_(std::move(poller)) {
    thread_ = std::thread([this] { run(); });
  }

  ~listener() {
    stop_ = true;
    thread_.join();
  }

  std::atomic<bool> connected{false};
  std::atomic<bool> poll_queued{false};

  /// Asks for a poll of the drafts named by wake-ups (or of every draft).
  void request_poll(const std::string& draft_id = {}) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (draft_id.empty())
        poll_all_ = true;
      else
        woken_.insert(draft_id);
    }
    if (!poll_queued.exchange(true))
      caf::anon_send(poller_, poll_atom::value);
  }

  /// The drafts woken since the last call; `all` if every draft must be
  /// polled (a reconnect, or a wake-up without a draft id).
  std::set<std::string> take_woken(bool& all) {
    std::lock_guard<std::mutex> guard(mutex_);
    all = poll_all_;
    poll_all_ = false;
    return std::exchange(woken_, {});
  }

private:
  struct receiver : pqxx::notification_receiver {
    receiver(pqxx::connection_base& c, listener& owner)
      : pqxx::notification_receiver(c, "draft_outbox"), owner(owner) {
    }
    // The payload is the trigger's JSON; only its draft_id is needed.
    void operator()(const std::string& payload, int) override {
      static const std::string key = "\"draft_id\" : \"";
      auto at = payload.find(key);
      owner.request_poll(at == std::string::npos
                           ? std::string()
                           : payload.substr(at + key.size(), 36));
    }
    listener& owner;
  };

  void run() {
    auto& log = logger::get("poller");
    while (!stop_) {
      try {
        pqxx::connection c(url_);
        receiver r(c, *this);
        connected = true;
        log.info("listening for outbox wake-ups");
        request_poll(); // anything committed while we were away
        while (!stop_)
          c.await_notification(0, 200'000);
      } catch (const std::exception& e) {
        if (connected.exchange(false))
          log.warn("LISTEN connection lost; reconnecting", {{"error", e.what()}});
        for (int i = 0; i < 10 && !stop_; ++i)
          std::this_thread::sleep_for(100ms);
      }
    }
  }

  std::string url_;
  poller_api poller_;
  std::mutex mutex_;
  std::set<std::string> woken_;
  bool poll_all_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct watched_draft {
  std::int64_t cursor = 0; ///< last seq routed
  draft_actor_api actor;
  std::chrono::steady_clock::time_point polled; ///< last time it was polled
};

struct poller_state {
  outbox_poller_config config;
  std::unique_ptr<pqxx::connection> connection;
  std::map<std::string, watched_draft> drafts;
  std::unique_ptr<listener> wakeups;
  std::uint64_t polls = 0;
  std::uint64_t routed = 0;
  std::chrono::steady_clock::time_point clock_measured{};
  static inline const char* name = "outbox-poller";
};

using self_ptr = poller_api::stateful_pointer<poller_state>;

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? "," : "") + items[i];
  return out + "}";
}

// One round: every row after the cursor of each draft in `only` (or of every
// live draft when `only` is null), in seq order. Returns true if the batch
// was full and moved a cursor (more may be waiting).
bool poll_once(self_ptr self, const std::set<std::string>* only) {
  auto& st = self->state;
  if (st.drafts.empty())
    return false;
  if (!st.connection || !st.connection->is_open())
    st.connection = std::make_unique<pqxx::connection>(st.config.database_url);
  std::vector<std::string> ids, seqs;
  auto now = std::chrono::steady_clock::now();
  auto add = [&](const std::string& id, watched_draft& d) {
    ids.push_back(id);
    seqs.push_back(std::to_string(d.cursor));
    d.polled = now;
  };
  if (only) {
    for (auto& id : *only)
      if (auto it = st.drafts.find(id); it != st.drafts.end())
        add(id, it->second);
    if (ids.empty())
      return false; // wake-ups for drafts nobody watches here
  } else {
    for (auto& [id, entry] : st.drafts)
      add(id, entry);
  }
  pqxx::nontransaction tx(*st.connection);
  auto rows = tx.exec_params(
    "SELECT o.draft_id, o.seq, o.event_id, o.event_type, "
    "(extract(epoch from o.created_at) * 1000000)::bigint, o.payload::text, "
    "coalesce(o.traceparent, '') FROM unnest($1::uuid[], $2::bigint[]) AS c(draft_id, seq) "
    "JOIN draft_outbox o ON o.draft_id = c.draft_id AND o.seq > c.seq "
    "ORDER BY o.draft_id, o.seq LIMIT $3",
    array_literal(ids), array_literal(seqs), st.config.batch_size);
  static auto& lag = default_metrics().get_gauge(
    "gateway_outbox_lag_seconds",
    "Age of the oldest outbox row found unapplied by the last poll.");
  timestamp oldest = 0;
  int routed = 0;
  for (auto r : rows) {
    outbox_row row;
    row.draft_id = r[0].as<std::string>();
    row.seq = r[1].as<long long>();
    row.event_id = r[2].as<std::string>();
    parse_event_type(r[3].as<std::string>(), row.type);
    row.created_at = r[4].as<long long>();
    row.payload_json = r[5].as<std::string>();
    row.traceparent = r[6].as<std::string>();
    if (oldest == 0 || row.created_at < oldest)
      oldest = row.created_at;
    auto it = st.drafts.find(row.draft_id);
    if (it == st.drafts.end() || row.seq <= it->second.cursor)
      continue;
    it->second.cursor = row.seq;
    ++st.routed;
    ++routed;
    self->send(it->second.actor, event_atom::value, std::move(row));
  }
  lag.set(oldest == 0 ? 0.0 : static_cast<double>(now_utc() - oldest) / 1e6);
  // Another round only if this one was full and moved a cursor.
  return static_cast<int>(rows.size()) >= st.config.batch_size && routed > 0;
}

// Polls until caught up; a failure is logged and left to the next round.
void poll(self_ptr self, const std::set<std::string>* only) {
  ++self->state.polls;
  try {
    while (poll_once(self, only))
      ;
  } catch (const std::exception& e) {
    self->state.connection.reset();
    logger::get("poller").warn("poll failed; retrying at the next round",
                               {{"error", e.what()}});
    default_metrics()
      .get_counter("gateway_errors_total", "Errors by component.",
                   {{"component", "poller"}})
      .inc();
  }
}

// Measures the database's clock (runtime/database_clock.hpp) every ten
// seconds, on the poller's connection.
void measure_clock(self_ptr self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  if (now - st.clock_measured < 10s)
    return;
  st.clock_measured = now;
  try {
    if (!st.connection || !st.connection->is_open())
      st.connection = std::make_unique<pqxx::connection>(st.config.database_url);
    measure_database_clock(*st.connection);
  } catch (const std::exception& e) {
    st.connection.reset();
    logger::get("poller").warn("cannot read the database's clock",
                               {{"error", e.what()}});
  }
}

poller_api::behavior_type outbox_poller(self_ptr self,
                                        outbox_poller_config config) {
  self->state.config = std::move(config);
  self->state.wakeups = std::make_unique<listener>(
    self->state.config.database_url, caf::actor_cast<poller_api>(self));
  // The listener thread stops when the state (and `wakeups`) is destroyed.
  self->delayed_send(self, self->state.config.fallback_interval,
                     tick_atom::value);
  return {
    [=](register_atom, const std::string& draft_id, std::int64_t last_seq,
        const draft_actor_api& draft) {
      auto id = normalize_uuid(draft_id);
      self->state.drafts[id] = {last_seq, draft, {}};
      self->state.wakeups->request_poll(id); // catch up from its load point
    },
    [=](unregister_atom, const std::string& draft_id) {
      self->state.drafts.erase(normalize_uuid(draft_id));
    },
    [=](poll_atom) {
      self->state.wakeups->poll_queued = false;
      bool all = false;
      auto woken = self->state.wakeups->take_woken(all);
      // A wake-up names its draft: poll just those drafts. A reconnect of
      // the LISTEN connection polls them all.
      poll(self, all ? nullptr : &woken);
    },
    [=](tick_atom) {
      // The fallback round, for wake-ups that were lost: only drafts no
      // wake-up has polled for a whole interval, so it stays small while
      // notifications flow.
      auto& st = self->state;
      measure_clock(self);
      auto stale_before = std::chrono::steady_clock::now()
                          - st.config.fallback_interval;
      std::set<std::string> stale;
      for (auto& [id, d] : st.drafts)
        if (d.polled <= stale_before)
          stale.insert(id);
      if (!stale.empty())
        poll(self, &stale);
      self->delayed_send(self, st.config.fallback_interval, tick_atom::value);
    },
    [=](status_atom) -> actor_status {
      auto& st = self->state;
      return {"outbox-poller",
              "poller",
              self->mailbox().size(),
              st.polls,
              {{"drafts", std::to_string(st.drafts.size())},
               {"routed", std::to_string(st.routed)},
               {"listening", st.wakeups->connected ? "true" : "false"}}};
    },
  };
}

} // namespace

poller_api spawn_outbox_poller(caf::actor_system& system,
                               const outbox_poller_config& config) {
  return system.spawn<caf::detached>(outbox_poller, config);
}

} // namespace draft
