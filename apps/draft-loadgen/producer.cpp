#include "producer.hpp"

#include <chrono>
#include <cstdlib>
#include <thread>

#include <pqxx/pqxx>

#include "protocol/json_writer.hpp"
#include "runtime/random_uuid.hpp"

namespace draft::load {


namespace {

// The nine fields of the seed's PickMade (the peer stores it as it is).
std::string pick_made(std::int64_t seq) {
  auto team = (seq - 1) % 12 + 1;
  return json::write_object([&](json::object_writer& o) {
    o.str("pick_id", random_uuid())
      .str("player_id", random_uuid())
      .str("team_id", random_uuid())
      .num("round", (seq + 11) / 12)
      .num("pick", team)
      .num("overall_pick", seq)
      .str("player_name", "Player " + std::to_string(seq))
      .str("team_name", "Team " + std::to_string(team))
      .time("picked_at", now_utc());
  });
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
