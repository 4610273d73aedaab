#include "runtime/draft_queries.hpp"

#include <algorithm>

#include <pqxx/pqxx>

namespace draft {

std::string sql_micros(const std::string& expression) {
  return "(extract(epoch from " + expression + ") * 1000000)::bigint";
}

std::optional<draft_state_row> read_draft_state(pqxx::transaction_base& tx,
                                                const std::string& id) {
  auto d = tx.exec_params("SELECT status, rounds, team_count, last_seq, type, "
                          "time_per_pick_sec, "
                          + sql_micros("paused_at")
                          + " FROM drafts WHERE id = $1",
                          id);
  if (d.empty())
    return std::nullopt;
  draft_state_row out;
  auto& s = out.snapshot;
  s.draft_id = id;
  parse_draft_status(d[0][0].as<std::string>(), s.status);
  out.rounds = d[0][1].as<int>();
  out.team_count = d[0][2].as<int>();
  s.total_picks = out.rounds * out.team_count;
  s.last_seq = d[0][3].as<long long>();
  out.type = d[0][4].as<std::string>();
  out.time_per_pick_sec = d[0][5].as<int>();
  s.completed_picks = tx.exec_params1("SELECT count(*) FROM picks WHERE "
                                      "draft_id = $1 AND player_id IS NOT NULL",
                                      id)[0]
                        .as<int>();
  if (s.status != draft_status::in_progress && s.status != draft_status::paused)
    return out;
  auto p = tx.exec_params("SELECT id, team_id, round, pick, overall_pick, "
                          + sql_micros("started_at") + ", "
                          + sql_micros("timeout_at")
                          + " FROM picks WHERE draft_id = $1 AND player_id "
                            "IS NULL ORDER BY overall_pick LIMIT 1",
                          id);
  if (p.empty() || p[0][5].is_null())
    return out;
  current_pick cp;
  cp.pick_id = p[0][0].as<std::string>();
  cp.team_id = p[0][1].as<std::string>();
  cp.round = p[0][2].as<int>();
  cp.pick = p[0][3].as<int>();
  cp.overall_pick = p[0][4].as<int>();
  cp.started_at = p[0][5].as<long long>();
  cp.timeout_at = p[0][6].as<long long>();
  s.pick = cp;
  if (s.status == draft_status::paused && !d[0][6].is_null()) {
    auto paused_at = d[0][6].as<long long>();
    out.paused_remaining_sec = static_cast<std::int32_t>(
      std::max<long long>(0, cp.timeout_at - paused_at + 999'999) / 1'000'000);
  }
  return out;
}

} // namespace draft
