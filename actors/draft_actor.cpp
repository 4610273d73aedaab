#include "actors/draft_actor.hpp"
#include "actors/event_traces.hpp"
#include "runtime/trace_context.hpp"

#include <deque>
#include <map>
#include <set>

#include <caf/all.hpp>
#include <caf/actor_system.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/draft_state.hpp"
#include "actors/gateway_messages.hpp"
#include "actors/gateway_metrics.hpp"
#include "actors/room_presence.hpp"
#include "protocol/json_codec.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"

namespace draft {

namespace {

using namespace std::chrono_literals;

struct subscriber {
  sink_ptr sink;              ///< the connection, written to directly
  std::string team_id;        ///< the token's team ("" for a viewer)
  std::int64_t sent_seq = 0;  ///< last seq this subscriber has been sent
  bool catching_up = false;   ///< a replay is under way (no live frames)
  bool waiting_for_rows = false; ///< the replay waits for a PostgreSQL read
  std::uint64_t replay_generation = 0; ///< tells a stale replay step apart
  std::uint64_t progress_bytes = 0;    ///< the sink's bytes_out last seen
  std::chrono::steady_clock::time_point progress_at{};
};

struct actor_state {
  draft_actor_config config;
  draft_model model;
  std::deque<frame_ptr> history;               // seq ascending
  std::deque<frame_ptr> older;   // read for resumers, right below history
  bool fetching = false;         // a replay read is under way
  std::chrono::steady_clock::time_point older_used_at{};
  std::map<std::int64_t, outbox_row> pending;  // rows ahead of a gap
  bool backfilling = false;
  std::map<caf::actor, subscriber> subscribers;
  bool ticking = false;
  std::uint64_t handled = 0;
  // Cluster: the owner node's actor reads the outbox; the others follow it.
  bool is_owner = false;
  std::string owner_id;              // as the directory last said
  caf::actor owner_node;             // the owner's membership actor
  caf::actor upstream;               // the draft actor followed, if any
  bool finding_upstream = false;
  std::int64_t known_seq = 0;        // highest seq known to exist
  std::set<caf::actor> followers;    // draft actors of other nodes
  std::uint64_t forwarded = 0;       // events sent to followers
  // Who is in the room: counted here, summed on the owner, published at
  // most once a second (draft_actor.cpp, "Presence").
  room_presence presence;
  presence_counts published;         // the room as last published/received
  presence_counts reported;          // a follower's last report upstream
  bool presence_due = false;         // a flush is scheduled
  std::chrono::steady_clock::time_point presence_sent_at{};
  static inline const char* name = "draft";
};

using self_ptr = caf::stateful_actor<actor_state>*;

counter& metric(const char* name, const char* help) {
  return default_metrics().get_counter(name, help);
}

// Frames go straight to the connection's sink: one hop, no actor message per
// subscriber on the fan-out path.
void send_frame(subscriber& sub, const frame_ptr& f, bool live = true) {
  sub.sink->send(f, live);
  deliveries_counter().inc();
}

// Sends one frame to every subscriber that `wanted` accepts (and lets it
// advance its cursor): one task per lane, not one message per connection.
template <class Predicate>
void broadcast(self_ptr self, const frame_ptr& f, Predicate wanted) {
  std::map<socket_lane*, std::vector<sink_ptr>> lanes;
  std::uint64_t count = 0;
  for (auto& [to, sub] : self->state.subscribers)
    if (wanted(sub)) {
      lanes[&sub.sink->lane()].push_back(sub.sink);
      ++count;
    }
  for (auto& [lane, sinks] : lanes)
    lane->post([f, sinks = std::move(sinks)] {
      for (auto& sink : sinks)
        sink->send_on_lane(f, true);
    });
  deliveries_counter().inc(count);
}


// Replays (a resume, or a connect with ?last_seq) are paced and shared:
//  - a replay sends at most `replay_batch` frames at a time and the next
//    batch only once the connection has written most of the last one, so a
//    replay never floods a connection's queue; a connection that writes
//    nothing for `replay_stall` is closed with 4008 (it resumes later);
//  - a connection has one replay at a time: a resume during a replay moves
//    its cursor, and the replay under way continues from there;
//  - rows older than the history are read from PostgreSQL once, by one
//    query at a time, into `older` (frames just below the history), which
//    every resumer then shares; it is dropped when replays have been idle
//    for a while.
void replay_step(self_ptr self, const caf::actor& to);
void presence_changed(self_ptr self); // "Presence", below

// The lowest seq held in memory (older frames, then the history).
std::int64_t memory_front(const actor_state& st) {
  if (!st.older.empty())
    return st.older.front()->seq;
  if (!st.history.empty())
    return st.history.front()->seq;
  return st.model.last_seq() + 1;
}

// The frame with `seq`, which must be in memory.
const frame_ptr& frame_in_memory(const actor_state& st, std::int64_t seq) {
  if (!st.older.empty() && seq <= st.older.back()->seq)
    return st.older[static_cast<std::size_t>(seq - st.older.front()->seq)];
  return st.history[static_cast<std::size_t>(seq - st.history.front()->seq)];
}

// Starts a replay for the subscriber `to` (its cursor is set), or lets the
// one under way continue from the new cursor.
void start_replay(self_ptr self, const caf::actor& to) {
  auto& sub = self->state.subscribers[to];
  if (sub.catching_up)
    return; // one replay at a time; it reads the cursor at its next step
  sub.catching_up = true;
  ++sub.replay_generation;
  sub.progress_at = std::chrono::steady_clock::now();
  replay_step(self, to);
}

void finish_replay(self_ptr self, subscriber& sub) {
  sub.catching_up = false;
  sub.waiting_for_rows = false;
  // Keep the rows read for resumers a while: a reconnect storm shares them.
  self->state.older_used_at = std::chrono::steady_clock::now();
  if (!self->state.older.empty())
    self->delayed_send(self, self->state.config.replay_stall, trim_atom::value);
}

// Reads the rows just below what is in memory, for every subscriber that
// waits for them: one query at a time, shared by all.
void fetch_older(self_ptr self) {
  auto& st = self->state;
  if (st.fetching)
    return;
  auto until = memory_front(st) - 1;
  std::int64_t from = until + 1;
  for (auto& [to, sub] : st.subscribers)
    if (sub.waiting_for_rows)
      from = std::min(from, sub.sent_seq + 1);
  if (from > until)
    return;
  // At most one batch of rows per query, the newest first (they join the
  // memory from below); the next query reads further back if needed.
  from = std::max(from, until - static_cast<std::int64_t>(st.config.replay_batch) * 4 + 1);
  st.fetching = true;
  static auto& reads = metric("gateway_replay_queries_total",
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
        // Only a run that ends right below the memory joins it.
        auto below = memory_front(st);
        std::size_t joined = 0;
        for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
          if (it->seq != below - 1)
            break;
          st.older.push_front(encode_row(*it));
          --below;
          ++joined;
        }
        std::vector<caf::actor> waiting;
        for (auto& [to, sub] : st.subscribers)
          if (sub.waiting_for_rows) {
            sub.waiting_for_rows = false;
            waiting.push_back(to);
          }
        if (joined == 0) {
          // The rows right below the history are not there (or not in
          // order): asking again would loop. The resumers' socket actors
          // stop (1011), and the clients resume later.
          logger::get("draft").error("replay read added nothing below the "
                                     "history",
                                     {{"draft_id", st.model.draft_id()},
                                      {"rows", static_cast<std::uint64_t>(rows.size())}});
          for (auto& to : waiting)
            caf::anon_send_exit(to, caf::exit_reason::user_shutdown);
          return;
        }
        for (auto& to : waiting)
          replay_step(self, to);
      },
      [=](caf::error& err) {
        auto& st = self->state;
        st.fetching = false;
        logger::get("draft").error("replay failed",
                                   {{"draft_id", st.model.draft_id()},
                                    {"error", self->system().render(err)}});
        // Their socket actors stop, which closes the clients with 1011; they
        // resume later.
        for (auto& [to, sub] : st.subscribers)
          if (sub.waiting_for_rows)
            caf::anon_send_exit(to, caf::exit_reason::user_shutdown);
      });
}

void replay_step(self_ptr self, const caf::actor& to) {
  auto& st = self->state;
  auto found = st.subscribers.find(to);
  if (found == st.subscribers.end())
    return;
  auto& sub = found->second;
  if (!sub.catching_up || sub.waiting_for_rows)
    return;
  auto now = std::chrono::steady_clock::now();
  auto written = sub.sink->counters();
  if (written.bytes_out != sub.progress_bytes) {
    sub.progress_bytes = written.bytes_out;
    sub.progress_at = now;
  }
  auto batch = st.config.replay_batch;
  if (written.queued > batch / 2) {
    // Still writing the last batch.
    if (now - sub.progress_at > st.config.replay_stall) {
      static auto& stalled = metric("gateway_replay_stalls_total",
                                    "Replays to a connection that stopped "
                                    "reading (closed with 4008).");
      stalled.inc();
      sub.catching_up = false;
      sub.sink->close(4008, "slow consumer: the replay is not being read; "
                            "reconnect with last_seq");
      return;
    }
    self->delayed_send(self, 20ms, replay_atom::value, to,
                       sub.replay_generation);
    return;
  }
  auto last = st.model.last_seq();
  if (sub.sent_seq >= last)
    return finish_replay(self, sub);
  if (sub.sent_seq + 1 < memory_front(st)) {
    sub.waiting_for_rows = true;
    return fetch_older(self);
  }
  // The step's frames go to the connection's lane as one task.
  std::vector<frame_ptr> frames;
  while (sub.sent_seq < last && frames.size() < batch) {
    frames.push_back(frame_in_memory(st, sub.sent_seq + 1));
    ++sub.sent_seq;
  }
  deliveries_counter().inc(frames.size());
  sub.sink->send_batch(std::move(frames), false);
  if (sub.sent_seq >= last)
    return finish_replay(self, sub);
  self->send(self, replay_atom::value, to, sub.replay_generation);
}

// Applies rows in seq order; a gap starts a backfill from PostgreSQL.
void apply_ready_rows(self_ptr self);

void request_backfill(self_ptr self) {
  auto& st = self->state;
  auto from = st.model.last_seq() + 1;
  auto to = st.pending.empty() ? st.known_seq : st.pending.begin()->first - 1;
  if (st.backfilling || to < from)
    return;
  st.backfilling = true;
  static auto& gaps = metric("gateway_gaps_backfilled_total",
                             "Sequence gaps filled from PostgreSQL.");
  gaps.inc();
  self
    ->request(st.config.database, 30s, fetch_atom::value, st.model.draft_id(),
              from, to)
    .then(
      [=](std::vector<outbox_row>& rows) {
        self->state.backfilling = false;
        for (auto& row : rows)
          self->state.pending.emplace(row.seq, std::move(row));
        apply_ready_rows(self);
      },
      [=](caf::error&) {
        self->state.backfilling = false;
        self->delayed_send(self, 1s, poll_atom::value); // retry
      });
}

void apply(self_ptr self, const outbox_row& row) {
  auto& st = self->state;
  // This event's trace and id on every log line of its processing here.
  correlation_scope scope(row.traceparent, "event_id", row.event_id);
  auto f = st.model.apply(row);
  gateway_traces().applied(row, f, st.is_owner ? "owner" : "follower",
                           now_utc());
  // Per event: no registry lock, no field formatting while debug is off.
  static auto& log = logger::get("draft");
  if (log.enabled(log_level::debug))
    log.debug("event applied", {{"draft_id", row.draft_id},
                                {"event_id", row.event_id},
                                {"seq", row.seq},
                                {"type", to_string(row.type)},
                                {"subscribers",
                                 static_cast<std::uint64_t>(st.subscribers.size())}});
  st.history.push_back(f);
  while (st.history.size() > st.config.history_limit) {
    // While older frames are kept for resumers, they stay contiguous.
    if (!st.older.empty())
      st.older.push_back(st.history.front());
    st.history.pop_front();
  }
  events_applied_counter().inc();
  broadcast(self, f, [&](subscriber& sub) {
    if (sub.catching_up || sub.sent_seq + 1 != row.seq)
      return false;
    sub.sent_seq = row.seq;
    return true;
  });
  // One message per following node, whatever its number of subscribers.
  if (!st.followers.empty()) {
    for (auto& follower : st.followers)
      self->send(follower, event_atom::value, row);
    st.forwarded += st.followers.size();
    static auto& forwarded = metric(
      "gateway_cluster_events_forwarded_total",
      "Events sent to draft actors on other nodes (one per following node).");
    forwarded.inc(st.followers.size());
  }
  bool in_progress = st.model.status() == draft_status::in_progress;
  if (st.is_owner && in_progress != st.ticking) {
    st.ticking = in_progress;
    if (in_progress)
      self->send(st.config.timer, register_atom::value, self->address());
    else
      self->send(st.config.timer, unregister_atom::value, self->address());
  }
}

void apply_ready_rows(self_ptr self) {
  auto& st = self->state;
  while (!st.pending.empty()) {
    auto it = st.pending.begin();
    if (it->first <= st.model.last_seq()) {
      st.pending.erase(it); // a duplicate: already applied
      continue;
    }
    if (it->first != st.model.last_seq() + 1)
      break;
    apply(self, it->second);
    st.pending.erase(it);
  }
  request_backfill(self);
}

void schedule_idle_check(self_ptr self) {
  self->delayed_send(self, self->state.config.idle_grace, idle_atom::value);
}

// Learns that events up to `seq` exist and fetches what is missing.
void learn_seq(self_ptr self, std::int64_t seq) {
  auto& st = self->state;
  if (seq > st.known_seq)
    st.known_seq = seq;
  request_backfill(self);
}

void drop_upstream(self_ptr self) {
  auto& st = self->state;
  if (!st.upstream)
    return;
  self->send(st.upstream, unfollow_atom::value);
  self->demonitor(st.upstream);
  st.upstream = nullptr;
}

// This node owns the draft: read the outbox from where the model is.
void take_ownership(self_ptr self) {
  auto& st = self->state;
  drop_upstream(self);
  if (st.is_owner)
    return;
  st.is_owner = true;
  st.presence.clear_remote(); // followers report again when they follow
  presence_changed(self);
  auto& id = st.model.draft_id();
  logger::get("draft").info("owning draft", {{"draft_id", id},
                                             {"last_seq", st.model.last_seq()}});
  caf::anon_send(st.config.poller, register_atom::value, id,
                 st.model.last_seq(), caf::actor_cast<caf::actor>(self));
  if (st.model.status() == draft_status::in_progress) {
    st.ticking = true;
    self->send(st.config.timer, register_atom::value, self->address());
  }
}

void give_up_ownership(self_ptr self) {
  auto& st = self->state;
  if (!st.is_owner)
    return;
  st.is_owner = false;
  st.presence.clear_remote();
  caf::anon_send(st.config.poller, unregister_atom::value, st.model.draft_id());
  if (st.ticking)
    self->send(st.config.timer, unregister_atom::value, self->address());
  st.ticking = false;
}

// Finds the owner's draft actor through the owner's membership actor and
// follows it; retried every second until the owner changes or answers.
void follow_owner(self_ptr self) {
  auto& st = self->state;
  if (st.is_owner || st.upstream || st.finding_upstream)
    return;
  if (!st.owner_node) {
    self->delayed_send(self, 1s, follow_atom::value);
    return;
  }
  st.finding_upstream = true;
  auto owner = st.owner_id;
  auto node = st.owner_node;
  auto retry = [=] {
    self->state.finding_upstream = false;
    self->delayed_send(self, 1s, follow_atom::value);
  };
  self->request(node, 5s, caf::get_atom::value, st.model.draft_id())
    .then(
      [=](caf::actor& up) {
        auto& st = self->state;
        if (st.is_owner || st.owner_id != owner || st.owner_node != node) {
          st.finding_upstream = false;
          follow_owner(self);
          return;
        }
        if (!up || up.address() == self->address())
          return retry();
        st.upstream = up;
        self->monitor(up);
        self->request(up, 5s, follow_atom::value, st.model.last_seq())
          .then(
            [=](std::int64_t owner_seq) {
              auto& st = self->state;
              st.finding_upstream = false;
              if (st.upstream != up) {
                // The owner changed while this follow was under way (and
                // was unfollowed): follow the current one.
                follow_owner(self);
                return;
              }
              learn_seq(self, owner_seq);
              // The new owner learns who is connected here.
              st.reported = presence_counts{};
              presence_changed(self);
            },
            [=](caf::error&) {
              // It may have registered us after all: undo that.
              self->send(up, unfollow_atom::value);
              if (self->state.upstream == up) {
                self->demonitor(up);
                self->state.upstream = nullptr;
              }
              retry();
            });
        logger::get("draft").info("following owner",
                                  {{"draft_id", st.model.draft_id()},
                                   {"owner", owner}});
      },
      [=](caf::error&) { retry(); });
}

// Sends a tick to the subscribers that are up to date, and to followers.
void send_tick(self_ptr self, const frame_ptr& f) {
  auto& st = self->state;
  auto last = st.model.last_seq();
  broadcast(self, f, [&](subscriber& sub) {
    return !sub.catching_up && sub.sent_seq == last;
  });
  for (auto& follower : st.followers)
    self->send(follower, tick_atom::value, last, f->text);
}

// Presence: a change of who is connected schedules one flush, at most one
// a second. On the owner the flush publishes the cluster's room (its own
// connections plus each follower's report) to its subscribers and its
// followers, which pass the same frame on; on a follower it reports the
// node's own counts to the owner.
void presence_changed(self_ptr self) {
  auto& st = self->state;
  if (st.presence_due)
    return;
  st.presence_due = true;
  auto next = st.presence_sent_at + 1s;
  auto now = std::chrono::steady_clock::now();
  if (next <= now)
    self->send(self, presence_atom::value);
  else
    self->delayed_send(self, next - now, presence_atom::value);
}

void publish_presence(self_ptr self, const presence_counts& room) {
  auto& st = self->state;
  st.published = room;
  auto f = std::make_shared<frame>();
  f->seq = st.model.last_seq();
  f->text = json::encode_presence_changed(st.model.draft_id(), room, now_utc());
  broadcast(self, f, [](subscriber&) { return true; });
  for (auto& follower : st.followers)
    self->send(follower, presence_atom::value, f->text, room);
}

void flush_presence(self_ptr self) {
  auto& st = self->state;
  st.presence_due = false;
  st.presence_sent_at = std::chrono::steady_clock::now();
  if (st.is_owner) {
    auto room = st.presence.total();
    if (room != st.published)
      publish_presence(self, room);
  } else if (st.upstream && st.presence.local() != st.reported) {
    st.reported = st.presence.local();
    self->send(st.upstream, presence_atom::value, st.reported);
  }
}

void drop_subscriber(self_ptr self, const caf::actor& who) {
  auto& st = self->state;
  auto it = st.subscribers.find(who);
  if (it == st.subscribers.end())
    return;
  st.presence.leave(it->second.team_id);
  st.subscribers.erase(it);
  presence_changed(self);
  if (st.subscribers.empty())
    schedule_idle_check(self);
}

void drop_follower(self_ptr self, const caf::actor& who) {
  auto& st = self->state;
  st.presence.drop_remote(who.address());
  presence_changed(self);
  if (st.subscribers.empty() && st.followers.empty())
    schedule_idle_check(self);
}

caf::behavior running(self_ptr self) {
  return {
    [=](ready_atom) -> caf::actor {
      return caf::actor_cast<caf::actor>(self);
    },
    [=](event_atom, outbox_row& row) {
      ++self->state.handled;
      // From another node, rows are taken only from the owner's draft actor
      // this one follows: no other cluster member can inject an event.
      auto sender = self->current_sender();
      if (sender && sender->node() != self->node()
          && (!self->state.upstream
              || sender != caf::actor_cast<caf::strong_actor_ptr>(
                   self->state.upstream))) {
        static auto& refused = cluster_refusals("event_not_from_owner");
        refused.inc();
        logger::get("draft").warn("refused an event not from the draft's owner",
                                  {{"draft_id", self->state.model.draft_id()},
                                   {"seq", row.seq}});
        return;
      }
      if (row.seq <= self->state.model.last_seq())
        return; // duplicate delivery; applying twice would double-deliver
      self->state.pending.emplace(row.seq, std::move(row));
      apply_ready_rows(self);
    },
    [=](poll_atom) { request_backfill(self); },
    [=](replay_atom, const caf::actor& to, std::uint64_t generation) {
      auto it = self->state.subscribers.find(to);
      if (it != self->state.subscribers.end()
          && it->second.replay_generation == generation)
        replay_step(self, to);
    },
    [=](trim_atom) {
      // Drop the rows read for resumers once no replay has needed them for
      // a while.
      auto& st = self->state;
      for (auto& [to, sub] : st.subscribers)
        if (sub.catching_up)
          return;
      if (std::chrono::steady_clock::now() - st.older_used_at
          >= st.config.replay_stall)
        st.older.clear();
    },
    [=](subscribe_atom, std::int64_t last_seq, const sink_ptr& sink,
        std::string& team) {
      ++self->state.handled;
      auto to = caf::actor_cast<caf::actor>(self->current_sender());
      if (!to || !sink)
        return;
      self->monitor(to);
      auto& st = self->state;
      auto& sub = st.subscribers[to];
      if (sub.sink != sink || last_seq < 0) {
        // A new subscriber, or a snapshot that supersedes any replay.
        if (sub.sink)
          st.presence.leave(sub.team_id);
        auto generation = sub.replay_generation + 1;
        sub = subscriber{};
        sub.sink = sink;
        sub.team_id = std::move(team);
        sub.replay_generation = generation;
        st.presence.join(sub.team_id);
        presence_changed(self);
      }
      if (last_seq < 0) {
        send_frame(sub, st.model.snapshot_frame(now_utc(), st.published));
        sub.sent_seq = self->state.model.last_seq();
      } else {
        // A resume during a replay moves the cursor of the one under way.
        sub.sent_seq = last_seq;
        start_replay(self, to);
      }
    },
    [=](unsubscribe_atom) {
      ++self->state.handled;
      drop_subscriber(self, caf::actor_cast<caf::actor>(self->current_sender()));
    },
    [=](presence_atom) { flush_presence(self); },
    [=](presence_atom, presence_counts& counts) {
      // A following node's own connections; only a follower may report.
      auto who = caf::actor_cast<caf::actor>(self->current_sender());
      if (!who || self->state.followers.count(who) == 0)
        return;
      self->state.presence.set_remote(who.address(), std::move(counts));
      presence_changed(self);
    },
    [=](presence_atom, std::string& text, presence_counts& room) {
      // The owner's published room, passed on to this node's clients.
      auto& st = self->state;
      if (!st.upstream
          || self->current_sender()
               != caf::actor_cast<caf::strong_actor_ptr>(st.upstream))
        return;
      st.published = std::move(room);
      auto f = std::make_shared<frame>();
      f->seq = st.model.last_seq();
      f->text = std::move(text);
      broadcast(self, f, [](subscriber&) { return true; });
    },
    [=](tick_atom) {
      ++self->state.handled;
      auto f = self->state.model.tick_frame(now_utc());
      if (f)
        send_tick(self, f);
    },
    [=](tick_atom, std::int64_t seq, std::string& text) {
      // The owner's tick: one clock for the whole cluster.
      ++self->state.handled;
      if (!self->state.upstream
          || self->current_sender()
               != caf::actor_cast<caf::strong_actor_ptr>(self->state.upstream))
        return; // only the owner's draft actor ticks a follower
      if (seq > self->state.model.last_seq())
        return learn_seq(self, seq); // behind: catch up, skip this tick
      if (seq < self->state.model.last_seq())
        return; // older than what clients here already have
      auto f = std::make_shared<frame>();
      f->text = std::move(text);
      f->seq = seq;
      send_tick(self, f);
    },
    [=](owner_atom, std::string& owner, caf::actor& node) {
      auto& st = self->state;
      st.owner_id = std::move(owner);
      st.owner_node = std::move(node);
      if (st.owner_id == st.config.node_id) {
        take_ownership(self);
      } else {
        give_up_ownership(self);
        drop_upstream(self);
        follow_owner(self);
      }
    },
    [=](follow_atom) { follow_owner(self); }, // retry
    [=](follow_atom, std::int64_t) -> std::int64_t {
      // A draft actor of another node follows this one.
      auto who = caf::actor_cast<caf::actor>(self->current_sender());
      if (who && self->state.followers.insert(who).second)
        self->monitor(who);
      return self->state.model.last_seq();
    },
    [=](unfollow_atom) {
      auto& st = self->state;
      auto who = caf::actor_cast<caf::actor>(self->current_sender());
      if (st.followers.erase(who) > 0) {
        self->demonitor(who);
        drop_follower(self, who);
      }
    },
    [=](state_atom) -> caf::result<draft_snapshot> {
      auto& st = self->state;
      if (!st.is_owner && st.upstream) {
        // The owner's answer: its clock and its latest state.
        auto promise = self->make_response_promise();
        promise.delegate(st.upstream, state_atom::value);
        return promise;
      }
      return st.model.snapshot(now_utc());
    },
    [=](status_atom) -> actor_status {
      auto& st = self->state;
      actor_status s;
      s.name = "draft-" + st.model.draft_id();
      s.kind = "draft";
      s.mailbox_size = self->mailbox().size();
      s.messages_handled = st.handled;
      s.details = {{"status", to_string(st.model.status())},
                   {"last_seq", std::to_string(st.model.last_seq())},
                   {"history", std::to_string(st.history.size())},
                   {"pending", std::to_string(st.pending.size())},
                   {"subscribers", std::to_string(st.subscribers.size())},
                   {"role", st.is_owner ? "owner" : "follower"},
                   {"owner", st.owner_id},
                   {"followers", std::to_string(st.followers.size())},
                   {"events_forwarded", std::to_string(st.forwarded)},
                   {"presence", json::encode(st.published)}};
      auto snap = st.model.snapshot(now_utc());
      if (snap.pick) {
        auto& cp = *snap.pick;
        s.details["current_pick"] = std::to_string(cp.overall_pick);
        s.details["round"] = std::to_string(cp.round);
        s.details["completed_picks"] = std::to_string(snap.completed_picks);
        s.details["team_id"] = cp.team_id;
        s.details["timeout_at"] = format_rfc3339(cp.timeout_at);
        s.details["time_remaining_sec"] = std::to_string(cp.time_remaining_sec);
      }
      return s;
    },
    [=](idle_atom) {
      auto& st = self->state;
      bool needed = !st.followers.empty()
                    || (st.is_owner
                        && st.model.status() == draft_status::in_progress);
      if (st.subscribers.empty() && !needed) {
        logger::get("draft").info("stopping idle draft actor",
                                  {{"draft_id", st.model.draft_id()}});
        self->quit();
      } else if (st.subscribers.empty()) {
        schedule_idle_check(self);
      }
    },
  };
}

caf::behavior loading(self_ptr self, draft_actor_config config,
                      std::string draft_id, caf::optional<draft_load> preloaded) {
  self->state.config = std::move(config);
  // A stray error message (e.g. a collaborator answering a plain message with
  // an error) must not take the draft down: requests carry their own error
  // handlers, so anything reaching here is only logged.
  self->set_error_handler([=](caf::error& err) {
    logger::get("draft").warn("unexpected error message",
                              {{"draft_id", draft_id},
                               {"error", self->system().render(err)}});
  });
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    auto who = caf::actor_cast<caf::actor>(msg.source);
    if (st.upstream && st.upstream.address() == msg.source) {
      // The owner's actor or node went: follow again (the directory tells
      // us if the owner moved meanwhile).
      st.upstream = nullptr;
      self->delayed_send(self, 1s, follow_atom::value);
      return;
    }
    if (st.followers.erase(who) > 0) {
      drop_follower(self, who);
      return;
    }
    drop_subscriber(self, who);
  });
  // Attachables run after the state is gone: capture what they need.
  self->attach_functor([poller = self->state.config.poller,
                        timer = self->state.config.timer, draft_id,
                        address = self->address()](const caf::error&) {
    caf::anon_send(poller, unregister_atom::value, draft_id);
    caf::anon_send(timer, unregister_atom::value, address);
  });
  if (preloaded && preloaded->found) {
    // The directory read it a moment ago (it checks a draft exists before it
    // spawns an actor): no second query. Rows committed since are after its
    // last_seq, and the poller reads them.
    self->state.model.load(*preloaded);
    schedule_idle_check(self);
    return running(self);
  }
  // Nothing else is handled until the state is loaded (await).
  self
    ->request(self->state.config.database, 30s, load_atom::value, draft_id)
    .await(
      [=](draft_load& loaded) {
        if (!loaded.found) {
          // Answer the requests queued meanwhile, then go.
          self->become(caf::behavior{
            [=](ready_atom) -> caf::result<caf::actor> {
              return caf::make_error(caf::sec::invalid_argument,
                                     "unknown draft " + draft_id);
            },
            [=](idle_atom) { self->quit(); },
            [](owner_atom, std::string&, caf::actor&) {},
          });
          self->delayed_send(self, 1s, idle_atom::value);
          return;
        }
        // Reading the outbox starts once the directory says this node owns
        // the draft (its owner message is already queued).
        self->state.model.load(loaded);
        schedule_idle_check(self);
        self->become(running(self));
      },
      [=](caf::error& err) {
        logger::get("draft").error("cannot load draft",
                                   {{"draft_id", draft_id},
                                    {"error", self->system().render(err)}});
        self->quit(err);
      });
  return {
    [](ready_atom) {}, // replaced before any message is handled
  };
}

} // namespace

caf::actor spawn_draft_actor(caf::actor_system& system,
                             const draft_actor_config& config,
                             const std::string& draft_id,
                             caf::optional<draft_load> preloaded) {
  return system.spawn(loading, config, draft_id, std::move(preloaded));
}

} // namespace draft
