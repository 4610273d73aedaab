// The draft actor on CAF's deterministic test coordinator: every message is
// run by the test, on its thread, and time passes only when the test says
// so (advance_time). Covers what needs the actor rather than its rules
// (draft_parts_test.cpp): gap reads and their retry, replay stall, the
// owner/follower link across an owner's death, and the idle stop.

#include <chrono>
#include <memory>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

#include "actors/draft/event_sequencer.hpp"
#include "actors/draft_actor.hpp"
#include "actors/gateway_messages.hpp"
#include "actors/gateway_types.hpp"
#include "deterministic_support.hpp"
#include "draft_actor_support.hpp"

using namespace draft;
using namespace draft::test;
using namespace std::chrono_literals;

namespace {

// The database as the draft actor sees it: rows 1..rows_in_db; the next
// `fail` reads fail; every read is recorded.
struct database_script {
  std::int64_t rows_in_db = 0;
  int fail = 0;
  std::vector<seq_range> reads;
};

caf::behavior scripted_database(caf::event_based_actor*,
                                std::shared_ptr<database_script> script) {
  return {
    [=](fetch_atom, const std::string&, std::int64_t from,
        std::int64_t to) -> caf::result<std::vector<outbox_row>> {
      script->reads.push_back({from, to});
      if (script->fail > 0) {
        --script->fail;
        return caf::make_error(caf::sec::runtime_error, "database down");
      }
      std::vector<outbox_row> rows;
      for (auto s = from; s <= std::min(to, script->rows_in_db); ++s)
        rows.push_back(row(s));
      return rows;
    },
  };
}

// A node's membership actor, as far as a follower asks it: the draft actor
// of the draft on that node.
caf::behavior owner_node(caf::event_based_actor*,
                         std::shared_ptr<caf::actor> owner) {
  return {
    [=](caf::get_atom, const std::string&) {
      return *owner;
    },
  };
}

struct draft_actor_deterministic : deterministic_test {
  std::shared_ptr<database_script> db = std::make_shared<database_script>();

  draft_actor_config collaborators(std::string node_id) {
    draft_actor_config c;
    c.database = caf::actor_cast<database_api>(
      keep(system.spawn(scripted_database, db)));
    c.poller = caf::actor_cast<poller_api>(keep(system.spawn(ignore_all)));
    c.timer = caf::actor_cast<timer_api>(keep(system.spawn(ignore_all)));
    c.node_id = std::move(node_id);
    return c;
  }

  caf::actor spawn_draft(draft_actor_config c) {
    draft_load loaded;
    loaded.found = true;
    loaded.snapshot.draft_id = draft_id;
    loaded.snapshot.status = draft_status::paused;
    auto a = keep(caf::actor_cast<caf::actor>(
      spawn_draft_actor(system, c, draft_id, loaded)));
    sched.run();
    return a;
  }

  // A socket actor's part: subscribes `sink` to `draft` (-1: snapshot first).
  caf::actor subscribe(const caf::actor& draft, sink_ptr sink,
                       std::int64_t last_seq = -1) {
    auto client = keep(system.spawn([=](caf::event_based_actor* self) {
      self->send(draft, subscribe_atom::value, last_seq, sink, std::string{});
      return caf::behavior{[](caf::ok_atom) {}};
    }));
    sched.run();
    return client;
  }

  void events(const caf::actor& draft, std::initializer_list<std::int64_t> seqs) {
    for (auto seq : seqs)
      caf::anon_send(draft, event_atom::value, row(seq));
    sched.run();
  }
};

TEST_F(draft_actor_deterministic, reads_a_gap_once_and_delivers_in_order) {
  db->rows_in_db = 5;
  auto draft = spawn_draft(collaborators("n1"));
  auto sink = std::make_shared<recording_sink>();
  subscribe(draft, sink);
  // 4 opens a gap (2..3, read once); 3 and the repeats of 1 and 4 arrive
  // while the read is under way.
  events(draft, {1, 4, 3, 1, 4});
  EXPECT_EQ(sink->frames(), (std::vector<std::int64_t>{-1000, 1, 2, 3, 4}));
  ASSERT_EQ(db->reads.size(), 1u);
  EXPECT_EQ(db->reads[0], (seq_range{2, 3}));
  events(draft, {5});
  EXPECT_EQ(sink->frames().back(), 5);
  EXPECT_EQ(db->reads.size(), 1u);
}

TEST_F(draft_actor_deterministic, a_failed_gap_read_is_retried_a_second_later) {
  db->rows_in_db = 3;
  db->fail = 1;
  auto draft = spawn_draft(collaborators("n1"));
  auto sink = std::make_shared<recording_sink>();
  subscribe(draft, sink);
  events(draft, {1, 3});
  EXPECT_EQ(sink->frames(), (std::vector<std::int64_t>{-1000, 1}));
  EXPECT_EQ(db->reads.size(), 1u);
  sched.advance_time(1s);
  sched.run();
  ASSERT_EQ(db->reads.size(), 2u);
  EXPECT_EQ(db->reads[1], (seq_range{2, 2}));
  EXPECT_EQ(sink->frames(), (std::vector<std::int64_t>{-1000, 1, 2, 3}));
}

TEST_F(draft_actor_deterministic, a_replay_nobody_reads_is_closed_after_the_stall_time) {
  auto c = collaborators("n1");
  c.replay_batch = 4;
  c.replay_stall = 10s;
  auto draft = spawn_draft(c);
  events(draft, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  auto sink = std::make_shared<recording_sink>();
  sink->stuck(); // its queue stays full: nothing is written
  subscribe(draft, sink, 0);
  EXPECT_EQ(sink->frames(), (std::vector<std::int64_t>{1, 2, 3, 4}));
  auto waited = 0ms;
  while (waited < 9980ms) {
    sched.advance_time(20ms);
    sched.run();
    waited += 20ms;
  }
  EXPECT_EQ(sink->closed_code(), 0); // still within the stall time
  for (int i = 0; i < 3 && sink->closed_code() == 0; ++i) {
    sched.advance_time(20ms);
    sched.run();
  }
  EXPECT_EQ(sink->closed_code(), 4008);
  EXPECT_EQ(sink->frames().size(), 4u); // no more batches were sent
}

TEST_F(draft_actor_deterministic, resumers_on_one_lane_share_a_task_per_replay_round) {
  auto c = collaborators("n1");
  c.replay_batch = 4;
  auto draft = spawn_draft(c);
  events(draft, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  // Three connections of one lane and one of another resume at once.
  inline_lane lane, other_lane;
  std::vector<std::shared_ptr<recording_sink>> sinks;
  for (int i = 0; i < 3; ++i)
    sinks.push_back(std::make_shared<recording_sink>(lane));
  sinks.push_back(std::make_shared<recording_sink>(other_lane));
  for (auto& sink : sinks)
    caf::send_as(keep(system.spawn(ignore_all)), draft, subscribe_atom::value,
                 std::int64_t{0}, sink_ptr{sink}, std::string{});
  sched.run();
  std::vector<std::int64_t> all{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  for (auto& sink : sinks)
    EXPECT_EQ(sink->frames(), all);
  // Ten events in batches of four: three rounds, one task per lane each
  // (not one per connection).
  EXPECT_EQ(lane.posts, 3);
  EXPECT_EQ(other_lane.posts, 3);
  // Live again: the next event is one task per lane too.
  events(draft, {11});
  EXPECT_EQ(lane.posts, 4);
  for (auto& sink : sinks)
    EXPECT_EQ(sink->frames().back(), 11);
}

TEST_F(draft_actor_deterministic, a_follower_delivers_its_owners_events_and_refollows_a_new_owner) {
  auto owner = std::make_shared<caf::actor>(spawn_draft(collaborators("n1")));
  auto node = caf::actor_cast<membership_api>(keep(system.spawn(owner_node, owner)));
  auto follower = spawn_draft(collaborators("n2"));
  caf::anon_send(*owner, owner_atom::value, std::string{"n1"}, node);
  caf::anon_send(follower, owner_atom::value, std::string{"n1"}, node);
  sched.run();
  auto sink = std::make_shared<recording_sink>();
  subscribe(follower, sink);
  events(*owner, {1, 2});
  EXPECT_EQ(sink->frames(), (std::vector<std::int64_t>{-1000, 1, 2}));

  // The owner dies; n1 starts a new draft actor, one event behind the
  // follower (it resends 2). The follower follows it a second later.
  db->rows_in_db = 3;
  caf::anon_send_exit(*owner, caf::exit_reason::kill);
  sched.run();
  *owner = spawn_draft(collaborators("n1"));
  caf::anon_send(*owner, owner_atom::value, std::string{"n1"}, node);
  events(*owner, {1});
  sched.advance_time(1s);
  sched.run();
  events(*owner, {2, 3});
  EXPECT_EQ(sink->frames(), (std::vector<std::int64_t>{-1000, 1, 2, 3}));
}

TEST_F(draft_actor_deterministic, an_idle_draft_actor_stops_after_its_grace_period) {
  auto c = collaborators("n1");
  c.idle_grace = 30s;
  auto draft = spawn_draft(c);
  auto gone = watch(draft);
  auto client = subscribe(draft, std::make_shared<recording_sink>());
  sched.advance_time(30s);
  sched.run();
  EXPECT_FALSE(*gone); // a subscriber keeps it
  caf::anon_send_exit(client, caf::exit_reason::kill);
  sched.run();
  sched.advance_time(29s);
  sched.run();
  EXPECT_FALSE(*gone);
  sched.advance_time(1s);
  sched.run();
  EXPECT_TRUE(*gone);
}

} // namespace
