// The schema against a real PostgreSQL: idempotent migrations, the NOTIFY
// wake-up at commit only, and the per-draft sequence invariant.

#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <rapidjson/document.h>

#include "runtime/migrations.hpp"
#include "support/test_database.hpp"

using draft::testing::test_database;

namespace {

const std::string draft_id = "6e0f5d4c-3b2a-4198-8776-655443322110";

void create_draft(pqxx::connection& c, const std::string& id = draft_id) {
  pqxx::work tx(c);
  tx.exec_params("INSERT INTO drafts (id, type, rounds, time_per_pick_sec, "
                 "team_count) VALUES ($1, 'snake', 15, 60, 12)",
                 id);
  tx.commit();
}

std::string event_id(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", n);
  return buf;
}

// Collects the payloads of notifications on a channel.
class collector : public pqxx::notification_receiver {
public:
  collector(pqxx::connection_base& c, const std::string& channel)
    : pqxx::notification_receiver(c, channel) {
  }
  void operator()(const std::string& payload, int) override {
    payloads.push_back(payload);
  }
  std::vector<std::string> payloads;
};

} // namespace

TEST(migrations, applying_twice_is_a_no_op) {
  test_database db(false);
  auto first = draft::apply_migrations(db.url());
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_EQ(*first, static_cast<int>(draft::all_migrations().size()));
  pqxx::connection c(db.url());
  auto schema_before = pqxx::nontransaction(c).exec1(
    "SELECT count(*), md5(string_agg(table_name || column_name, ',' ORDER BY "
    "table_name, column_name)) FROM information_schema.columns WHERE "
    "table_schema = 'public'");
  auto second = draft::apply_migrations(db.url());
  ASSERT_TRUE(second) << second.error().to_string();
  EXPECT_EQ(*second, 0);
  pqxx::nontransaction tx(c);
  auto schema_after = tx.exec1(
    "SELECT count(*), md5(string_agg(table_name || column_name, ',' ORDER BY "
    "table_name, column_name)) FROM information_schema.columns WHERE "
    "table_schema = 'public'");
  EXPECT_EQ(schema_before[1].as<std::string>(), schema_after[1].as<std::string>());
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(),
            static_cast<int>(draft::all_migrations().size()));
  // The player pool was loaded once, not twice.
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM players")[0].as<int>(), 300);
  EXPECT_EQ(tx.exec1("SELECT count(DISTINCT name) FROM players")[0].as<int>(),
            300);
}

TEST(migrations, concurrent_starts_apply_each_migration_once) {
  test_database db(false);
  std::vector<int> applied(3, -1);
  std::vector<std::thread> starts;
  for (int i = 0; i < 3; ++i)
    starts.emplace_back([&, i] {
      auto r = draft::apply_migrations(db.url());
      applied[i] = r ? *r : -1;
    });
  for (auto& t : starts)
    t.join();
  int total = 0;
  for (int n : applied) {
    EXPECT_GE(n, 0);
    total += n;
  }
  EXPECT_EQ(total, static_cast<int>(draft::all_migrations().size()));
}

TEST(outbox, notifies_a_listener_only_at_commit) {
  test_database db;
  pqxx::connection listener(db.url());
  collector received(listener, "draft_outbox");
  pqxx::connection writer(db.url());
  create_draft(writer);

  pqxx::work tx(writer);
  auto seq = tx.exec_params1("SELECT draft_append_event($1, $2, 'DraftStarted', "
                             "'{\"k\": 1}')",
                             draft_id, event_id(1))[0]
               .as<long>();
  EXPECT_EQ(seq, 1);
  listener.await_notification(0, 300'000);
  EXPECT_TRUE(received.payloads.empty())
    << "notified before commit: " << received.payloads.front();
  tx.commit();
  for (int i = 0; i < 50 && received.payloads.empty(); ++i)
    listener.await_notification(0, 100'000);
  ASSERT_EQ(received.payloads.size(), 1u);
  rapidjson::Document hint;
  hint.Parse(received.payloads[0].c_str());
  ASSERT_TRUE(hint.IsObject()) << received.payloads[0];
  EXPECT_EQ(std::string(hint["draft_id"].GetString()), draft_id);
  EXPECT_EQ(hint["seq"].GetInt(), 1);
  EXPECT_STREQ(hint["event_type"].GetString(), "DraftStarted");
}

TEST(outbox, a_rolled_back_event_never_notifies) {
  test_database db;
  pqxx::connection listener(db.url());
  collector received(listener, "draft_outbox");
  pqxx::connection writer(db.url());
  create_draft(writer);
  {
    pqxx::work tx(writer);
    tx.exec_params("SELECT draft_append_event($1, $2, 'DraftStarted', '{}')",
                   draft_id, event_id(1));
    tx.abort();
  }
  pqxx::work tx(writer);
  tx.exec_params("SELECT draft_append_event($1, $2, 'DraftPaused', '{}')",
                 draft_id, event_id(2));
  tx.commit();
  for (int i = 0; i < 50 && received.payloads.empty(); ++i)
    listener.await_notification(0, 100'000);
  ASSERT_EQ(received.payloads.size(), 1u);
  EXPECT_NE(received.payloads[0].find("DraftPaused"), std::string::npos);
  // The rolled-back event did not consume a seq.
  EXPECT_NE(received.payloads[0].find("\"seq\" : 1"), std::string::npos)
    << received.payloads[0];
}

TEST(outbox, refuses_a_second_row_with_the_same_draft_and_seq) {
  test_database db;
  pqxx::connection c(db.url());
  create_draft(c);
  auto insert = [&](int n) {
    pqxx::work tx(c);
    tx.exec_params("INSERT INTO draft_outbox (event_id, draft_id, seq, "
                   "event_type, payload) VALUES ($1, $2, 1, 'PickMade', '{}')",
                   event_id(n), draft_id);
    tx.commit();
  };
  insert(1);
  EXPECT_THROW(insert(2), pqxx::unique_violation);
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM draft_outbox")[0].as<int>(), 1);
}

TEST(outbox, refuses_bad_rows) {
  test_database db;
  pqxx::connection c(db.url());
  create_draft(c);
  auto insert = [&](const std::string& type, const std::string& payload,
                    int seq) {
    pqxx::work tx(c);
    tx.exec_params("INSERT INTO draft_outbox (event_id, draft_id, seq, "
                   "event_type, payload) VALUES ($1, $2, $3, $4, $5::jsonb)",
                   event_id(seq + 10), draft_id, seq, type, payload);
    tx.commit();
  };
  EXPECT_THROW(insert("TimerTick", "{}", 1), pqxx::check_violation);
  EXPECT_THROW(insert("PickMade", "[]", 1), pqxx::check_violation);
  EXPECT_THROW(insert("PickMade", "{}", 0), pqxx::check_violation);
  pqxx::work tx(c);
  EXPECT_THROW(tx.exec_params("SELECT draft_append_event($1, $2, 'PickMade', "
                              "'{}')",
                              "11111111-1111-4111-8111-111111111111",
                              event_id(99)),
               pqxx::foreign_key_violation);
}

TEST(outbox, concurrent_writers_get_a_gap_free_sequence_in_commit_order) {
  test_database db;
  {
    pqxx::connection c(db.url());
    create_draft(c);
  }
  constexpr int writers = 4, per_writer = 25;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w)
    threads.emplace_back([&, w] {
      pqxx::connection c(db.url());
      for (int i = 0; i < per_writer; ++i) {
        pqxx::work tx(c);
        tx.exec_params("SELECT draft_append_event($1, $2, 'PickMade', "
                       "jsonb_build_object('writer', $3::int))",
                       draft_id, event_id(w * 1000 + i), w);
        tx.commit();
      }
    });
  for (auto& t : threads)
    t.join();
  pqxx::connection c(db.url());
  pqxx::nontransaction tx(c);
  auto row = tx.exec1("SELECT count(*), min(seq), max(seq), "
                      "count(DISTINCT seq) FROM draft_outbox");
  EXPECT_EQ(row[0].as<int>(), writers * per_writer);
  EXPECT_EQ(row[1].as<int>(), 1);
  EXPECT_EQ(row[2].as<int>(), writers * per_writer);
  EXPECT_EQ(row[3].as<int>(), writers * per_writer);
  // seq order is commit order: the row lock serialises writers, so the
  // insertion order (id) agrees with seq.
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM (SELECT seq, row_number() OVER "
                     "(ORDER BY id) AS n FROM draft_outbox) t WHERE seq <> n")[0]
              .as<int>(),
            0);
  EXPECT_EQ(tx.exec1("SELECT last_seq FROM drafts")[0].as<int>(),
            writers * per_writer);
}

TEST(schema, a_player_is_drafted_at_most_once_per_draft) {
  test_database db;
  pqxx::connection c(db.url());
  create_draft(c);
  pqxx::work tx(c);
  tx.exec_params("INSERT INTO teams (id, draft_id, name, draft_position) "
                 "VALUES ('aaaaaaaa-0000-4000-8000-000000000001', $1, 'A', 1)",
                 draft_id);
  auto player = tx.exec1("SELECT id FROM players WHERE rank = 1")[0]
                  .as<std::string>();
  auto add_pick = [&](int overall) {
    tx.exec_params("INSERT INTO picks (id, draft_id, round, pick, overall_pick, "
                   "team_id, player_id, picked_at) VALUES (gen_random_uuid(), "
                   "$1, 1, $2, $2, 'aaaaaaaa-0000-4000-8000-000000000001', $3, "
                   "now())",
                   draft_id, overall, player);
  };
  add_pick(1);
  EXPECT_THROW(add_pick(2), pqxx::unique_violation);
}
