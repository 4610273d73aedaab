// The draft-room rules seen through a real gateway: undos, a clock change and
// a reopened draft reach a watcher in order, and the board it builds from the
// events equals the gateway's state and picks APIs.

#include <map>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "gateway_fixture.hpp"
#include "protocol/json_codec.hpp"
#include "support/http_client.hpp"

using namespace draft;
using namespace draft::testing;
using namespace std::chrono_literals;

namespace {

// What a client keeps of a draft, built from events alone.
struct board {
  std::string status = "NOT_STARTED";
  std::map<int, std::string> players; // overall pick -> player id
  std::string on_clock;               // pick id, "" if none
};

board board_of(const draft_listener& watcher) {
  board b;
  for (auto& seen : watcher.events()) {
    auto event = json::decode_event(seen.text);
    EXPECT_TRUE(event) << seen.text;
    if (!event)
      continue;
    std::visit(
      [&](const auto& p) {
        using type = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<type, draft_started_payload>
                      || std::is_same_v<type, draft_resumed_payload>) {
          b.status = "IN_PROGRESS";
        } else if constexpr (std::is_same_v<type, draft_paused_payload>) {
          b.status = "PAUSED";
        } else if constexpr (std::is_same_v<type, pick_started_payload>) {
          b.on_clock = p.pick_id;
        } else if constexpr (std::is_same_v<type, pick_made_payload>) {
          b.players[p.overall_pick] = p.player_id;
          b.on_clock.clear();
        } else if constexpr (std::is_same_v<type, pick_undone_payload>) {
          b.players.erase(p.overall_pick);
          b.on_clock.clear();
        } else if constexpr (std::is_same_v<type, draft_completed_payload>) {
          b.status = "COMPLETED";
          b.on_clock.clear();
        }
      },
      event->data);
  }
  return b;
}

// The same board from the gateway's REST API: /state plus every /picks page.
board board_from_api(gateway_fixture& f, const std::string& id) {
  auto token = reader_token("auditor");
  board b;
  auto state = http_call(f.gateway_port(), "GET", "/api/drafts/" + id + "/state",
                         "", token);
  EXPECT_EQ(state.status, 200) << state.body;
  rapidjson::Document doc;
  doc.Parse(state.body.c_str());
  b.status = doc["status"].GetString();
  if (doc["current_pick"].IsObject())
    b.on_clock = doc["current_pick"]["pick_id"].GetString();
  auto completed = doc["completed_picks"].GetInt();
  std::string cursor;
  do {
    auto page = http_call(f.gateway_port(), "GET",
                          "/api/drafts/" + id + "/picks?limit=4"
                            + (cursor.empty() ? "" : "&cursor=" + cursor),
                          "", token);
    EXPECT_EQ(page.status, 200) << page.body;
    rapidjson::Document picks;
    picks.Parse(page.body.c_str());
    for (auto& p : picks["picks"].GetArray())
      b.players[p["overall_pick"].GetInt()] = p["player_id"].GetString();
    cursor = picks["next_cursor"].IsNull() ? "" : picks["next_cursor"].GetString();
  } while (!cursor.empty());
  EXPECT_EQ(static_cast<int>(b.players.size()), completed);
  return b;
}

void expect_same(const board& a, const board& b, const char* when) {
  EXPECT_EQ(a.status, b.status) << when;
  EXPECT_EQ(a.players, b.players) << when;
  EXPECT_EQ(a.on_clock, b.on_clock) << when;
}

int post(gateway_fixture& f, const std::string& id, const std::string& action,
         const std::string& body) {
  auto res = http_call(f.orchestrator_port(), "POST",
                       "/api/drafts/" + id + "/" + action, body, commissioner());
  EXPECT_LT(res.status, 300) << action << ": " << res.body;
  return res.status;
}

// Reads until the watcher has applied the whole outbox.
void catch_up(gateway_fixture& f, draft_listener& watcher, const std::string& id) {
  auto outbox = f.outbox(id);
  ASSERT_FALSE(outbox.empty());
  ASSERT_TRUE(watcher.read_until_seq(outbox.back().first, 20s))
    << "at seq " << watcher.last_seq() << " of " << outbox.back().first;
}

} // namespace

TEST(gateway_draft_room, undos_and_a_reopened_draft_reach_every_watcher_in_order) {
  gateway_fixture f;
  auto id = f.create_draft(3, 2, 600);
  auto watcher = f.open(id, "watcher");
  ASSERT_TRUE(watcher);
  ASSERT_EQ(f.command(id, "start"), 200);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(f.pick_best(id), 201);
  post(f, id, "undo", "");
  post(f, id, "undo", "");
  post(f, id, "clock", R"({"remaining_sec":300,"time_per_pick_sec":400})");
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(f.pick_best(id), 201);
  catch_up(f, *watcher, id);
  expect_same(board_of(*watcher), board_from_api(f, id), "after two undos");
  EXPECT_EQ(board_of(*watcher).players.size(), 3u);

  // To the end, then undo the last pick: the draft reopens.
  while (f.pick_best(id) == 201)
    ;
  post(f, id, "undo", "");
  catch_up(f, *watcher, id);
  auto reopened = board_of(*watcher);
  EXPECT_EQ(reopened.status, "IN_PROGRESS");
  EXPECT_EQ(reopened.players.size(), 5u);
  expect_same(reopened, board_from_api(f, id), "reopened");
  // A client that joins now starts from a snapshot that agrees.
  auto late = f.open(id, "late");
  ASSERT_TRUE(late);
  ASSERT_TRUE(late->read_one(10s));
  EXPECT_TRUE(late->got_snapshot());
  EXPECT_EQ(late->last_seq(), f.outbox(id).back().first);

  ASSERT_EQ(f.pick_best(id), 201);
  catch_up(f, *watcher, id);
  ASSERT_TRUE(late->read_until_seq(f.outbox(id).back().first, 20s));
  expect_same(board_of(*watcher), board_from_api(f, id), "completed again");
  EXPECT_EQ(board_of(*watcher).status, "COMPLETED");
  EXPECT_EQ(applied(*watcher), f.outbox(id));
  EXPECT_EQ(watcher->gaps(), 0);
  EXPECT_EQ(watcher->duplicates(), 0);
  EXPECT_EQ(late->gaps(), 0);
}
