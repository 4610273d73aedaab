#include "actors/outbox_poller.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include <caf/all.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/gateway_messages.hpp"
#include "actors/gateway_types.hpp"
#include "protocol/uuid.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"

namespace draft {

namespace {

using namespace std::chrono_literals;
using clock_point = caf::actor_clock::time_point;

struct watched_draft {
  std::int64_t cursor = 0; ///< last seq routed
  draft_actor_api actor;
  clock_point polled{}; ///< last time it was polled
};

struct poller_state {
  outbox_poller_config config;
  std::shared_ptr<outbox_source> source;
  std::shared_ptr<outbox_wakeups> wakeups;
  std::unique_ptr<outbox_listener> listener; ///< the gateway's LISTEN thread
  std::map<std::string, watched_draft> drafts;
  std::uint64_t polls = 0;
  std::uint64_t routed = 0;
  clock_point clock_measured{};
  bool clock_measured_once = false;
  static inline const char* name = "outbox-poller";
};

using self_ptr = poller_api::stateful_pointer<poller_state>;

// One round: every row after the cursor of each draft in `only` (or of every
// live draft when `only` is null), in seq order. Returns true if the batch
// was full and moved a cursor (more may be waiting).
bool poll_once(self_ptr self, const std::set<std::string>* only) {
  auto& st = self->state;
  std::vector<draft_cursor> cursors;
  auto now = self->clock().now();
  auto add = [&](const std::string& id, watched_draft& d) {
    cursors.push_back({id, d.cursor});
    d.polled = now;
  };
  if (only) {
    for (auto& id : *only)
      if (auto it = st.drafts.find(id); it != st.drafts.end())
        add(id, it->second);
  } else {
    for (auto& [id, entry] : st.drafts)
      add(id, entry);
  }
  if (cursors.empty())
    return false; // nothing watched, or wake-ups for drafts not watched here
  auto rows = st.source->rows_after(cursors, st.config.batch_size);
  static auto& lag = default_metrics().get_gauge(
    "gateway_outbox_lag_seconds",
    "Age of the oldest outbox row found unapplied by the last poll.");
  timestamp oldest = 0;
  int routed = 0;
  for (auto& row : rows) {
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
  auto now = self->clock().now();
  if (st.clock_measured_once && now - st.clock_measured < 10s)
    return;
  st.clock_measured = now;
  st.clock_measured_once = true;
  try {
    st.source->measure_clock();
  } catch (const std::exception& e) {
    logger::get("poller").warn("cannot read the database's clock",
                               {{"error", e.what()}});
  }
}

poller_api::behavior_type outbox_poller(self_ptr self,
                                        outbox_poller_config config,
                                        std::shared_ptr<outbox_source> source,
                                        std::shared_ptr<outbox_wakeups> wakeups) {
  auto& st = self->state;
  st.config = std::move(config);
  st.source = std::move(source);
  st.wakeups = std::move(wakeups);
  st.wakeups->attach(caf::actor_cast<poller_api>(self));
  if (!st.config.database_url.empty())
    // The thread stops when the state (and `listener`) is destroyed.
    st.listener = std::make_unique<outbox_listener>(st.config.database_url,
                                                    st.wakeups);
  self->delayed_send(self, st.config.fallback_interval, tick_atom::value);
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
      bool all = false;
      auto woken = self->state.wakeups->take(all);
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
      auto stale_before = self->clock().now() - st.config.fallback_interval;
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
               {"listening", st.wakeups->listening ? "true" : "false"}}};
    },
  };
}

} // namespace

poller_api spawn_outbox_poller(caf::actor_system& system,
                               const outbox_poller_config& config) {
  // Detached: its blocking libpq calls never run on CAF's shared threads.
  return system.spawn<caf::detached>(
    outbox_poller, config, postgres_outbox_source(config.database_url),
    std::make_shared<outbox_wakeups>());
}

poller_api spawn_outbox_poller(caf::actor_system& system,
                               outbox_poller_config config,
                               std::shared_ptr<outbox_source> source,
                               std::shared_ptr<outbox_wakeups> wakeups) {
  config.database_url.clear(); // no LISTEN thread: `wakeups` are given
  return system.spawn(outbox_poller, std::move(config), std::move(source),
                      std::move(wakeups));
}

} // namespace draft
