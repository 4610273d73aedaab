// The draft actor across the cluster (actors/draft_actor.hpp, "Cluster"):
// taking and giving up ownership, following the owner's draft actor,
// passing events and ticks to followers, and presence.

#include "actors/draft/draft_actor_state.hpp"

#include <caf/all.hpp>

#include "actors/gateway_messages.hpp"
#include "actors/gateway_metrics.hpp"
#include "protocol/json_codec.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"

namespace draft::draft_impl {

using namespace std::chrono_literals;

bool from_upstream(self_ptr self) {
  auto& up = self->state.upstream;
  return up && self->current_sender() == caf::actor_cast<caf::strong_actor_ptr>(up);
}

namespace {

// The draft actor that sent the current message (unchecked: only draft
// actors send the messages this is used for).
draft_actor_api sender_of(self_ptr self) {
  return caf::actor_cast<draft_actor_api>(self->current_sender());
}

} // namespace

void drop_upstream(self_ptr self) {
  auto& st = self->state;
  if (!st.upstream)
    return;
  self->send(st.upstream, unfollow_atom::value);
  self->demonitor(st.upstream.address());
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
                 st.model.last_seq(), caf::actor_cast<draft_actor_api>(self));
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

namespace {

// Asks the owner's draft actor `up` to be followed from our last seq.
void request_follow(self_ptr self, draft_actor_api up) {
  auto retry = [=] {
    self->state.finding_upstream = false;
    self->delayed_send(self, 1s, follow_atom::value);
  };
  self->request(up, 5s, follow_atom::value, self->state.model.last_seq())
    .then(
      [=](std::int64_t owner_seq) {
        auto& st = self->state;
        st.finding_upstream = false;
        if (st.upstream != up) {
          // The owner changed while this follow was under way (and was
          // unfollowed): follow the current one.
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
          self->demonitor(up.address());
          self->state.upstream = nullptr;
        }
        retry();
      });
}

} // namespace

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
  self->request(node, 5s, caf::get_atom::value, st.model.draft_id())
    .then(
      [=](caf::actor& found) {
        // Untyped on purpose (actors/actor_interfaces.hpp).
        auto up = caf::actor_cast<draft_actor_api>(found);
        auto& st = self->state;
        if (st.is_owner || st.owner_id != owner || st.owner_node != node) {
          st.finding_upstream = false;
          follow_owner(self);
          return;
        }
        if (!up || up.address() == self->address()) {
          st.finding_upstream = false;
          self->delayed_send(self, 1s, follow_atom::value);
          return;
        }
        st.upstream = up;
        self->monitor(up);
        request_follow(self, up);
        logger::get("draft").info("following owner",
                                  {{"draft_id", st.model.draft_id()},
                                   {"owner", owner}});
      },
      [=](caf::error&) {
        self->state.finding_upstream = false;
        self->delayed_send(self, 1s, follow_atom::value);
      });
}

// One message per following node, whatever its number of subscribers; it
// carries the frame as encoded here, so followers do not encode it again.
void forward_event(self_ptr self, const outbox_row& row, const frame& f) {
  auto& st = self->state;
  if (st.followers.empty())
    return;
  auto forwarded_row = row;
  forwarded_row.frame_text = f.text;
  for (auto& follower : st.followers)
    self->send(follower, event_atom::value, forwarded_row);
  st.forwarded += st.followers.size();
  static auto& forwarded = default_metrics().get_counter(
    "gateway_cluster_events_forwarded_total",
    "Events sent to draft actors on other nodes (one per following node).");
  forwarded.inc(st.followers.size());
}

// Sends a tick to the subscribers that are up to date, and to followers.
void send_tick(self_ptr self, const frame_ptr& f) {
  auto& st = self->state;
  auto last = st.model.last_seq();
  st.subscribers.send_tick(f, last);
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
  auto now = self->clock().now();
  if (next <= now)
    self->send(self, presence_atom::value);
  else
    self->delayed_send(self, next - now, presence_atom::value);
}

void flush_presence(self_ptr self) {
  auto& st = self->state;
  st.presence_due = false;
  st.presence_sent_at = self->clock().now();
  if (st.is_owner) {
    auto room = st.presence.total();
    if (room == st.published)
      return;
    st.published = room;
    auto f = std::make_shared<frame>();
    f->seq = st.model.last_seq();
    f->text = json::encode_presence_changed(st.model.draft_id(), room, now_utc());
    st.subscribers.send_to_all(f);
    for (auto& follower : st.followers)
      self->send(follower, presence_atom::value, f->text, room);
  } else if (st.upstream && st.presence.local() != st.reported) {
    st.reported = st.presence.local();
    self->send(st.upstream, presence_atom::value, st.reported);
  }
}

void drop_follower(self_ptr self, const draft_actor_api& who) {
  auto& st = self->state;
  st.presence.drop_remote(who.address());
  presence_changed(self);
  if (st.subscribers.empty() && st.followers.empty())
    schedule_idle_check(self);
}

void on_owner(self_ptr self, std::string owner, membership_api node) {
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
}

// A draft actor of another node follows this one.
std::int64_t on_follow(self_ptr self) {
  auto who = sender_of(self);
  if (who && self->state.followers.insert(who).second)
    self->monitor(who);
  return self->state.model.last_seq();
}

void on_unfollow(self_ptr self) {
  auto who = sender_of(self);
  if (self->state.followers.erase(who) > 0) {
    self->demonitor(who.address());
    drop_follower(self, who);
  }
}

// A following node's own connections; only a follower may report.
void on_presence_report(self_ptr self, presence_counts counts) {
  auto who = sender_of(self);
  if (!who || self->state.followers.count(who) == 0)
    return;
  self->state.presence.set_remote(who.address(), std::move(counts));
  presence_changed(self);
}

// The owner's published room, passed on to this node's clients.
void on_room(self_ptr self, std::string text, presence_counts room) {
  auto& st = self->state;
  if (!from_upstream(self))
    return;
  st.published = std::move(room);
  auto f = std::make_shared<frame>();
  f->seq = st.model.last_seq();
  f->text = std::move(text);
  st.subscribers.send_to_all(f);
}

// The owner's tick: one clock for the whole cluster.
void on_owner_tick(self_ptr self, std::int64_t seq, std::string text) {
  ++self->state.handled;
  if (!from_upstream(self))
    return; // only the owner's draft actor ticks a follower
  if (seq > self->state.model.last_seq())
    return learn_seq(self, seq); // behind: catch up, skip this tick
  if (seq < self->state.model.last_seq())
    return; // older than what clients here already have
  auto f = std::make_shared<frame>();
  f->text = std::move(text);
  f->seq = seq;
  send_tick(self, f);
}

} // namespace draft::draft_impl
