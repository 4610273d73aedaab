#include "actors/outbox_poller.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <thread>

#include <caf/all.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <pqxx/pqxx>

#include "actors/gateway_messages.hpp"
#include "protocol/uuid.hpp"
#include "protocol/wire_types.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"

namespace draft {

namespace {

using namespace std::chrono_literals;

// Blocks on LISTEN in its own thread; turns each wake-up (and each reconnect)
// into one (poll_atom) for the poller, coalescing bursts.
class listener {
public:
  listener(std::string url, caf::actor poller)
    : url_(std::move(url)), poller_(std::move(poller)) {
    thread_ = std::thread([this] { run(); });
  }

  ~listener() {
    stop_ = true;
    thread_.join();
  }

  std::atomic<bool> connected{false};
  std::atomic<bool> poll_queued{false};

  void request_poll() {
    if (!poll_queued.exchange(true))
      caf::anon_send(poller_, poll_atom::value);
  }

private:
  struct receiver : pqxx::notification_receiver {
    receiver(pqxx::connection_base& c, listener& owner)
      : pqxx::notification_receiver(c, "draft_outbox"), owner(owner) {
    }
    void operator()(const std::string&, int) override {
      owner.request_poll();
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
  caf::actor poller_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct poller_state {
  outbox_poller_config config;
  std::unique_ptr<pqxx::connection> connection;
  std::map<std::string, std::pair<std::int64_t, caf::actor>> drafts;
  std::unique_ptr<listener> wakeups;
  std::uint64_t polls = 0;
  std::uint64_t routed = 0;
  static inline const char* name = "outbox-poller";
};

using self_ptr = caf::stateful_actor<poller_state>*;

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? "," : "") + items[i];
  return out + "}";
}

// One round: every row after each live draft's cursor, in seq order.
// Returns true if the batch was full (more may be waiting).
bool poll_once(self_ptr self) {
  auto& st = self->state;
  if (st.drafts.empty())
    return false;
  if (!st.connection || !st.connection->is_open())
    st.connection = std::make_unique<pqxx::connection>(st.config.database_url);
  std::vector<std::string> ids, seqs;
  for (auto& [id, entry] : st.drafts) {
    ids.push_back(id);
    seqs.push_back(std::to_string(entry.first));
  }
  pqxx::nontransaction tx(*st.connection);
  auto rows = tx.exec_params(
    "SELECT o.draft_id, o.seq, o.event_id, o.event_type, "
    "(extract(epoch from o.created_at) * 1000000)::bigint, o.payload::text "
    "FROM unnest($1::uuid[], $2::bigint[]) AS c(draft_id, seq) "
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
    if (oldest == 0 || row.created_at < oldest)
      oldest = row.created_at;
    auto it = st.drafts.find(row.draft_id);
    if (it == st.drafts.end() || row.seq <= it->second.first)
      continue;
    it->second.first = row.seq;
    ++st.routed;
    ++routed;
    self->send(it->second.second, event_atom::value, std::move(row));
  }
  lag.set(oldest == 0 ? 0.0 : static_cast<double>(now_utc() - oldest) / 1e6);
  // Another round only if this one was full and moved a cursor.
  return static_cast<int>(rows.size()) >= st.config.batch_size && routed > 0;
}

caf::behavior outbox_poller(self_ptr self, outbox_poller_config config) {
  self->state.config = std::move(config);
  self->state.wakeups = std::make_unique<listener>(
    self->state.config.database_url, caf::actor_cast<caf::actor>(self));
  self->attach_functor([=] { self->state.wakeups.reset(); });
  self->delayed_send(self, self->state.config.fallback_interval,
                     tick_atom::value);
  return {
    [=](register_atom, const std::string& draft_id, std::int64_t last_seq,
        const caf::actor& draft) {
      self->state.drafts[normalize_uuid(draft_id)] = {last_seq, draft};
      self->send(self, poll_atom::value); // catch up from its load point
    },
    [=](unregister_atom, const std::string& draft_id) {
      self->state.drafts.erase(draft_id);
    },
    [=](poll_atom) {
      self->state.wakeups->poll_queued = false;
      ++self->state.polls;
      try {
        while (poll_once(self))
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
    },
    [=](tick_atom) { // the fallback poll
      self->send(self, poll_atom::value);
      self->delayed_send(self, self->state.config.fallback_interval,
                         tick_atom::value);
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

caf::actor spawn_outbox_poller(caf::actor_system& system,
                               const outbox_poller_config& config) {
  return system.spawn<caf::detached>(outbox_poller, config);
}

} // namespace draft
