#pragma once

// The workers of seed 003. Both drain the outbox the same way — claim,
// publish, settle — and differ in what wakes them:
//   - `worker` (polling) runs a round every poll interval;
//   - `realtime_worker` LISTENs on its own connection and runs a round as
//     soon as a row commits, plus a fallback round every fallback interval
//     and a full round after every reconnect (notifications sent while it was
//     disconnected are lost).
//
// Claiming (one short transaction, no transaction across a broker call):
// only the head unsent row of each draft is claimable, so a later event of a
// draft is never published before an earlier one, with any number of relay
// instances on one database. A claim takes a lease (next_attempt_at moves
// forward): if the relay dies mid-publish, the row is claimed again when the
// lease runs out (at least once; brokers deduplicate by event id).
// Settling: sent_at on success; on failure exponential backoff
// (retry_delay × 2^(attempts−1)), and after max_retries the row is marked
// dead with its last error — never dropped.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "relay_types.hpp"
#include "seed_payload.hpp"

namespace pqxx {
class connection_base;
}

namespace draft::relay {

/// The seed's Config plus what claiming needs.
struct relay_config {
  int batch_size = 100;
  int max_retries = 3;
  std::chrono::milliseconds retry_delay{1000};
  std::chrono::milliseconds poll_interval{5000};
  std::chrono::milliseconds fallback_interval{30000};
  std::chrono::milliseconds lease{30000};
  /// RELAY_PAYLOAD: seed 003's payload (default) or the stored one.
  payload_format payload = payload_format::seed;
};

/// What /health reports, updated by the running worker.
struct relay_health {
  std::atomic<bool> listening{false};
  std::atomic<std::int64_t> last_round_us{0}; ///< wall clock of the last round
  std::atomic<double> oldest_unsent_sec{0};
  std::atomic<std::int64_t> last_lag_us{0}; ///< when oldest_unsent_sec was read
};

/// Claims up to `batch` head rows whose next attempt is due.
std::vector<outbox_event> claim(pqxx::connection_base& db, int batch,
                                std::chrono::milliseconds lease);

/// One round: claim, publish each, settle each. Returns how many it claimed.
std::size_t run_round(pqxx::connection_base& db, event_publisher& publisher,
                      metrics_collector& metrics, const relay_config& config,
                      relay_health& health);

/// The polling worker (seed: Worker).
class worker : public outbox_relay {
public:
  worker(std::string database_url, std::shared_ptr<event_publisher> publisher,
         std::shared_ptr<metrics_collector> metrics, relay_config config,
         std::shared_ptr<relay_health> health);
  void run() override;
  void stop() override { stopping_ = true; }

protected:
  /// Rounds until one claims nothing (or stop).
  void drain(pqxx::connection_base& db);
  /// Sleeps up to `d`, waking early on stop.
  void pause(std::chrono::milliseconds d);

  std::string url_;
  std::shared_ptr<event_publisher> publisher_;
  std::shared_ptr<metrics_collector> metrics_;
  relay_config config_;
  std::shared_ptr<relay_health> health_;
  std::atomic<bool> stopping_{false};
};

/// The real-time worker (seed: RealtimeWorker).
class realtime_worker : public worker {
public:
  using worker::worker;
  void run() override;
};

} // namespace draft::relay
