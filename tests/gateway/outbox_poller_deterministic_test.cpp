// The outbox poller on CAF's deterministic test coordinator, over a scripted
// outbox (actors/outbox_source.hpp): what it reads for whom, in which order
// it routes, and when — a wake-up polls only its draft, a full batch polls
// again, a failure waits for the next round, the fallback round polls only
// drafts nothing polled for an interval. No sleeps: time passes when the
// test says so.

#include <map>
#include <memory>
#include <stdexcept>

#include "actors/outbox_poller.hpp"
#include "deterministic_support.hpp"
#include "draft_actor_support.hpp"

using namespace draft;
using namespace draft::test;
using namespace std::chrono_literals;

namespace {

const std::string other_id = "0d1c2b3a-4f5e-4a6b-9c8d-7e6f5a4b3c2d";

// An outbox with rows 1..n per draft; records what each read asked for.
struct scripted_outbox : outbox_source {
  std::map<std::string, std::int64_t> rows;  // draft -> last seq written
  std::vector<std::vector<draft_cursor>> reads;
  int fail = 0;                               // the next reads that fail

  std::vector<outbox_row> rows_after(const std::vector<draft_cursor>& cursors,
                                     int limit) override {
    reads.push_back(cursors);
    if (fail > 0) {
      --fail;
      throw std::runtime_error("database down");
    }
    std::vector<outbox_row> out;
    for (auto& c : cursors)
      for (auto s = c.after + 1; s <= rows[c.draft_id]; ++s) {
        auto r = row(s);
        r.draft_id = c.draft_id;
        if (static_cast<int>(out.size()) < limit)
          out.push_back(std::move(r));
      }
    return out;
  }
};

// A draft actor as the poller sees it: records the seqs routed to it.
caf::behavior recording_draft(caf::event_based_actor*,
                              std::shared_ptr<std::vector<std::int64_t>> seqs) {
  return {[=](event_atom, const outbox_row& r) { seqs->push_back(r.seq); }};
}

struct outbox_poller_deterministic : deterministic_test {
  std::shared_ptr<scripted_outbox> outbox = std::make_shared<scripted_outbox>();
  std::shared_ptr<outbox_wakeups> wakeups = std::make_shared<outbox_wakeups>();
  poller_api poller;

  void start(int batch_size = 100) {
    outbox_poller_config c;
    c.fallback_interval = 1s;
    c.batch_size = batch_size;
    poller = keep(spawn_outbox_poller(system, c, outbox, wakeups));
    sched.run();
  }

  // Registers a recording draft actor for `id` from `last_seq`.
  std::shared_ptr<std::vector<std::int64_t>> watch_draft(const std::string& id,
                                                         std::int64_t last_seq = 0) {
    auto seqs = std::make_shared<std::vector<std::int64_t>>();
    auto actor = caf::actor_cast<draft_actor_api>(
      keep(system.spawn(recording_draft, seqs)));
    caf::anon_send(poller, register_atom::value, id, last_seq, actor);
    sched.run();
    return seqs;
  }

  std::vector<std::string> drafts_read(std::size_t read) const {
    std::vector<std::string> ids;
    for (auto& c : outbox->reads.at(read))
      ids.push_back(c.draft_id);
    return ids;
  }

  using seqs = std::vector<std::int64_t>;
};

TEST_F(outbox_poller_deterministic, a_registered_draft_is_read_from_its_load_point) {
  start();
  outbox->rows[draft_id] = 5;
  auto routed = watch_draft(draft_id, 3);
  ASSERT_EQ(outbox->reads.size(), 1u);
  EXPECT_EQ(outbox->reads[0][0].after, 3);
  EXPECT_EQ(*routed, (seqs{4, 5}));
}

TEST_F(outbox_poller_deterministic, a_wake_up_reads_only_its_draft_after_its_cursor) {
  start();
  auto first = watch_draft(draft_id);
  auto second = watch_draft(other_id);
  auto reads_before = outbox->reads.size();
  outbox->rows[draft_id] = 2;
  outbox->rows[other_id] = 1; // committed, but no wake-up names it yet
  wakeups->request_poll(draft_id);
  sched.run();
  ASSERT_EQ(outbox->reads.size(), reads_before + 1);
  EXPECT_EQ(drafts_read(reads_before), (std::vector<std::string>{draft_id}));
  EXPECT_EQ(*first, (seqs{1, 2}));
  EXPECT_TRUE(second->empty());
  // The next wake-up reads after the cursor: nothing twice.
  outbox->rows[draft_id] = 3;
  wakeups->request_poll(draft_id);
  sched.run();
  EXPECT_EQ(outbox->reads.back()[0].after, 2);
  EXPECT_EQ(*first, (seqs{1, 2, 3}));
}

TEST_F(outbox_poller_deterministic, a_burst_of_wake_ups_is_one_read) {
  start();
  watch_draft(draft_id);
  watch_draft(other_id);
  auto reads_before = outbox->reads.size();
  for (int i = 0; i < 5; ++i) {
    wakeups->request_poll(draft_id);
    wakeups->request_poll(other_id);
  }
  sched.run();
  ASSERT_EQ(outbox->reads.size(), reads_before + 1);
  EXPECT_EQ(outbox->reads.back().size(), 2u);
}

TEST_F(outbox_poller_deterministic, a_full_batch_is_read_again_until_caught_up) {
  start(2);
  auto routed = watch_draft(draft_id);
  outbox->rows[draft_id] = 5;
  auto reads_before = outbox->reads.size();
  wakeups->request_poll(draft_id);
  sched.run();
  EXPECT_EQ(*routed, (seqs{1, 2, 3, 4, 5}));
  EXPECT_EQ(outbox->reads.size(), reads_before + 3); // 1-2, 3-4, 5
}

TEST_F(outbox_poller_deterministic, a_failed_read_is_left_to_the_next_round) {
  start();
  auto routed = watch_draft(draft_id);
  outbox->rows[draft_id] = 2;
  outbox->fail = 1;
  wakeups->request_poll(draft_id);
  sched.run();
  EXPECT_TRUE(routed->empty());
  pass(1s); // the fallback round reads it
  EXPECT_EQ(*routed, (seqs{1, 2}));
}

TEST_F(outbox_poller_deterministic, the_fallback_round_reads_only_drafts_not_polled_for_an_interval) {
  start();
  auto first = watch_draft(draft_id);
  auto second = watch_draft(other_id);
  pass(600ms);
  outbox->rows[draft_id] = 1;
  outbox->rows[other_id] = 1;
  wakeups->request_poll(draft_id); // polled 400 ms before the round
  sched.run();
  auto reads_before = outbox->reads.size();
  pass(400ms); // the round at 1 s: only the draft no wake-up polled
  ASSERT_EQ(outbox->reads.size(), reads_before + 1);
  EXPECT_EQ(drafts_read(reads_before), (std::vector<std::string>{other_id}));
  EXPECT_EQ(*second, (seqs{1}));
  // A lost wake-up: the next round finds the row anyway.
  outbox->rows[draft_id] = 2;
  pass(1s);
  EXPECT_EQ(*first, (seqs{1, 2}));
}

TEST_F(outbox_poller_deterministic, an_unregistered_draft_is_no_longer_read) {
  start();
  auto routed = watch_draft(draft_id);
  caf::anon_send(poller, unregister_atom::value, draft_id);
  sched.run();
  outbox->rows[draft_id] = 1;
  auto reads_before = outbox->reads.size();
  wakeups->request_poll(draft_id);
  pass(1s);
  EXPECT_EQ(outbox->reads.size(), reads_before);
  EXPECT_TRUE(routed->empty());
}

} // namespace
