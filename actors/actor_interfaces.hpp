#pragma once

// The typed interfaces of the gateway's actors (CAF typed_actor): each
// message an actor takes, who sends it and what it answers. The compiler
// checks every send and request against them; a stray-message handler is
// left only as a guard for what crosses a node. They live in one header
// because they refer to each other (the poller holds draft actors, a draft
// actor holds the poller and the timer). The actors themselves are in the
// headers named beside each interface.
//
// Not typed (yet): the database pool (CAF 0.17's actor_pool is untyped),
// the socket actor, the membership and admin actors — see their headers.

#include <cstdint>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "actors/gateway_messages.hpp"
#include "actors/gateway_types.hpp"

namespace draft {

/// One live draft on a node (actors/draft_actor.hpp).
using draft_actor_api = caf::typed_actor<
  // the directory: answers once the draft is loaded, or with the error
  // "unknown draft"
  caf::replies_to<ready_atom>::with<caf::ok_atom>,
  // the directory: which node owns the draft, and that node's membership
  // actor (through which a follower finds the owner's draft actor)
  caf::reacts_to<owner_atom, std::string, caf::actor>,
  // the outbox poller (on the owner), or the owner's draft actor (on a
  // follower): one outbox row
  caf::reacts_to<event_atom, outbox_row>,
  // a socket actor: subscribe its sink (-1: snapshot first; N: replay
  // after N), with the token's team for presence; and leave
  caf::reacts_to<subscribe_atom, std::int64_t, sink_ptr, std::string>,
  caf::reacts_to<unsubscribe_atom>,
  // the timer (on the owner): send a TimerTick
  caf::reacts_to<tick_atom>,
  // the owner's draft actor (on a follower): its tick frame at its last seq
  caf::reacts_to<tick_atom, std::int64_t, std::string>,
  // a follower's draft actor: follow from its last seq; answers the owner's
  caf::replies_to<follow_atom, std::int64_t>::with<std::int64_t>,
  caf::reacts_to<unfollow_atom>,
  // a follower: its node's own room; the owner: the cluster's room as a
  // frame to pass on
  caf::reacts_to<presence_atom, presence_counts>,
  caf::reacts_to<presence_atom, std::string, presence_counts>,
  // the REST API (a follower asks its owner): the state body
  caf::replies_to<state_atom>::with<draft_snapshot>,
  // the admin actor
  caf::replies_to<status_atom>::with<actor_status>,
  // its own timers: a backfill retry, a replay step, dropping rows read for
  // resumers, a presence flush, a follow retry, the idle check
  caf::reacts_to<poll_atom>,
  caf::reacts_to<replay_atom, caf::actor, std::uint64_t>,
  caf::reacts_to<trim_atom>,
  caf::reacts_to<presence_atom>,
  caf::reacts_to<follow_atom>,
  caf::reacts_to<idle_atom>>;

/// The timer-tick actor (actors/timer_tick.hpp).
using timer_api = caf::typed_actor<
  // a draft actor on its owner node: a pick went on / off the clock (or
  // the actor stopped)
  caf::reacts_to<register_atom, caf::actor_addr>,
  caf::reacts_to<unregister_atom, caf::actor_addr>,
  // its own one-second round
  caf::reacts_to<tick_atom>,
  // the admin actor
  caf::replies_to<status_atom>::with<actor_status>>;

/// The outbox poller (actors/outbox_poller.hpp).
using poller_api = caf::typed_actor<
  // a draft actor on its owner node: route this draft's rows after
  // `last_seq` to it; or no more (it stopped, or gave up ownership)
  caf::reacts_to<register_atom, std::string, std::int64_t, draft_actor_api>,
  caf::reacts_to<unregister_atom, std::string>,
  // its LISTEN thread: wake-ups are waiting
  caf::reacts_to<poll_atom>,
  // its own fallback round
  caf::reacts_to<tick_atom>,
  // the admin actor
  caf::replies_to<status_atom>::with<actor_status>>;

} // namespace draft

// Typed handles that cross nodes (a follower finds the owner's draft actor).
CAF_BEGIN_TYPE_ID_BLOCK(draft_actors, caf::id_block::draft_gateway::end)
  CAF_ADD_TYPE_ID(draft_actors, (draft::draft_actor_api))
CAF_END_TYPE_ID_BLOCK(draft_actors)
