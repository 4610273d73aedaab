// The draft actor's rules as plain units (actors/draft/): the seq rule and
// gap reads, the frames kept for resumers, and delivery with replay pacing.
// No scheduler, no threads, no clock but the one each test passes in.

#include <chrono>
#include <memory>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actors/draft/event_sequencer.hpp"
#include "actors/draft/frame_history.hpp"
#include "actors/draft/subscriber_registry.hpp"
#include "actors/draft_state.hpp"
#include "draft_actor_support.hpp"

using namespace draft;
using namespace draft::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::int64_t> seqs_of(event_sequencer& s, std::int64_t& applied) {
  std::vector<std::int64_t> out;
  while (auto r = s.next(applied)) {
    out.push_back(r->seq);
    applied = r->seq;
  }
  return out;
}

TEST(event_sequencer, applies_in_order_and_drops_duplicates) {
  event_sequencer s;
  std::int64_t applied = 0;
  EXPECT_TRUE(s.offer(row(1), applied));
  EXPECT_TRUE(s.offer(row(2), applied));
  EXPECT_EQ(seqs_of(s, applied), (std::vector<std::int64_t>{1, 2}));
  EXPECT_FALSE(s.offer(row(2), applied)); // already applied
  EXPECT_FALSE(s.offer(row(1), applied));
  EXPECT_EQ(s.buffered(), 0u);
  EXPECT_FALSE(s.start_backfill(applied)); // no gap
}

TEST(event_sequencer, buffers_rows_after_a_gap_and_reads_the_gap_once) {
  event_sequencer s;
  std::int64_t applied = 1;
  s.offer(row(4), applied);
  s.offer(row(5), applied);
  EXPECT_TRUE(seqs_of(s, applied).empty());
  auto gap = s.start_backfill(applied);
  ASSERT_TRUE(gap);
  EXPECT_EQ(*gap, (seq_range{2, 3}));
  EXPECT_FALSE(s.start_backfill(applied)); // one read at a time
  s.offer(row(3), applied);                // a late live copy meanwhile
  s.backfill_done({row(2), row(3)});
  EXPECT_EQ(seqs_of(s, applied), (std::vector<std::int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(s.buffered(), 0u);
}

TEST(event_sequencer, a_failed_read_is_asked_again) {
  event_sequencer s;
  s.offer(row(3), 0);
  ASSERT_TRUE(s.start_backfill(0));
  s.backfill_failed();
  auto again = s.start_backfill(0);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, (seq_range{1, 2}));
}

TEST(event_sequencer, a_known_seq_beyond_the_buffer_is_read) {
  event_sequencer s;
  s.learn(7); // the owner is at 7; nothing buffered
  auto gap = s.start_backfill(4);
  ASSERT_TRUE(gap);
  EXPECT_EQ(*gap, (seq_range{5, 7}));
  s.backfill_done({row(5), row(6)}); // 7 not readable yet
  std::int64_t applied = 4;
  EXPECT_EQ(seqs_of(s, applied), (std::vector<std::int64_t>{5, 6}));
  EXPECT_EQ(*s.start_backfill(applied), (seq_range{7, 7}));
}

frame_history history_of(std::size_t limit, std::int64_t last) {
  frame_history h{limit};
  for (std::int64_t seq = 1; seq <= last; ++seq)
    h.push(encode_row(row(seq)));
  return h;
}

TEST(frame_history, keeps_the_last_n_frames) {
  auto h = history_of(3, 5);
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(h.front(6), 3);
  EXPECT_EQ(h.at(3)->seq, 3);
  EXPECT_EQ(h.at(5)->seq, 5);
  EXPECT_EQ(frame_history{3}.front(1), 1); // empty: the next seq
}

TEST(frame_history, rows_read_below_join_only_when_contiguous) {
  auto h = history_of(3, 6); // 4..6
  EXPECT_EQ(h.join_below({row(1), row(2)}, 7), 0u); // 3 is missing
  EXPECT_EQ(h.join_below({row(1), row(2), row(3)}, 7), 3u);
  EXPECT_EQ(h.front(7), 1);
  EXPECT_EQ(h.at(2)->seq, 2);
  EXPECT_EQ(h.at(5)->seq, 5);
  // While older frames are kept, frames leaving the history join them.
  h.push(encode_row(row(7)));
  EXPECT_EQ(h.front(8), 1);
  EXPECT_EQ(h.at(4)->seq, 4);
  h.drop_older();
  EXPECT_EQ(h.front(8), 5);
}

// A registry's subscribers need actor handles; these actors do nothing.
struct subscriber_registry_test : testing::Test {
  caf::actor_system_config config;
  caf::actor_system system{config};
  room_presence presence;
  caf::actor client = system.spawn(ignore_all);
  caf::actor other = system.spawn(ignore_all);
  std::shared_ptr<recording_sink> sink = std::make_shared<recording_sink>();
  subscriber_registry::clock::time_point t0{};

  void TearDown() override {
    caf::anon_send_exit(client, caf::exit_reason::kill);
    caf::anon_send_exit(other, caf::exit_reason::kill);
  }
};

TEST_F(subscriber_registry_test, live_frames_go_to_subscribers_right_before_them) {
  subscriber_registry r;
  auto late = std::make_shared<recording_sink>();
  EXPECT_TRUE(r.attach(client, sink, "team-a", true, presence));
  r.send_snapshot(client, encode_row(row(4)), 4);
  EXPECT_TRUE(r.attach(other, late, "", true, presence));
  r.send_snapshot(other, encode_row(row(2)), 2); // behind by one
  EXPECT_EQ(presence.local().viewers, 1);
  r.send_event(encode_row(row(5)));
  EXPECT_EQ(sink->frames(), (std::vector<std::int64_t>{4, 5}));
  EXPECT_EQ(late->frames(), (std::vector<std::int64_t>{2})); // not 5 after 2
  r.send_tick(encode_row(row(5)), 5);
  EXPECT_EQ(sink->frames().size(), 3u);
  EXPECT_EQ(late->frames().size(), 1u);
  EXPECT_TRUE(r.remove(other, presence));
  EXPECT_FALSE(r.remove(other, presence));
  EXPECT_EQ(presence.local().viewers, 0);
}

TEST_F(subscriber_registry_test, a_replay_goes_in_batches_and_then_live) {
  subscriber_registry r{4, 10s};
  auto memory = history_of(100, 10);
  r.attach(client, sink, "", false, presence);
  EXPECT_TRUE(r.begin_replay(client, 1, t0));
  EXPECT_EQ(r.step(client, memory, 10, t0), replay_step::more);
  EXPECT_EQ(sink->frames(), (std::vector<std::int64_t>{2, 3, 4, 5}));
  r.send_event(encode_row(row(11))); // not while catching up
  EXPECT_EQ(sink->frames().size(), 4u);
  // A resume meanwhile moves the cursor; no second replay starts.
  EXPECT_FALSE(r.begin_replay(client, 7, t0));
  EXPECT_EQ(r.step(client, memory, 10, t0), replay_step::finished);
  EXPECT_EQ(sink->frames(), (std::vector<std::int64_t>{2, 3, 4, 5, 8, 9, 10}));
  EXPECT_EQ(r.step(client, memory, 10, t0), replay_step::idle);
  r.send_event(encode_row(row(11)));
  EXPECT_EQ(sink->frames().back(), 11);
}

TEST_F(subscriber_registry_test, a_replay_waits_for_writes_and_closes_a_stalled_one) {
  subscriber_registry r{4, 10s};
  auto memory = history_of(100, 20);
  r.attach(client, sink, "", false, presence);
  sink->stuck(); // its queue stays full
  r.begin_replay(client, 0, t0);
  EXPECT_EQ(r.step(client, memory, 20, t0), replay_step::more);
  EXPECT_EQ(r.step(client, memory, 20, t0 + 5s), replay_step::wait);
  EXPECT_EQ(r.step(client, memory, 20, t0 + 10s), replay_step::wait);
  EXPECT_EQ(sink->closed_code(), 0); // not closed yet
  EXPECT_EQ(r.step(client, memory, 20, t0 + 10s + 1ms), replay_step::stalled);
  EXPECT_EQ(sink->closed_code(), 4008);
  EXPECT_EQ(sink->frames().size(), 4u);
}

TEST_F(subscriber_registry_test, a_replay_below_the_memory_waits_for_rows) {
  subscriber_registry r{4, 10s};
  auto memory = history_of(3, 10); // 8..10 in memory
  r.attach(client, sink, "", false, presence);
  r.attach(other, std::make_shared<recording_sink>(), "", false, presence);
  r.begin_replay(client, 2, t0);
  r.begin_replay(other, 5, t0);
  EXPECT_EQ(r.step(client, memory, 10, t0), replay_step::need_rows);
  EXPECT_EQ(r.step(other, memory, 10, t0), replay_step::need_rows);
  EXPECT_EQ(r.step(client, memory, 10, t0), replay_step::idle); // waiting
  EXPECT_EQ(r.lowest_wanted(), 3);
  EXPECT_EQ(memory.join_below({row(3), row(4), row(5), row(6), row(7)}, 11), 5u);
  EXPECT_EQ(r.take_waiting().size(), 2u);
  EXPECT_FALSE(r.lowest_wanted());
  EXPECT_EQ(r.step(client, memory, 10, t0), replay_step::more);
  EXPECT_EQ(sink->frames(), (std::vector<std::int64_t>{3, 4, 5, 6}));
}

} // namespace
