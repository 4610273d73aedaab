#pragma once

// The typed interfaces of the gateway's actors (CAF typed_actor): each
// message an actor takes, who sends it and what it answers. The compiler
// checks every send and request against them; a stray-message handler is
// left only as a guard for what crosses a node. They live in one header
// because they refer to each other (the poller holds draft actors, a draft
// actor holds the poller and the timer). The actors themselves are in the
// headers named beside each interface.
//
// Every interface answers (status_atom) with its actor_status, so each
// converts to `status_api`: the admin actor watches any actor through it.
//
// One answer is untyped on purpose: a membership actor's draft actor
// (caf::get_atom) comes back as a caf::actor, cast by the asker. A draft
// actor is told its owner's membership actor, whose answer would be a draft
// actor again — C++ aliases cannot refer to themselves.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "actors/gateway_messages.hpp"
#include "actors/gateway_types.hpp"

namespace draft {

/// What every actor answers: the admin actor watches through this.
using status_api
  = caf::typed_actor<caf::replies_to<status_atom>::with<actor_status>>;

/// What one node's admin actor answers its peers' admin actors
/// (actors/admin_actor.hpp): the node's report and the operator's actions,
/// each carrying the operator's token sub and role as the asking node
/// verified them.
using admin_peer_api = caf::typed_actor<
  // sorted by "mailbox", "rate" or "name", at most `limit`, filtered by
  // kind and draft ("" = all)
  caf::replies_to<report_atom, std::string, std::int32_t, std::string,
                  std::string>::with<node_report>,
  // disconnect a connection (id, by, role): true if it was here
  caf::replies_to<shutdown_atom, std::string, std::string,
                  std::string>::with<bool>,
  // restart a draft actor (draft id, by, role): true if this node owned it
  caf::replies_to<restart_atom, std::string, std::string,
                  std::string>::with<bool>,
  // set a component's log level (component, level, by, role)
  caf::replies_to<level_atom, std::string, std::string, std::string,
                  std::string>::with<bool>,
  caf::replies_to<status_atom>::with<actor_status>>;

/// One node's membership actor (actors/membership.hpp), published on the
/// cluster port: what peers, this node's edge and draft actors ask it.
using membership_api = caf::typed_actor<
  // a peer: prove who you are (challenger's id, nonce) -> (id, certificate
  // PEM, signature)
  caf::replies_to<hello_atom, std::string, std::string>::with<
    std::string, std::string, std::string>,
  // a member peer (from, its live view) -> (id, live view, started_at)
  caf::replies_to<heartbeat_atom, std::string, std::vector<std::string>>::with<
    std::string, std::vector<std::string>, std::int64_t>,
  // a member's draft actor looking for this node's draft actor: a
  // draft_actor_api (see above), or the error "unknown draft"
  caf::replies_to<caf::get_atom, std::string>::with<caf::actor>,
  // the admin API and tests: the members as this node sees them
  caf::replies_to<members_atom>::with<std::vector<member_status>>,
  // start-up: true once every peer was tried once
  caf::replies_to<ready_atom>::with<bool>,
  // a member's admin actor: this node's admin actor
  caf::replies_to<admin_atom>::with<admin_peer_api>,
  // its own heartbeat round
  caf::reacts_to<tick_atom>,
  caf::replies_to<status_atom>::with<actor_status>>;

/// The live members as this node sees them, with the membership actor of
/// each (this node's own entry holds its own). Sent by the membership actor
/// to the draft directory and the admin actor whenever the live set changes.
struct membership_view {
  std::vector<std::string> live;              ///< sorted node ids
  std::map<std::string, membership_api> nodes; ///< id -> membership actor
};

/// The gateway's PostgreSQL calls (actors/database_worker.hpp): a pool of
/// detached workers behind one handle of the same interface. Every reply
/// may instead be an error whose context says what failed.
using database_api = caf::typed_actor<
  // draft actors and the directory: a draft's state; the REST API's
  // readiness probe
  caf::replies_to<load_atom, std::string>::with<draft_load>,
  // draft actors: the rows of seqs [from, to] (gaps, replays)
  caf::replies_to<fetch_atom, std::string, std::int64_t,
                  std::int64_t>::with<std::vector<outbox_row>>,
  // the REST API: a page of picks (JSON) after `cursor`, at most `limit`
  caf::replies_to<picks_atom, std::string, std::string, int>::with<std::string>,
  // the admin API: the "outbox" or "dead-letters" report (JSON)
  caf::replies_to<report_atom, std::string>::with<std::string>,
  // the admin API: replay or discard a dead letter (kind, id, action, by);
  // false if there is none
  caf::replies_to<dead_atom, std::string, std::int64_t, std::string,
                  std::string>::with<bool>,
  // a socket actor: a broadcast that could not be delivered
  caf::replies_to<dead_atom, dead_letter>::with<void>,
  // the admin actor (each worker; the pool answers for itself)
  caf::replies_to<status_atom>::with<actor_status>>;

/// One live draft on a node (actors/draft_actor.hpp).
using draft_actor_api = caf::typed_actor<
  // the directory: answers once the draft is loaded, or with the error
  // "unknown draft"
  caf::replies_to<ready_atom>::with<caf::ok_atom>,
  // the directory: which node owns the draft, and that node's membership
  // actor (through which a follower finds the owner's draft actor)
  caf::reacts_to<owner_atom, std::string, membership_api>,
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
  caf::reacts_to<replay_atom>, // a replay round (draft/replays.cpp)
  caf::reacts_to<replay_atom, caf::actor, std::uint64_t>,
  caf::reacts_to<trim_atom>,
  caf::reacts_to<presence_atom>,
  caf::reacts_to<follow_atom>,
  caf::reacts_to<idle_atom>>;

/// One WebSocket connection's actor (actors/socket_actor.hpp).
using socket_api = caf::typed_actor<
  // its WebSocket session, from the client: replay after last_seq
  // (rate-limited: past the limit, 4029); a ping, answered with a pong
  caf::reacts_to<resume_request>,
  caf::reacts_to<ping_request>,
  // its session: the send queue overflowed and closed the connection (the
  // seq it had reached: a dead letter is recorded); the client went away
  caf::reacts_to<slow_atom, std::int64_t>,
  caf::reacts_to<closed_atom>,
  // the admin actor: an operator's disconnect (by whom): close 4010
  caf::reacts_to<shutdown_atom, std::string>,
  // its own timer: the token expired, close 4001
  caf::reacts_to<expire_atom>,
  // the admin actor
  caf::replies_to<status_atom>::with<actor_status>>;

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

/// Finds or spawns a node's draft actors and says who owns each draft
/// (actors/draft_directory.hpp).
using directory_api = caf::typed_actor<
  // the edge (a client connects, a REST call) and, through the membership
  // actor, other nodes' draft actors: the draft's actor once loaded, or the
  // error "unknown draft"
  caf::replies_to<caf::get_atom, std::string>::with<draft_actor_api>,
  // tests and the admin console: the ids of the live draft actors
  caf::replies_to<caf::get_atom>::with<std::vector<std::string>>,
  // the membership actor: the live set changed
  caf::reacts_to<members_atom, membership_view>,
  // the admin API: the owner node of a draft, or of several (in order) —
  // only the directory computes ownership
  caf::replies_to<owner_atom, std::string>::with<std::string>,
  caf::replies_to<owner_atom, std::vector<std::string>>::with<
    std::vector<std::string>>,
  // the admin actor: the draft actors, to ask for their status
  caf::replies_to<actors_atom>::with<std::vector<draft_actor_api>>,
  // the admin actor: an operator's restart (draft id, by); true if this
  // node owned a running actor for it
  caf::replies_to<restart_atom, std::string, std::string>::with<bool>,
  // the admin actor
  caf::replies_to<status_atom>::with<actor_status>>;

/// One node's admin actor (actors/admin_actor.hpp): what its peers ask,
/// and what this node's edge and actors tell it.
using admin_api = admin_peer_api::extend<
  // every fixed actor of the node at start-up; each socket actor
  caf::reacts_to<register_atom, status_api>,
  caf::reacts_to<register_atom, socket_api, socket_atom>,
  // the membership actor: the live set changed
  caf::reacts_to<members_atom, membership_view>,
  // the admin API: a request of admin_peer_api asked of every live node —
  // every node's report; an action true if any node did it (levels: if
  // every node did)
  caf::replies_to<cluster_atom, report_atom, std::string, std::int32_t,
                  std::string, std::string>::with<std::vector<node_report>>,
  caf::replies_to<cluster_atom, shutdown_atom, std::string, std::string,
                  std::string>::with<bool>,
  caf::replies_to<cluster_atom, restart_atom, std::string, std::string,
                  std::string>::with<bool>,
  caf::replies_to<cluster_atom, level_atom, std::string, std::string,
                  std::string, std::string>::with<bool>,
  // its own sampling round
  caf::reacts_to<tick_atom>>;

} // namespace draft

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(draft::membership_view)

// Typed handles that cross nodes (a follower finds the owner's draft actor).
CAF_BEGIN_TYPE_ID_BLOCK(draft_actors, caf::id_block::draft_gateway::end)
  CAF_ADD_TYPE_ID(draft_actors, (draft::draft_actor_api))
  CAF_ADD_TYPE_ID(draft_actors, (draft::membership_api))
  CAF_ADD_TYPE_ID(draft_actors, (draft::admin_peer_api))
  CAF_ADD_TYPE_ID(draft_actors, (std::vector<draft::draft_actor_api>))
CAF_END_TYPE_ID_BLOCK(draft_actors)
