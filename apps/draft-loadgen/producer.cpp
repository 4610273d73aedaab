#include "producer.hpp"

#include <chrono>
#include <cstdlib>
#include <thread>

#include <pqxx/pqxx>

#include "runtime/random_uuid.hpp"

namespace draft::load {


namespace {

std::string pick_made(std::int64_t seq) {
  auto team = (seq - 1) % 12 + 1;
  return "{\"pick_id\":\"" + random_uuid() + "\",\"player_id\":\"" + random_uuid()
         + "\",\"team_id\":\"" + random_uuid() + "\",\"round\":"
         + std::to_string((seq + 11) / 12) + ",\"pick\":" + std::to_string(team)
         + ",\"overall_pick\":" + std::to_string(seq)
         + ",\"player_name\":\"Player " + std::to_string(seq)
         + "\",\"team_name\":\"Team " + std::to_string(team)
         + "\",\"picked_at\":\"" + format_rfc3339(now_utc()) + "\"}";
}

} // namespace

std::atomic<bool> interrupted{false};

void on_signal(int) {
  interrupted = true;
}

// Sleeps `seconds`, less if a signal comes.
void pause_unless_interrupted(double seconds) {
  auto until = std::chrono::steady_clock::now()
               + std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  while (!interrupted && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

std::vector<std::int64_t> produce(const options& opts,
                                  const std::vector<std::string>& draft_ids,
                                  const std::string& insert_query,
                                  double& seconds) {
  pqxx::connection db(std::getenv("DATABASE_URL") ? std::getenv("DATABASE_URL")
                                                  : "");
  db.prepare("insert", insert_query);
  std::vector<std::int64_t> seqs(draft_ids.size(), 0);
  auto total = static_cast<long long>(opts.rate * opts.drafts
                                      * (opts.warmup + opts.duration));
  double per_ms = opts.rate * opts.drafts / 1000.0;
  auto start = std::chrono::steady_clock::now();
  for (long long n = 0; n < total && !interrupted; ++n) {
    auto due = start + std::chrono::microseconds(
                         static_cast<long long>(static_cast<double>(n) / per_ms * 1000));
    std::this_thread::sleep_until(due);
    auto d = static_cast<size_t>(n % opts.drafts);
    ++seqs[d];
    pqxx::nontransaction tx(db);
    tx.exec_prepared("insert", random_uuid(), draft_ids[d], seqs[d],
                     pick_made(seqs[d]));
  }
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
              .count();
  return seqs;
}


} // namespace draft::load
