// The pick clock: drafts played by autopick alone, in-process, with two
// pick clocks competing for the same overdue slots as two instances would.

#include <atomic>
#include <memory>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "orchestrator_fixture.hpp"
#include "pick_clock.hpp"

using namespace draft;
using namespace draft::testing;
using namespace std::chrono_literals;

namespace {

int open_drafts(const std::string& url) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec1("SELECT count(*) FROM drafts WHERE status <> 'COMPLETED'")[0]
    .as<int>();
}

// Runs `clocks` pick clocks, each with its own connections like another
// instance, until every draft completed or `limit` passed. They are never
// woken: each finds the next timeout by itself (at most a second apart).
void run_clocks(orchestrator_fixture& f, int clocks, std::chrono::seconds limit) {
  std::vector<std::unique_ptr<connection_pool>> pools;
  std::vector<std::unique_ptr<draft_commands>> commands;
  std::vector<std::unique_ptr<pick_clock>> running;
  for (int i = 0; i < clocks; ++i) {
    pools.push_back(std::make_unique<connection_pool>(f.url()));
    commands.push_back(std::make_unique<draft_commands>(*pools.back()));
    running.push_back(std::make_unique<pick_clock>(*commands.back(), 1s));
  }
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (open_drafts(f.url()) > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(200ms); // polls the database: a wait on it
  running.clear();
}

} // namespace

TEST(autopick, fifty_drafts_complete_on_autopick_alone) {
  orchestrator_fixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    auto created = f.create(i % 2 ? "linear" : "snake", 2, 2, 1);
    ids.push_back(created["draft_id"].GetString());
  }
  for (auto& id : ids)
    ASSERT_EQ(f.call("POST", "/api/drafts/" + id + "/start", "",
                     commissioner_token())
                .status,
              200);
  run_clocks(f, 2, 90s);
  ASSERT_EQ(open_drafts(f.url()), 0);
  for (auto& id : ids)
    EXPECT_EQ(outbox_problems(f.url(), id), std::vector<std::string>{}) << id;
  pqxx::connection c(f.url());
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM picks WHERE NOT auto_picked")[0]
              .as<int>(),
            0);
  // Autopick takes the best-ranked available player: rank 1 goes first.
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM picks p JOIN players pl ON pl.id = "
                     "p.player_id WHERE p.overall_pick = 1 AND pl.rank <> 1")[0]
              .as<int>(),
            0);
}

TEST(autopick, a_paused_draft_is_not_autopicked) {
  orchestrator_fixture f;
  auto id = std::string(f.create("snake", 2, 1, 1)["draft_id"].GetString());
  f.call("POST", "/api/drafts/" + id + "/start", "", commissioner_token());
  f.call("POST", "/api/drafts/" + id + "/pause", "", commissioner_token());
  f.expire_current_pick(id); // a pause keeps picks.timeout_at as it was
  EXPECT_FALSE(f.commands().autopick_one_overdue());
  f.call("POST", "/api/drafts/" + id + "/resume", "", commissioner_token());
  run_clocks(f, 1, 30s);
  EXPECT_EQ(outbox_problems(f.url(), id), std::vector<std::string>{});
}
