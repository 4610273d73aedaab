// The draft actor in a real actor system, with a scripted database and a sink
// that records frames: strict seq order, gap backfill, duplicates, resume
// from hot history and from the database. Deterministic in outcome: every
// check waits for a state, never for a time.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actors/actor_system_config.hpp"
#include "actors/draft_actor.hpp"
#include "actors/gateway_messages.hpp"
#include "protocol/json_codec.hpp"

using namespace draft;
using namespace std::chrono_literals;

namespace {

const std::string draft_id = "6e0f5d4c-3b2a-4198-8776-655443322110";
const std::string pick_id = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

outbox_row row(std::int64_t seq) {
  event_payload p = seq % 2
                      ? event_payload{draft_paused_payload{draft_id, 0, pick_id, 1, 30}}
                      : event_payload{draft_resumed_payload{draft_id, 0, pick_id, 1}};
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012lld",
                static_cast<long long>(seq));
  return {draft_id, seq, id, static_cast<event_type>(p.index()), 1'000'000 * seq,
          json::encode_payload(p), ""};
}

// Runs posted work at once, on the caller's thread.
class inline_lane : public socket_lane {
public:
  void post(std::function<void()> work) override { work(); }
};

// Records the seq of every frame it is given (snapshots as -seq-1000).
class recording_sink : public socket_sink {
public:
  socket_lane& lane() override { return lane_; }
  void send(frame_ptr f, bool) override { record(f); }
  void send_on_lane(const frame_ptr& f, bool) override { record(f); }
  void close(std::uint16_t, std::string) override {}

  // Waits until `n` frames arrived (or 10 s), then returns them.
  std::vector<std::int64_t> await(size_t n) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return seqs_.size() >= n; });
    return seqs_;
  }

private:
  void record(const frame_ptr& f) {
    std::lock_guard<std::mutex> guard(mutex_);
    bool snapshot = f->text.find("\"type\":\"StateSnapshot\"") != std::string::npos;
    seqs_.push_back(snapshot ? -1000 - f->seq : f->seq);
    changed_.notify_all();
  }

  inline_lane lane_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::int64_t> seqs_;
};

// A database with outbox rows 1..`last` and counts of fetches.
caf::behavior fake_database(caf::event_based_actor*, std::int64_t last,
                            std::shared_ptr<std::atomic<int>> fetches) {
  return {
    [](load_atom, const std::string& id) {
      draft_load l;
      l.found = true;
      l.snapshot.draft_id = id;
      l.snapshot.status = draft_status::paused;
      return l;
    },
    [=](fetch_atom, const std::string&, std::int64_t from, std::int64_t to) {
      ++*fetches;
      std::vector<outbox_row> rows;
      for (auto s = from; s <= std::min(to, last); ++s)
        rows.push_back(row(s));
      return rows;
    },
  };
}

// Accepts anything and answers nothing (a silent poller, timer or client).
caf::behavior ignore_all(caf::event_based_actor* self) {
  self->set_default_handler(
    [](caf::scheduled_actor*, caf::message_view&) -> caf::result<caf::message> {
      return caf::message{};
    });
  return {[](caf::ok_atom) {}};
}

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

  caf::actor spawn(std::size_t history, std::int64_t rows_in_db) {
    draft_actor_config c;
    c.database = system.spawn(fake_database, rows_in_db, fetches);
    c.poller = system.spawn(ignore_all);
    c.timer = system.spawn(ignore_all);
    c.history_limit = history;
    auto draft = spawn_draft_actor(system, c, draft_id);
    spawned.push_back(draft);
    caf::scoped_actor self{system};
    self->request(draft, 10s, ready_atom::value).receive([](caf::actor) {},
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
  client->send(draft, subscribe_atom::value, std::int64_t{-1}, sink_ptr{sink});
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
  for (std::int64_t s = 1; s <= 6; ++s)
    client->send(draft, event_atom::value, row(s));
  // Each connection has its own socket actor; a second subscribe from the
  // same actor would replace its first (that is how resume works).
  auto first = system.spawn(ignore_all), second = system.spawn(ignore_all);
  auto recent = std::make_shared<recording_sink>();
  caf::send_as(first, draft, subscribe_atom::value, std::int64_t{4},
               sink_ptr{recent});
  EXPECT_EQ(recent->await(2), (std::vector<std::int64_t>{5, 6}));
  auto behind = std::make_shared<recording_sink>();
  int before = fetches->load();
  caf::send_as(second, draft, subscribe_atom::value, std::int64_t{1},
               sink_ptr{behind});
  EXPECT_EQ(behind->await(5), (std::vector<std::int64_t>{2, 3, 4, 5, 6}));
  EXPECT_GT(fetches->load(), before); // 2..4 came from the database
  // Live events continue for both, exactly once.
  client->send(draft, event_atom::value, row(7));
  EXPECT_EQ(behind->await(6), (std::vector<std::int64_t>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(recent->await(3), (std::vector<std::int64_t>{5, 6, 7}));
  caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(second, caf::exit_reason::user_shutdown);
}
