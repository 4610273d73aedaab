// Gap-free resume: from hot history, from PostgreSQL after the draft actor
// was rebuilt, and after being closed as a slow consumer.

#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "gateway_fixture.hpp"

using namespace draft::testing;
using namespace std::chrono_literals;

namespace {

// The events after `after` in the database's outbox.
std::vector<std::pair<std::int64_t, std::string>>
outbox_after(gateway_fixture& f, const std::string& id, std::int64_t after) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  for (auto& e : f.outbox(id))
    if (e.first > after)
      out.push_back(e);
  return out;
}

} // namespace

TEST(gateway_resume, a_client_that_missed_twenty_events_gets_exactly_those) {
  gateway_fixture f;
  auto id = f.create_draft(4, 6, 600);
  ASSERT_EQ(f.command(id, "start"), 200);
  std::int64_t last_seq;
  {
    auto client = f.open(id, "alice");
    ASSERT_TRUE(client && client->read_one());
    last_seq = client->last_seq();
    ASSERT_EQ(last_seq, 2); // DraftStarted, PickStarted
  } // disconnected
  for (int i = 0; i < 10; ++i) // 10 picks = 20 events
    ASSERT_EQ(f.pick_best(id), 201);
  auto back = f.open(id, "alice", last_seq);
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->read_until_seq(last_seq + 20, 30s));
  EXPECT_EQ(applied(*back), outbox_after(f, id, last_seq));
  EXPECT_EQ(back->events().size(), 20u);
  // Then live events.
  ASSERT_EQ(f.pick_best(id), 201);
  ASSERT_TRUE(back->read_until_seq(last_seq + 22, 30s));
  EXPECT_EQ(applied(*back), outbox_after(f, id, last_seq));
  EXPECT_EQ(back->gaps() + back->duplicates(), 0);
}

TEST(gateway_resume, history_comes_from_postgres_after_the_actor_is_rebuilt) {
  gateway_fixture f({{"GATEWAY_IDLE_GRACE", "200ms"}, {"GATEWAY_HISTORY", "4"}});
  auto id = f.create_draft(4, 6, 600);
  ASSERT_EQ(f.command(id, "start"), 200);
  std::int64_t last_seq;
  {
    auto client = f.open(id, "bob");
    ASSERT_TRUE(client && client->read_one());
    last_seq = client->last_seq();
  }
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(f.pick_best(id), 201);
  ASSERT_EQ(f.command(id, "pause"), 200);
  // Paused and unwatched, the draft actor stops after its grace period.
  ASSERT_TRUE(gateway_fixture::eventually(
    [&] { return f.metric("gateway_draft_actors") == 0; }, 20));
  auto back = f.open(id, "bob", last_seq);
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->read_until("DraftPaused", 30s));
  EXPECT_EQ(applied(*back), outbox_after(f, id, last_seq));
  EXPECT_EQ(back->events().size(), 21u);
  ASSERT_EQ(f.command(id, "resume"), 200);
  ASSERT_TRUE(back->read_until("PickStarted", 30s));
  EXPECT_EQ(applied(*back), outbox_after(f, id, last_seq));
}

TEST(gateway_resume, a_slow_consumer_is_closed_recorded_and_catches_up) {
  gateway_fixture f({{"GATEWAY_SEND_QUEUE_LIMIT", "16"},
                     {"GATEWAY_SOCKET_SEND_BUFFER", "4096"}});
  auto id = f.create_draft(2, 1, 600);
  ASSERT_EQ(f.command(id, "start"), 200);
  auto slow = f.open(id, "slowpoke", -1, 4096);
  ASSERT_TRUE(slow && slow->read_one());
  auto snapshot_seq = slow->last_seq();
  // A burst the client does not read: pause/resume pairs, written straight
  // into the outbox the way the orchestrator does.
  {
    pqxx::connection c(f.url());
    auto pick = pqxx::nontransaction(c).exec_params1(
      "SELECT id FROM picks WHERE draft_id = $1 AND overall_pick = 1", id)[0]
                  .as<std::string>();
    pqxx::work tx(c);
    for (int i = 0; i < 300; ++i) {
      auto type = i % 2 ? "DraftResumed" : "DraftPaused";
      auto payload = std::string("{\"draft_id\":\"") + id + "\",\"pick_id\":\""
                     + pick + "\",\"overall_pick\":1,"
                     + (i % 2 ? "\"resumed_at\":\"2026-01-01T00:00:00Z\""
                              : "\"paused_at\":\"2026-01-01T00:00:00Z\","
                                "\"time_remaining_sec\":30")
                     + ",\"padding\":\"" + std::string(400, 'x') + "\"}";
      tx.exec_params("SELECT draft_append_event($1, gen_random_uuid(), $2, "
                     "$3::jsonb)",
                     id, type, payload);
    }
    tx.commit();
  }
  ASSERT_TRUE(gateway_fixture::eventually(
    [&] {
      return f.scalar("SELECT count(*) FROM broadcast_dead_letters WHERE "
                      "reason LIKE 'slow consumer%'")
             == 1;
    },
    30));
  // The client wakes up: it reads what reached it, then the connection ends.
  while (slow->read_one(5s))
    ;
  EXPECT_LT(slow->last_seq(), 302) << "it was not cut off";
  EXPECT_EQ(slow->client().close_code(), 4008) << slow->client().close_reason();
  EXPECT_EQ(slow->gaps() + slow->duplicates(), 0);
  // Reconnect with last_seq: everything else, exactly once.
  auto back = f.open(id, "slowpoke", slow->last_seq());
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->read_until_seq(302, 30s));
  auto all = applied(*slow);
  for (auto& e : applied(*back))
    all.push_back(e);
  EXPECT_EQ(all, outbox_after(f, id, snapshot_seq));
  EXPECT_GE(f.metric("gateway_closes_total{reason=\"slow_consumer\"}"), 1);
}
