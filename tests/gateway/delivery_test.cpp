// End to end: real orchestrator, real gateway, real WebSocket clients. Every
// client's applied events must equal the database's outbox for its draft.

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "gateway_fixture.hpp"

using namespace draft::testing;
using namespace std::chrono_literals;

TEST(gateway_delivery, hundred_clients_over_five_drafts_see_every_event) {
  gateway_fixture f;
  constexpr int drafts = 5, per_draft = 20;
  std::vector<std::string> ids;
  for (int d = 0; d < drafts; ++d)
    ids.push_back(f.create_draft(3, 2, 1));
  std::vector<std::unique_ptr<draft_listener>> clients;
  for (int i = 0; i < drafts * per_draft; ++i) {
    clients.push_back(f.open(ids[i % drafts], "user-" + std::to_string(i)));
    ASSERT_TRUE(clients.back());
    ASSERT_TRUE(clients.back()->read_one()); // the snapshot
    ASSERT_TRUE(clients.back()->got_snapshot());
  }
  for (auto& id : ids)
    ASSERT_EQ(f.command(id, "start"), 200);
  std::vector<std::thread> readers;
  std::vector<int> finished(clients.size(), 0);
  for (size_t i = 0; i < clients.size(); ++i)
    readers.emplace_back([&, i] {
      finished[i] = clients[i]->read_until("DraftCompleted", 60s);
    });
  for (auto& t : readers)
    t.join();
  for (size_t i = 0; i < clients.size(); ++i) {
    auto& c = *clients[i];
    auto& id = ids[i % drafts];
    EXPECT_TRUE(finished[i]) << "client " << i;
    EXPECT_EQ(applied(c), f.outbox(id)) << "client " << i;
    EXPECT_EQ(c.gaps(), 0);
    EXPECT_EQ(c.duplicates(), 0);
    // A pick on a 1 s clock ticks about once a second while it runs: at
    // most one tick a second of the draft's own timeline (its first to last
    // outbox commit, by the database's clock), whatever the test's pace.
    auto span = f.scalar("SELECT ceil(extract(epoch FROM max(created_at) - "
                         "min(created_at)))::bigint FROM draft_outbox WHERE "
                         "draft_id = '" + id + "'");
    EXPECT_GE(c.ticks(), 1) << "client " << i;
    EXPECT_LE(c.ticks(), span + 2) << "client " << i;
  }
  EXPECT_EQ(f.metric("gateway_connections"), drafts * per_draft);
}
