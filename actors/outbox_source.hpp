#pragma once

// What the outbox poller (actors/outbox_poller.hpp) reads from: the rows
// after each draft's cursor, and wake-ups saying which drafts have new
// rows. In the gateway both are PostgreSQL — a query on the poller's own
// connection, and LISTEN on a thread of its own (outbox_postgres.cpp); the
// poller's tests script them.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "actors/actor_interfaces.hpp"
#include "actors/gateway_types.hpp"

namespace draft {

struct draft_cursor {
  std::string draft_id;
  std::int64_t after = 0; ///< the last seq routed
};

class outbox_source {
public:
  virtual ~outbox_source() = default;
  /// The rows with seq > `after` of each cursor's draft, ordered by draft
  /// and seq, at most `limit`. Throws on failure.
  virtual std::vector<outbox_row>
  rows_after(const std::vector<draft_cursor>& cursors, int limit) = 0;
  /// Measures the database's clock (runtime/database_clock.hpp). Throws on
  /// failure.
  virtual void measure_clock() {}
};

/// The PostgreSQL source: one connection, opened on first use and again
/// after a failure.
std::shared_ptr<outbox_source> postgres_outbox_source(std::string database_url);

/// Wake-ups, given from any thread: a burst becomes one (poll_atom) for the
/// poller while one is queued, naming the drafts woken meanwhile.
class outbox_wakeups {
public:
  /// The poller to wake (it attaches itself when it starts).
  void attach(poller_api poller);
  /// Asks for a poll of `draft_id`, or of every draft if empty (a reconnect:
  /// notifications sent while disconnected are lost).
  void request_poll(const std::string& draft_id = {});
  /// The drafts woken since the last call; `all` if every draft must be
  /// polled. Lets the next wake-up queue a poll again.
  std::set<std::string> take(bool& all);

  std::atomic<bool> listening{false}; ///< the LISTEN connection is up

private:
  std::mutex mutex_;
  poller_api poller_;
  std::set<std::string> woken_;
  bool all_ = false;
  bool queued_ = false;
};

/// Listens for the outbox trigger's notifications on a thread of its own
/// connection, feeding `wakeups` (after every reconnect it asks for a poll
/// of every draft). Stops when destroyed.
class outbox_listener {
public:
  outbox_listener(std::string database_url,
                  std::shared_ptr<outbox_wakeups> wakeups);
  ~outbox_listener();
  outbox_listener(const outbox_listener&) = delete;
  outbox_listener& operator=(const outbox_listener&) = delete;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace draft
