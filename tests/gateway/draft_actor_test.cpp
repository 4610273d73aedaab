// The draft actor in a real actor system, with a scripted database and a sink
// that records frames: strict seq order, gap backfill, duplicates, resume
// from hot history and from the database. Deterministic in outcome: every
// check waits for a state, never for a time.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <gtest/gtest.h>

#include "actors/actor_system_config.hpp"
#include "actors/draft_actor.hpp"
#include "actors/gateway_messages.hpp"
#include "protocol/json_codec.hpp"
#include "runtime/metrics.hpp"
#include "draft_actor_support.hpp"

using namespace draft;
using namespace draft::test;
using namespace std::chrono_literals;

namespace {

struct draft_actor_test : testing::Test {
  gateway_system_config config;
  caf::actor_system system{config};
  std::shared_ptr<std::atomic<int>> fetches = std::make_shared<std::atomic<int>>(0);
  std::vector<caf::actor> spawned;

  // The draft actor would otherwise wait out its idle grace period.
  void TearDown() override {
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::kill);
  }

  caf::actor spawn(std::size_t history, std::int64_t rows_in_db,
                   std::size_t replay_batch = 256,
                   std::chrono::milliseconds replay_stall = 10s) {
    draft_actor_config c;
    c.replay_batch = replay_batch;
    c.replay_stall = replay_stall;
    c.database = caf::actor_cast<database_api>(
      system.spawn(fake_database, rows_in_db, fetches));
    c.poller = silent<poller_api>(system);
    c.timer = silent<timer_api>(system);
    c.history_limit = history;
    // Untyped here: the tests also send as other actors (send_as).
    auto draft = caf::actor_cast<caf::actor>(spawn_draft_actor(system, c, draft_id));
    spawned.push_back(draft);
    caf::scoped_actor self{system};
    self->request(draft, 10s, ready_atom::value).receive([](caf::ok_atom) {},
                                                         [](caf::error&) {
                                                           ADD_FAILURE();
                                                         });
    return draft;
  }
};

} // namespace

TEST_F(draft_actor_test, applies_in_order_backfills_gaps_and_drops_duplicates) {
  auto draft = spawn(16, 5);
  auto sink = std::make_shared<recording_sink>();
  caf::scoped_actor client{system};
  client->send(draft, subscribe_atom::value, std::int64_t{-1}, sink_ptr{sink}, std::string{});
  EXPECT_EQ(sink->await(1), (std::vector<std::int64_t>{-1000})); // snapshot, seq 0
  client->send(draft, event_atom::value, row(1));
  client->send(draft, event_atom::value, row(4)); // 2 and 3 are missing
  client->send(draft, event_atom::value, row(3)); // arrives late
  client->send(draft, event_atom::value, row(1)); // a duplicate
  client->send(draft, event_atom::value, row(5));
  EXPECT_EQ(sink->await(6), (std::vector<std::int64_t>{-1000, 1, 2, 3, 4, 5}));
  EXPECT_GE(fetches->load(), 1); // the gap was fetched, not skipped
}

TEST_F(draft_actor_test, resumes_from_history_then_from_the_database) {
  auto draft = spawn(2, 6); // history holds only the last two frames
  caf::scoped_actor client{system};
  // A watcher (the client itself) subscribed before the rows: once it has
  // all six, the draft actor has applied them (one sender, in order).
  auto all = std::make_shared<recording_sink>();
  client->send(draft, subscribe_atom::value, std::int64_t{-1}, sink_ptr{all}, std::string{});
  for (std::int64_t s = 1; s <= 6; ++s)
    client->send(draft, event_atom::value, row(s));
  ASSERT_EQ(all->await(7), (std::vector<std::int64_t>{-1000, 1, 2, 3, 4, 5, 6}));
  int at_start = fetches->load();
  // Each connection has its own socket actor; a second subscribe from the
  // same actor would replace its first (that is how resume works).
  auto first = system.spawn(ignore_all), second = system.spawn(ignore_all);
  auto recent = std::make_shared<recording_sink>();
  caf::send_as(first, draft, subscribe_atom::value, std::int64_t{4},
               sink_ptr{recent}, std::string{});
  EXPECT_EQ(recent->await(2), (std::vector<std::int64_t>{5, 6}));
  // 5 and 6 were in the history: the first resume read nothing.
  EXPECT_EQ(fetches->load(), at_start);
  auto behind = std::make_shared<recording_sink>();
  int before = fetches->load();
  caf::send_as(second, draft, subscribe_atom::value, std::int64_t{1},
               sink_ptr{behind}, std::string{});
  EXPECT_EQ(behind->await(5), (std::vector<std::int64_t>{2, 3, 4, 5, 6}));
  EXPECT_GT(fetches->load(), before); // 2..4 came from the database
  // Live events continue for both, exactly once.
  client->send(draft, event_atom::value, row(7));
  EXPECT_EQ(behind->await(6), (std::vector<std::int64_t>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(recent->await(3), (std::vector<std::int64_t>{5, 6, 7}));
  // No late duplicate: one more live event comes right after 7 for both (a
  // copy sent after the awaited count would sit before it).
  client->send(draft, event_atom::value, row(8));
  EXPECT_EQ(behind->await(7), (std::vector<std::int64_t>{2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(recent->await(4), (std::vector<std::int64_t>{5, 6, 7, 8}));
  caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(second, caf::exit_reason::user_shutdown);
}

// Bounded replays: paced in batches, closed with 4008 when the connection
// stops reading, one at a time per connection, one query shared by many.

TEST_F(draft_actor_test, a_replay_to_a_client_that_does_not_read_is_closed_with_4008) {
  auto draft = spawn(64, 40, /*replay_batch=*/8, /*replay_stall=*/300ms);
  caf::scoped_actor client{system};
  for (std::int64_t s = 1; s <= 40; ++s)
    client->send(draft, event_atom::value, row(s));
  auto sink = std::make_shared<recording_sink>();
  sink->stuck(); // writes nothing from now on
  auto socket = system.spawn(ignore_all);
  caf::send_as(socket, draft, subscribe_atom::value, std::int64_t{0},
               sink_ptr{sink}, std::string{});
  EXPECT_EQ(sink->await_close(), 4008);
  // Back-pressure: one batch went out, not the whole replay.
  EXPECT_EQ(sink->frames(), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  caf::anon_send_exit(socket, caf::exit_reason::user_shutdown);
}

TEST_F(draft_actor_test, a_paced_replay_reaches_a_reading_client_in_full_then_live) {
  auto draft = spawn(64, 40, /*replay_batch=*/8);
  caf::scoped_actor client{system};
  for (std::int64_t s = 1; s <= 40; ++s)
    client->send(draft, event_atom::value, row(s));
  auto sink = std::make_shared<recording_sink>();
  auto socket = system.spawn(ignore_all);
  caf::send_as(socket, draft, subscribe_atom::value, std::int64_t{0},
               sink_ptr{sink}, std::string{});
  std::vector<std::int64_t> all;
  for (std::int64_t s = 1; s <= 40; ++s)
    all.push_back(s);
  EXPECT_EQ(sink->await(40), all);
  client->send(draft, event_atom::value, row(41));
  all.push_back(41);
  EXPECT_EQ(sink->await(41), all);
  caf::anon_send_exit(socket, caf::exit_reason::user_shutdown);
}

TEST_F(draft_actor_test, a_resume_during_a_replay_moves_it_and_starts_no_second_one) {
  auto draft = spawn(64, 40, /*replay_batch=*/8, /*replay_stall=*/60s);
  caf::scoped_actor client{system};
  for (std::int64_t s = 1; s <= 40; ++s)
    client->send(draft, event_atom::value, row(s));
  auto sink = std::make_shared<recording_sink>();
  sink->stuck();
  auto socket = system.spawn(ignore_all);
  caf::send_as(socket, draft, subscribe_atom::value, std::int64_t{0},
               sink_ptr{sink}, std::string{});
  EXPECT_EQ(sink->await(8).size(), 8u); // the first batch, then it waits
  // The client resumes from 30 while the replay waits: no new replay starts
  // (nothing is sent while the connection is still full)...
  caf::send_as(socket, draft, subscribe_atom::value, std::int64_t{30},
               sink_ptr{sink}, std::string{});
  caf::scoped_actor probe{system};
  probe->request(draft, 10s, status_atom::value).receive([](actor_status) {},
                                                         [](caf::error&) {});
  EXPECT_EQ(sink->frames().size(), 8u);
  // ...and once it drains, the one replay goes on from the new cursor.
  sink->unstick();
  std::vector<std::int64_t> want{1, 2, 3, 4, 5, 6, 7, 8};
  for (std::int64_t s = 31; s <= 40; ++s)
    want.push_back(s);
  EXPECT_EQ(sink->await(want.size()), want);
  caf::anon_send_exit(socket, caf::exit_reason::user_shutdown);
}

TEST_F(draft_actor_test, concurrent_resumers_share_one_database_read) {
  auto draft = spawn(4, 200); // history: the last 4 events only
  caf::scoped_actor client{system};
  for (std::int64_t s = 1; s <= 200; ++s)
    client->send(draft, event_atom::value, row(s));
  // Let the live rows settle (a state request is answered after them).
  client->request(draft, 10s, status_atom::value).receive([](actor_status) {},
                                                          [](caf::error&) {});
  int before = fetches->load();
  std::vector<std::shared_ptr<recording_sink>> sinks;
  std::vector<caf::actor> sockets;
  for (int i = 0; i < 20; ++i) {
    sinks.push_back(std::make_shared<recording_sink>());
    sockets.push_back(system.spawn(ignore_all));
    caf::send_as(sockets.back(), draft, subscribe_atom::value,
                 std::int64_t{10 + i}, sink_ptr{sinks.back()}, std::string{});
  }
  for (int i = 0; i < 20; ++i) {
    auto got = sinks[i]->await(static_cast<std::size_t>(190 - i));
    ASSERT_EQ(got.size(), static_cast<std::size_t>(190 - i));
    EXPECT_EQ(got.front(), 11 + i);
    EXPECT_EQ(got.back(), 200);
  }
  // Rows 11..196 were read once for all twenty.
  EXPECT_EQ(fetches->load() - before, 1);
  for (auto& s : sockets)
    caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
}

// Least authority across nodes: a row from another node is applied only if
// it comes from the owner this draft actor follows. A second actor system
// in this process, connected over the middleman, plays a cluster member
// that is not the owner and sends the draft actor a row.
TEST_F(draft_actor_test, a_row_from_another_node_that_is_not_the_owner_is_refused) {
  auto draft = spawn(16, 5);
  auto sink = std::make_shared<recording_sink>();
  caf::scoped_actor local{system};
  local->send(draft, subscribe_atom::value, std::int64_t{-1}, sink_ptr{sink}, std::string{});
  ASSERT_EQ(sink->await(1).size(), 1u); // the snapshot
  auto port = system.middleman().publish(draft, 0, "127.0.0.1");
  ASSERT_TRUE(port) << system.render(port.error());
  gateway_system_config other_config;
  caf::actor_system other{other_config};
  auto remote = other.middleman().remote_actor("127.0.0.1", *port);
  ASSERT_TRUE(remote) << other.render(remote.error());
  auto refused = [] {
    auto text = default_metrics().render();
    auto line = std::string("gateway_cluster_refused_total{reason=\"event_not_from_owner\"} ");
    auto at = text.find(line);
    return at == std::string::npos ? 0.0 : std::stod(text.substr(at + line.size()));
  };
  double before = refused();
  {
    caf::scoped_actor stranger{other};
    stranger->send(*remote, event_atom::value, row(1));
  }
  for (int i = 0; i < 100 && refused() <= before; ++i)
    std::this_thread::sleep_for(50ms);
  EXPECT_GT(refused(), before);
  local->request(draft, 10s, status_atom::value)
    .receive([](const actor_status& st) { EXPECT_EQ(st.details.at("last_seq"), "0"); },
             [](caf::error&) { ADD_FAILURE(); });
  EXPECT_EQ(sink->frames().size(), 1u); // nothing was delivered
  // A local row (the poller's path) is still applied, and it is seq 1: the
  // remote one was not.
  local->send(draft, event_atom::value, row(1));
  EXPECT_EQ(sink->await(2), (std::vector<std::int64_t>{-1000, 1}));
  system.middleman().unpublish(draft, *port);
}

// Presence: the owner counts its connections per team and viewers, adds what
// its followers report, and publishes the room to every subscriber (and in
// each later snapshot). A report from an actor that does not follow it is
// ignored.
TEST_F(draft_actor_test, publishes_who_is_in_the_room_with_the_followers_reports) {
  auto draft = spawn(16, 0);
  caf::scoped_actor directory{system};
  directory->send(draft, owner_atom::value, std::string("n1"), membership_api{});
  const std::string team_a = "aaaaaaaa-0000-4000-8000-000000000001";
  auto watcher = std::make_shared<recording_sink>();
  std::vector<caf::actor> sockets;
  auto join = [&](const std::shared_ptr<recording_sink>& sink, std::string team) {
    sockets.push_back(system.spawn(ignore_all));
    caf::send_as(sockets.back(), draft, subscribe_atom::value, std::int64_t{-1},
                 sink_ptr{sink}, std::move(team));
  };
  join(watcher, "");
  join(std::make_shared<recording_sink>(), team_a);
  join(std::make_shared<recording_sink>(), team_a);
  auto two_of_a = watcher->await_presence([&](const std::string& text) {
    return text.find("{\"team_id\":\"" + team_a + "\",\"connections\":2}") != std::string::npos
           && text.find("\"viewers\":1") != std::string::npos;
  });
  ASSERT_FALSE(two_of_a.empty());

  // A follower on another node reports 3 viewers and one of team B.
  const std::string team_b = "bbbbbbbb-0000-4000-8000-000000000002";
  auto follower = system.spawn(ignore_all);
  sockets.push_back(follower);
  caf::scoped_actor probe{system};
  caf::send_as(follower, draft, follow_atom::value, std::int64_t{0});
  presence_counts remote;
  remote.teams[team_b] = 1;
  remote.viewers = 3;
  caf::send_as(follower, draft, presence_atom::value, remote);
  // The same report from an actor that is not a follower counts for nothing.
  auto stranger = system.spawn(ignore_all);
  sockets.push_back(stranger);
  presence_counts forged;
  forged.viewers = 1000;
  caf::send_as(stranger, draft, presence_atom::value, forged);
  auto with_follower = watcher->await_presence([&](const std::string& text) {
    return text.find(team_b) != std::string::npos;
  });
  ASSERT_FALSE(with_follower.empty());
  EXPECT_NE(with_follower.find("\"viewers\":4"), std::string::npos) << with_follower;

  // A newcomer's snapshot carries the room as last published.
  auto late = std::make_shared<recording_sink>();
  join(late, "");
  ASSERT_EQ(late->await(1).size(), 1u);
  auto snapshot = late->snapshots().at(0);
  EXPECT_NE(snapshot.find("\"presence\":{\"teams\":[{\"team_id\":\"" + team_a
                          + "\",\"connections\":2},{\"team_id\":\"" + team_b
                          + "\",\"connections\":1}],\"viewers\":4}"),
            std::string::npos)
    << snapshot;

  // The follower goes away: its report leaves the room.
  caf::send_as(follower, draft, unfollow_atom::value);
  auto without_follower = watcher->await_presence([&](const std::string& text) {
    return text.find(team_b) == std::string::npos && text.find("\"viewers\":2") != std::string::npos;
  });
  EXPECT_FALSE(without_follower.empty());
  for (auto& s : sockets)
    caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
}
