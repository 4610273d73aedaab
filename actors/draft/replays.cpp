// The draft actor's replays (draft/subscriber_registry.hpp says how they are
// paced): each step, the shared read of rows below the memory, and keeping
// those rows a while for a reconnect storm.

#include "actors/draft/draft_actor_state.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "actors/gateway_messages.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"

namespace draft::draft_impl {

using namespace std::chrono_literals;

namespace {

void finish_replay(self_ptr self) {
  // Keep the rows read for resumers a while: a reconnect storm shares them.
  self->state.older_used_at = self->clock().now();
  if (self->state.memory.has_older())
    self->delayed_send(self, self->state.config.replay_stall, trim_atom::value);
}

// Stops the socket actors of the replays waiting for rows (their clients
// are closed with 1011 and resume later).
void stop_waiting(const std::vector<caf::actor>& waiting) {
  for (auto& to : waiting)
    caf::anon_send_exit(to, caf::exit_reason::user_shutdown);
}

// Reads the rows just below what is in memory, for every subscriber that
// waits for them: one query at a time, shared by all.
void fetch_older(self_ptr self) {
  auto& st = self->state;
  auto wanted = st.subscribers.lowest_wanted();
  if (st.fetching || !wanted)
    return;
  auto until = st.memory.front(st.model.last_seq() + 1) - 1;
  if (*wanted > until)
    return;
  // At most a few batches of rows per query, the newest first (they join
  // the memory from below); the next query reads further back if needed.
  auto from = std::max(*wanted, until - static_cast<std::int64_t>(
                                          st.config.replay_batch) * 4 + 1);
  st.fetching = true;
  static auto& reads = default_metrics().get_counter("gateway_replay_queries_total",
                              "Queries for replays older than the history "
                              "(one serves every resumer of its range).");
  reads.inc();
  self
    ->request(st.config.database, 30s, fetch_atom::value, st.model.draft_id(),
              from, until)
    .then(
      [=](const std::vector<outbox_row>& rows) {
        auto& st = self->state;
        st.fetching = false;
        auto joined = st.memory.join_below(rows, st.model.last_seq() + 1);
        auto waiting = st.subscribers.take_waiting();
        if (joined == 0) {
          // The rows right below the memory are not there (or not in
          // order): asking again would loop.
          logger::get("draft").error("replay read added nothing below the "
                                     "history",
                                     {{"draft_id", st.model.draft_id()},
                                      {"rows", static_cast<std::uint64_t>(rows.size())}});
          return stop_waiting(waiting);
        }
        for (auto& to : waiting)
          continue_replay(self, to);
      },
      [=](caf::error& err) {
        auto& st = self->state;
        st.fetching = false;
        logger::get("draft").error("replay failed",
                                   {{"draft_id", st.model.draft_id()},
                                    {"error", self->system().render(err)}});
        stop_waiting(st.subscribers.take_waiting());
      });
}

} // namespace

void continue_replay(self_ptr self, const caf::actor& to) {
  auto& st = self->state;
  st.replay_due.push_back(to);
  if (st.replay_round_sent)
    return;
  st.replay_round_sent = true;
  self->send(self, replay_atom::value);
}

// Every replay due steps once; the frames of a lane's steps go to it as one
// task. Replays that asked meanwhile (new resumers, the next batch of those
// stepped here) wait for the next round, behind the messages queued now.
void replay_round(self_ptr self) {
  auto& st = self->state;
  st.replay_round_sent = false;
  auto due = std::move(st.replay_due);
  st.replay_due.clear();
  std::sort(due.begin(), due.end());
  due.erase(std::unique(due.begin(), due.end()), due.end());
  lane_batches out;
  bool need_rows = false;
  auto now = self->clock().now();
  for (auto& to : due) {
    switch (st.subscribers.step(to, st.memory, st.model.last_seq(), now, out)) {
      case replay_step::wait:
        if (auto generation = st.subscribers.generation(to))
          self->delayed_send(self, 20ms, replay_atom::value, to, *generation);
        break;
      case replay_step::need_rows:
        need_rows = true;
        break;
      case replay_step::more:
        continue_replay(self, to);
        break;
      case replay_step::finished:
        finish_replay(self);
        break;
      case replay_step::idle:
      case replay_step::stalled:
        break;
    }
  }
  out.post(false);
  if (need_rows)
    fetch_older(self);
}

} // namespace draft::draft_impl
