// The autopick: what the pick clock (pick_clock.hpp) does when a slot's
// time is up. Its times are the database's (clock_timestamp()), the clock
// every timeout_at was written by.

#include "draft_commands.hpp"

#include "command_support.hpp"
#include "runtime/trace_context.hpp"

namespace draft {

std::optional<std::chrono::microseconds> draft_commands::next_timeout() {
  auto conn = pool_.acquire();
  pqxx::nontransaction tx(*conn);
  auto r = tx.exec(
    "SELECT (extract(epoch from min(p.timeout_at) - clock_timestamp())"
    " * 1000000)::bigint FROM drafts d JOIN picks p ON p.draft_id = d.id"
    " WHERE d.status = 'IN_PROGRESS' AND p.player_id IS NULL"
    " AND p.timeout_at IS NOT NULL");
  if (r.empty() || r[0][0].is_null())
    return std::nullopt;
  return std::chrono::microseconds(std::max<long long>(0, r[0][0].as<long long>()));
}

bool draft_commands::autopick_one_overdue() {
  // Each autopick starts a trace of its own (no request behind it).
  correlation_scope scope(child_span(std::nullopt).header(), "request_id",
                          "autopick-" + random_hex(6));
  bool found = false;
  auto res = run(pool_, "autopick", [&](pqxx::work& tx) {
    // SKIP LOCKED: a draft another instance (or a user's pick) holds is left
    // to it; the row lock makes a double autopick impossible.
    auto due = tx.exec(
      "SELECT d.id FROM drafts d JOIN picks p ON p.draft_id = d.id"
      " WHERE d.status = 'IN_PROGRESS' AND p.player_id IS NULL"
      " AND p.timeout_at <= clock_timestamp()"
      " ORDER BY p.timeout_at LIMIT 1 FOR UPDATE OF d SKIP LOCKED");
    if (due.empty())
      return answer{};
    found = true;
    auto draft_id = due[0][0].as<std::string>();
    auto d = lock_draft(tx, draft_id); // already ours; re-read under the lock
    auto now = db_now(tx);
    auto slot = current_slot(tx, draft_id);
    // Re-check with a fresh snapshot: a pick may have committed just before.
    if (d.status != "IN_PROGRESS" || !slot || slot->timeout_at > now)
      return answer{};
    // The team's queue first (drafted players have left it), else the best
    // rank.
    const char* source = "queue";
    auto best = tx.exec_params(
      std::string("SELECT pl.id, pl.name FROM team_queues q JOIN players pl ON "
                  "pl.id = q.player_id JOIN drafts d ON d.id = q.draft_id "
                  "WHERE q.draft_id = $1 AND q.team_id = $2 AND ")
        + pool_filter
        + " AND NOT EXISTS (SELECT 1 FROM picks WHERE draft_id = $1 AND "
          "player_id = pl.id) ORDER BY q.position LIMIT 1",
      draft_id, slot->team_id);
    if (best.empty()) {
      source = "rank";
      best = tx.exec_params(
        std::string("SELECT pl.id, pl.name FROM players pl, drafts d WHERE "
                    "d.id = $1 AND ")
          + pool_filter
          + " AND NOT EXISTS (SELECT 1 FROM picks WHERE draft_id = $1 AND "
            "player_id = pl.id) ORDER BY pl.rank LIMIT 1",
        draft_id);
    }
    if (best.empty())
      throw command_error{refusal::failed, "pool_exhausted",
                          "no player left to autopick in draft " + draft_id};
    apply_pick(tx, d, *slot, best[0][0].as<std::string>(),
               best[0][1].as<std::string>(), pick_origin{true, source, ""},
               now);
    default_metrics()
      .get_counter("orchestrator_autopicks_total", "Picks made on time-out.")
      .inc();
    logger::get("orchestrator")
      .info("autopick", {{"draft_id", draft_id},
                         {"overall_pick", slot->overall},
                         {"source", std::string(source)},
                         {"player", best[0][1].as<std::string>()}});
    return answer{false, ""};
  });
  if (!res) {
    logger::get("orchestrator")
      .warn("autopick failed", {{"error", res.error().message}});
    return false;
  }
  return found;
}

} // namespace draft
