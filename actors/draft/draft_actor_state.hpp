#pragma once

// Inside the draft actor (actors/draft_actor.hpp): its state and the steps
// shared by its two source files — draft_actor.cpp (loading, the behaviour,
// applying events, replays) and owner_link.cpp (owner and followers across
// the cluster, presence). The rules live in plain units beside this file:
// event_sequencer (seq order and gaps), frame_history (frames kept for
// resumers) and subscriber_registry (delivery and replay pacing).

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/draft/event_sequencer.hpp"
#include "actors/draft/frame_history.hpp"
#include "actors/draft/subscriber_registry.hpp"
#include "actors/draft_actor.hpp"
#include "actors/draft_state.hpp"
#include "actors/room_presence.hpp"

namespace draft::draft_impl {

struct draft_actor_state {
  std::string id; // the draft's, as asked (the model has it once loaded)
  draft_actor_config config;
  draft_model model;
  event_sequencer sequencer;
  frame_history memory;
  subscriber_registry subscribers;
  bool fetching = false; // a read of rows for resumers is under way
  std::vector<caf::actor> replay_due; // replays to step in the next round
  bool replay_round_sent = false;     // its replay_atom is on its way
  std::chrono::steady_clock::time_point older_used_at{};
  bool unknown = false;  // the database has no such draft (it quits soon)
  bool ticking = false;
  std::uint64_t handled = 0;
  // Cluster: the owner node's actor reads the outbox; the others follow it.
  bool is_owner = false;
  std::string owner_id;           // as the directory last said
  membership_api owner_node;      // the owner's membership actor
  draft_actor_api upstream;       // the draft actor followed, if any
  bool finding_upstream = false;
  std::set<draft_actor_api> followers; // draft actors of other nodes
  std::uint64_t forwarded = 0;    // events sent to followers
  // Who is in the room: counted here, summed on the owner, published at
  // most once a second (owner_link.cpp).
  room_presence presence;
  presence_counts published;      // the room as last published/received
  presence_counts reported;       // a follower's last report upstream
  bool presence_due = false;      // a flush is scheduled
  std::chrono::steady_clock::time_point presence_sent_at{};
  static inline const char* name = "draft";
};

using self_ptr = draft_actor_api::stateful_pointer<draft_actor_state>;

/// True when the current message comes from the draft actor followed.
bool from_upstream(self_ptr self);

// owner_link.cpp
void take_ownership(self_ptr self);
void give_up_ownership(self_ptr self);
void drop_upstream(self_ptr self);
void follow_owner(self_ptr self);
void forward_event(self_ptr self, const outbox_row& row, const frame& f);
void send_tick(self_ptr self, const frame_ptr& f);
void presence_changed(self_ptr self);
void flush_presence(self_ptr self);
void drop_follower(self_ptr self, const draft_actor_api& who);
// The cluster's messages (draft_actor_api): the directory's owner, a
// follower's follow/unfollow and presence report, the owner's room and tick.
void on_owner(self_ptr self, std::string owner, membership_api node);
std::int64_t on_follow(self_ptr self);
void on_unfollow(self_ptr self);
void on_presence_report(self_ptr self, presence_counts counts);
void on_room(self_ptr self, std::string text, presence_counts room);
void on_owner_tick(self_ptr self, std::int64_t seq, std::string text);

// replays.cpp: `to`'s replay steps in the next round (after a resume, a
// timer or a read); a round steps every replay due, one task per lane.
void continue_replay(self_ptr self, const caf::actor& to);
void replay_round(self_ptr self);

// draft_actor.cpp
void learn_seq(self_ptr self, std::int64_t seq);
void schedule_idle_check(self_ptr self);

} // namespace draft::draft_impl
