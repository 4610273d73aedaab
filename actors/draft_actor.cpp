// The draft actor (actors/draft_actor.hpp): loading, its behaviour and
// applying events in seq order. Its replays are draft/replays.cpp, its
// cluster side draft/owner_link.cpp; its rules are the units in draft/
// (sequencer, frame history, registry).

#include "actors/draft_actor.hpp"

#include <caf/all.hpp>
#include <caf/actor_system.hpp>
#include <caf/sec.hpp>

#include "actors/draft/draft_actor_state.hpp"
#include "actors/event_traces.hpp"
#include "actors/gateway_messages.hpp"
#include "actors/gateway_metrics.hpp"
#include "protocol/json_codec.hpp"
#include "runtime/database_clock.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"
#include "runtime/trace_context.hpp"

namespace draft {

namespace draft_impl {

using namespace std::chrono_literals;

namespace {

counter& metric(const char* name, const char* help) {
  return default_metrics().get_counter(name, help);
}

void apply_ready_rows(self_ptr self);

void request_backfill(self_ptr self) {
  auto& st = self->state;
  auto gap = st.sequencer.start_backfill(st.model.last_seq());
  if (!gap)
    return;
  static auto& gaps = metric("gateway_gaps_backfilled_total",
                             "Sequence gaps filled from PostgreSQL.");
  gaps.inc();
  self
    ->request(st.config.database, 30s, fetch_atom::value, st.model.draft_id(),
              gap->from, gap->to)
    .then(
      [=](std::vector<outbox_row>& rows) {
        self->state.sequencer.backfill_done(std::move(rows));
        apply_ready_rows(self);
      },
      [=](caf::error&) {
        self->state.sequencer.backfill_failed();
        self->delayed_send(self, 1s, poll_atom::value); // retry
      });
}

void apply_row(self_ptr self, const outbox_row& row) {
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
  st.memory.push(f);
  events_applied_counter().inc();
  st.subscribers.send_event(f);
  forward_event(self, row, *f);
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
  while (auto row = st.sequencer.next(st.model.last_seq()))
    apply_row(self, *row);
  request_backfill(self);
}

void drop_subscriber(self_ptr self, const caf::actor& who) {
  auto& st = self->state;
  if (!st.subscribers.remove(who, st.presence))
    return;
  presence_changed(self);
  if (st.subscribers.empty())
    schedule_idle_check(self);
}

actor_status status_of(self_ptr self) {
  auto& st = self->state;
  actor_status s;
  s.name = "draft-" + st.model.draft_id();
  s.kind = "draft";
  s.mailbox_size = self->mailbox().size();
  s.messages_handled = st.handled;
  s.details = {{"status", to_string(st.model.status())},
               {"last_seq", std::to_string(st.model.last_seq())},
               {"history", std::to_string(st.memory.size())},
               {"pending", std::to_string(st.sequencer.buffered())},
               {"subscribers", std::to_string(st.subscribers.size())},
               {"role", st.is_owner ? "owner" : "follower"},
               {"owner", st.owner_id},
               {"followers", std::to_string(st.followers.size())},
               {"events_forwarded", std::to_string(st.forwarded)},
               {"presence", json::encode(st.published)}};
  auto snap = st.model.snapshot(database_now());
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
}

draft_actor_api::behavior_type running(self_ptr self) {
  return {
    [=](ready_atom) -> caf::result<caf::ok_atom> {
      if (self->state.unknown)
        return caf::make_error(caf::sec::invalid_argument,
                               "unknown draft " + self->state.id);
      return caf::ok_atom::value;
    },
    [=](owner_atom, std::string& owner, membership_api& node) {
      if (!self->state.unknown)
        on_owner(self, std::move(owner), std::move(node));
    },
    [=](event_atom, outbox_row& row) {
      auto& st = self->state;
      ++st.handled;
      // From another node, rows are taken only from the owner's draft actor
      // this one follows: no other cluster member can inject an event.
      auto sender = self->current_sender();
      if (sender && sender->node() != self->node() && !from_upstream(self)) {
        static auto& refused = cluster_refusals("event_not_from_owner");
        refused.inc();
        logger::get("draft").warn("refused an event not from the draft's owner",
                                  {{"draft_id", st.model.draft_id()},
                                   {"seq", row.seq}});
        return;
      }
      if (st.sequencer.offer(std::move(row), st.model.last_seq()))
        apply_ready_rows(self);
    },
    [=](subscribe_atom, std::int64_t last_seq, const sink_ptr& sink,
        std::string& team) {
      auto& st = self->state;
      ++st.handled;
      auto to = caf::actor_cast<caf::actor>(self->current_sender());
      if (!to || !sink)
        return;
      self->monitor(to);
      // A new subscriber, or a snapshot that supersedes any replay.
      if (st.subscribers.attach(to, sink, std::move(team), last_seq < 0,
                                st.presence))
        presence_changed(self);
      if (last_seq < 0) {
        st.subscribers.send_snapshot(
          to, st.model.snapshot_frame(database_now(), st.published),
          st.model.last_seq());
      } else if (st.subscribers.begin_replay(to, last_seq, self->clock().now())) {
        continue_replay(self, to);
      } // else: a resume during a replay moved the cursor of the one under way
    },
    [=](unsubscribe_atom) {
      ++self->state.handled;
      drop_subscriber(self, caf::actor_cast<caf::actor>(self->current_sender()));
    },
    [=](tick_atom) {
      ++self->state.handled;
      if (auto f = self->state.model.tick_frame(database_now()))
        send_tick(self, f);
    },
    [=](tick_atom, std::int64_t seq, std::string& text) {
      on_owner_tick(self, seq, std::move(text));
    },
    [=](follow_atom, std::int64_t) -> std::int64_t { return on_follow(self); },
    [=](unfollow_atom) { on_unfollow(self); },
    [=](presence_atom, presence_counts& counts) {
      on_presence_report(self, std::move(counts));
    },
    [=](presence_atom, std::string& text, presence_counts& room) {
      on_room(self, std::move(text), std::move(room));
    },
    [=](state_atom) -> caf::result<draft_snapshot> {
      auto& st = self->state;
      if (!st.is_owner && st.upstream) // the owner's clock and latest state
        return self->delegate(st.upstream, state_atom::value);
      return st.model.snapshot(database_now());
    },
    [=](status_atom) -> actor_status { return status_of(self); },
    [=](poll_atom) { request_backfill(self); },
    [=](replay_atom) { replay_round(self); },
    [=](replay_atom, const caf::actor& to, std::uint64_t generation) {
      if (self->state.subscribers.generation(to) == generation)
        continue_replay(self, to);
    },
    [=](trim_atom) {
      // Drop the rows read for resumers once no replay has needed them for
      // a while.
      auto& st = self->state;
      if (!st.subscribers.replaying()
          && self->clock().now() - st.older_used_at >= st.config.replay_stall)
        st.memory.drop_older();
    },
    [=](presence_atom) { flush_presence(self); },
    [=](follow_atom) { follow_owner(self); }, // retry
    [=](idle_atom) {
      auto& st = self->state;
      bool needed = !st.unknown
                    && (!st.followers.empty()
                        || (st.is_owner
                            && st.model.status() == draft_status::in_progress));
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

// What a monitored actor's end means: the owner's actor or node went, a
// follower went, or a subscriber's connection ended.
void on_down(self_ptr self, const caf::down_msg& msg) {
  auto& st = self->state;
  if (st.upstream && st.upstream.address() == msg.source) {
    // Follow again (the directory tells us if the owner moved meanwhile).
    st.upstream = nullptr;
    self->delayed_send(self, 1s, follow_atom::value);
    return;
  }
  for (auto it = st.followers.begin(); it != st.followers.end(); ++it)
    if (it->address() == msg.source) {
      auto who = *it;
      st.followers.erase(it);
      return drop_follower(self, who);
    }
  drop_subscriber(self, caf::actor_cast<caf::actor>(msg.source));
}

draft_actor_api::behavior_type loading(self_ptr self, draft_actor_config config,
                                      std::string draft_id,
                                      std::optional<draft_load> preloaded) {
  auto& st = self->state;
  st.id = draft_id;
  st.config = std::move(config);
  st.memory = frame_history{st.config.history_limit};
  st.subscribers = subscriber_registry{st.config.replay_batch,
                                       st.config.replay_stall};
  // A stray error message (e.g. a collaborator answering a plain message with
  // an error) must not take the draft down: requests carry their own error
  // handlers, so anything reaching here is only logged.
  self->set_error_handler([=](caf::error& err) {
    logger::get("draft").warn("unexpected error message",
                              {{"draft_id", draft_id},
                               {"error", self->system().render(err)}});
  });
  self->set_down_handler([=](caf::down_msg& msg) { on_down(self, msg); });
  // Attachables run after the state is gone: capture what they need.
  self->attach_functor([poller = st.config.poller, timer = st.config.timer,
                        draft_id, address = self->address()](const caf::error&) {
    caf::anon_send(poller, unregister_atom::value, draft_id);
    caf::anon_send(timer, unregister_atom::value, address);
  });
  if (preloaded && preloaded->found) {
    // The directory read it a moment ago (it checks a draft exists before it
    // spawns an actor): no second query. Rows committed since are after its
    // last_seq, and the poller reads them.
    st.model.load(*preloaded);
    schedule_idle_check(self);
    return running(self);
  }
  // Nothing else is handled until the state is loaded (await). Reading the
  // outbox starts once the directory says this node owns the draft (its
  // owner message is already queued).
  self->request(st.config.database, 30s, load_atom::value, draft_id)
    .await(
      [=](draft_load& loaded) {
        if (!loaded.found) {
          // Answer the requests queued meanwhile, then go.
          self->state.unknown = true;
          self->delayed_send(self, 1s, idle_atom::value);
          return;
        }
        self->state.model.load(loaded);
        schedule_idle_check(self);
      },
      [=](caf::error& err) {
        logger::get("draft").error("cannot load draft",
                                   {{"draft_id", draft_id},
                                    {"error", self->system().render(err)}});
        self->quit(err);
      });
  return running(self);
}

} // namespace

void schedule_idle_check(self_ptr self) {
  self->delayed_send(self, self->state.config.idle_grace, idle_atom::value);
}

// Learns that events up to `seq` exist and fetches what is missing.
void learn_seq(self_ptr self, std::int64_t seq) {
  self->state.sequencer.learn(seq);
  request_backfill(self);
}

} // namespace draft_impl

draft_actor_api spawn_draft_actor(caf::actor_system& system,
                                  const draft_actor_config& config,
                                  const std::string& draft_id,
                                  std::optional<draft_load> preloaded) {
  return system.spawn(draft_impl::loading, config, draft_id, std::move(preloaded));
}

} // namespace draft
