#include "relay_test_support.hpp"

#include <map>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "protocol/json_codec.hpp"
#include "publishers.hpp"

namespace draft::relay {

std::vector<std::string> write_events(const std::string& url, int per_draft) {
  pqxx::connection c(url);
  std::vector<std::string> drafts;
  for (int d = 0; d < 3; ++d) {
    pqxx::work tx(c);
    drafts.push_back(
      tx.exec1("INSERT INTO drafts (id, type, rounds, time_per_pick_sec, "
               "team_count) VALUES (gen_random_uuid(), 'snake', 1, 60, 2) "
               "RETURNING id")[0]
        .as<std::string>());
    tx.commit();
  }
  for (int i = 0; i < per_draft; ++i)
    for (auto& d : drafts) {
      pqxx::work tx(c);
      // A valid DraftPaused: the relay decodes payloads to map them.
      // Each with a trace context, derived from its event id.
      tx.exec_params("SELECT draft_append_event($1, e, "
                     "'DraftPaused', jsonb_build_object('draft_id', $1::uuid, "
                     "'paused_at', '2024-01-01T00:00:00Z', 'pick_id', "
                     "gen_random_uuid(), 'overall_pick', $2::int + 1, "
                     "'time_remaining_sec', 10), '00-' || replace(e::text, "
                     "'-', '') || '-00f067aa0ba902b7-01') FROM (SELECT "
                     "gen_random_uuid() AS e) AS id",
                     d, i);
      tx.commit();
    }
  return drafts;
}

std::string traceparent_of(const std::string& event_id) {
  std::string hex;
  for (char c : event_id)
    if (c != '-')
      hex += c;
  return "00-" + hex + "-00f067aa0ba902b7-01";
}

void drain(const std::string& url, event_publisher& p, const relay_config& rc) {
  pqxx::connection db(url);
  prometheus_metrics metrics;
  relay_health health;
  for (int i = 0; i < 100 && run_round(db, p, metrics, rc, health) > 0; ++i)
    ;
}

void expect_in_order(const std::string& url,
                     const std::vector<std::string>& bodies, int per_draft) {
  std::map<std::string, std::vector<std::int64_t>> seqs;
  std::map<std::string, std::vector<std::string>> ids;
  for (auto& body : bodies) {
    auto env = json::decode_envelope(body);
    ASSERT_TRUE(env) << env.error().to_string() << ": " << body;
    seqs[env->draft_id].push_back(env->seq);
    ids[env->draft_id].push_back(env->event_id);
  }
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  for (auto& [draft, got] : seqs) {
    std::vector<std::int64_t> want;
    std::vector<std::string> want_ids;
    for (auto r : tx.exec_params("SELECT seq, event_id FROM draft_outbox WHERE "
                                 "draft_id = $1 ORDER BY seq",
                                 draft)) {
      want.push_back(r[0].as<std::int64_t>());
      want_ids.push_back(r[1].as<std::string>());
    }
    EXPECT_EQ(got, want) << draft;
    EXPECT_EQ(ids[draft], want_ids) << draft;
    EXPECT_EQ(static_cast<int>(got.size()), per_draft);
  }
}


} // namespace draft::relay
