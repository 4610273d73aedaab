#pragma once

// Every message type that crosses an actor or node boundary, each with its
// CAF 0.17 `inspect`, and the CAF type-id block that registers them. A type
// missing from the block still compiles but travels between nodes as an empty
// message: tests/actors/wire_types_test.cpp sends each one across two actor
// systems to catch that. JSON codecs live apart, in json_codec.hpp.

#include <cstddef>
#include <cstdint>
#include <map>
#include <tuple>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>
#include <caf/type_id.hpp>
#include <caf/variant.hpp>

#include "protocol/time_format.hpp"

namespace draft {

// -- enumerations -------------------------------------------------------------

/// The seven event types of the seed and PickUndone (ours), in the order of
/// `event_payload`.
enum class event_type : std::uint8_t {
  pick_made,
  pick_started,
  draft_started,
  draft_paused,
  draft_resumed,
  draft_completed,
  timer_tick,
  pick_undone,
};

/// Wire name of an event type, e.g. "PickMade".
const char* to_string(event_type type);

/// Inverse of `to_string`; false for anything else.
bool parse_event_type(const std::string& name, event_type& out);

/// TimerTick is ephemeral; every other type is written to the outbox.
constexpr bool is_outbox_event(event_type type) {
  return type != event_type::timer_tick;
}

/// Lifecycle of a draft, as stored in `drafts.status`.
enum class draft_status : std::uint8_t {
  not_started,
  in_progress,
  paused,
  completed,
};

/// Wire name, e.g. "IN_PROGRESS".
const char* to_string(draft_status status);

/// Inverse of `to_string`; false for anything else.
bool parse_draft_status(const std::string& name, draft_status& out);

// -- event payloads (field names exactly as the seed's JSON) -------------------

/// The longest `by` an event carries (a token's `sub`): the decoder refuses
/// more, the orchestrator cuts a longer `sub` at a UTF-8 boundary.
constexpr std::size_t max_by_bytes = 1024;

/// A pick was made, by the team on the clock, by a commissioner for it (a
/// force pick), or automatically when the clock ran out. The last three
/// fields are ours; rows written before them decode with their defaults.
struct pick_made_payload {
  std::string pick_id;
  std::string player_id;
  std::string team_id;
  std::int32_t round = 0;
  std::int32_t pick = 0;
  std::int32_t overall_pick = 0;
  std::string player_name;
  std::string team_name;
  timestamp picked_at = 0;
  bool auto_picked = false;
  std::string autopick_source; ///< "queue" or "rank" when auto_picked, else ""
  std::string by; ///< the picking token's `sub`; "" for an autopick
};

/// A commissioner took back the last pick; the player is available again and
/// a PickStarted for the same slot follows (ours: see docs/protocol.md).
struct pick_undone_payload {
  std::string pick_id;
  std::string player_id;
  std::string team_id;
  std::int32_t overall_pick = 0;
  timestamp undone_at = 0;
  std::string by; ///< the commissioner's or admin's `sub`
};

/// A team's pick clock started.
struct pick_started_payload {
  std::string pick_id;
  std::string team_id;
  std::int32_t round = 0;
  std::int32_t pick = 0;
  std::int32_t overall_pick = 0;
  timestamp started_at = 0;
  timestamp timeout_at = 0;
  std::int32_t time_per_pick_sec = 0;
};

/// The draft began.
struct draft_started_payload {
  std::string draft_id;
  std::string draft_type; ///< "snake" or "linear"
  timestamp started_at = 0;
  std::int32_t total_rounds = 0;
  std::int32_t total_picks = 0;
};

/// The draft was paused; the clock of the current pick stopped (not in the
/// seed: see docs/protocol.md).
struct draft_paused_payload {
  std::string draft_id;
  timestamp paused_at = 0;
  std::string pick_id;
  std::int32_t overall_pick = 0;
  std::int32_t time_remaining_sec = 0;
};

/// The draft was resumed; a PickStarted with a fresh timer follows (not in
/// the seed: see docs/protocol.md).
struct draft_resumed_payload {
  std::string draft_id;
  timestamp resumed_at = 0;
  std::string pick_id;
  std::int32_t overall_pick = 0;
};

/// The last pick was made.
struct draft_completed_payload {
  std::string draft_id;
  timestamp completed_at = 0;
  std::string duration; ///< Go duration syntax, e.g. "1h2m3s"
  std::int32_t total_picks = 0;
};

/// Once a second while a pick is on the clock; computed from the server clock
/// and never written to the outbox (not in the seed: see docs/protocol.md).
struct timer_tick_payload {
  std::string draft_id;
  std::string pick_id;
  std::string team_id;
  std::int32_t overall_pick = 0;
  timestamp server_time = 0;
  timestamp timeout_at = 0;
  std::int32_t time_remaining_sec = 0;
};

/// One of the payloads; the alternative's index is its `event_type`.
using event_payload
  = caf::variant<pick_made_payload, pick_started_payload, draft_started_payload,
                 draft_paused_payload, draft_resumed_payload,
                 draft_completed_payload, timer_tick_payload,
                 pick_undone_payload>;

/// The seed's message format plus `seq`, the per-draft position of the event
/// in the outbox (TimerTick carries the draft's last seq and is never stored).
struct draft_event {
  std::string id;
  std::string draft_id;
  timestamp time = 0; ///< JSON "timestamp"
  std::int64_t seq = 0;
  event_payload data;

  event_type type() const {
    return static_cast<event_type>(data.index());
  }
};

// -- other messages -------------------------------------------------------------

/// Seed 003's relay envelope. The payload is kept as the JSON object text it
/// was, so the relay forwards it byte for byte. `seq` is our addition (0 when
/// absent).
struct relay_envelope {
  std::string event_id;
  event_type type = event_type::pick_made; ///< JSON "eventType"
  std::string draft_id;
  timestamp time = 0;
  std::string payload_json;
  std::int64_t seq = 0;
};

/// The pick on the clock, inside the state-sync body.
struct current_pick {
  std::string pick_id;
  std::string team_id;
  std::int32_t round = 0;
  std::int32_t pick = 0;
  std::int32_t overall_pick = 0;
  timestamp started_at = 0;
  timestamp timeout_at = 0;
  std::int32_t time_remaining_sec = 0;
};

/// Body of `GET /api/drafts/{id}/state` and the first WebSocket message.
/// `last_seq` is our addition: the seq the snapshot reflects, from which live
/// events continue.
struct draft_snapshot {
  std::string draft_id;
  draft_status status = draft_status::not_started;
  caf::optional<current_pick> pick; ///< JSON "current_pick", null if none
  std::int32_t total_picks = 0;
  std::int32_t completed_picks = 0;
  std::int64_t last_seq = 0;
};

/// Client → server: replay every event after `last_seq`, then go live.
struct resume_request {
  std::int64_t last_seq = 0;
};

/// Client → server: liveness probe; answered by a `pong_reply`.
struct ping_request {
  std::string nonce; ///< echoed back; may be empty
};

/// Server → client: answer to a ping, with the server clock.
struct pong_reply {
  std::string nonce;
  timestamp server_time = 0;
};

/// Who is in a draft's room: connections per team (the token's `team_id`)
/// and connections without a team (viewers). Ephemeral: never stored in
/// the outbox. Sent as `"presence"` in the StateSnapshot message and as a
/// PresenceChanged message (docs/protocol.md §6).
struct presence_counts {
  std::map<std::string, std::int32_t> teams; ///< team id -> connections (> 0)
  std::int32_t viewers = 0;
};

/// Any client → server message.
using client_message = caf::variant<resume_request, ping_request>;

/// An event already encoded to its JSON frame, as a draft actor sends it once
/// per subscribing node. `created_at` is the outbox row's commit-side clock,
/// for fan-out latency.
struct event_frame {
  std::string draft_id;
  std::int64_t seq = 0;
  std::string event_id;
  timestamp created_at = 0;
  std::string json;
};

/// What every actor answers to a `status` request, for the admin console.
struct actor_status {
  std::string name;
  std::string kind;
  std::uint64_t mailbox_size = 0;
  std::uint64_t messages_handled = 0;
  std::map<std::string, std::string> details;
};

/// The detail `key` of a status ("" if absent).
inline std::string detail(const actor_status& s, const std::string& key) {
  auto it = s.details.find(key);
  return it == s.details.end() ? std::string() : it->second;
}

/// One cluster member as a node sees it (cluster view of the admin console
/// and the cluster tests).
struct member_status {
  std::string id;
  std::string address;              ///< host:cluster_port
  std::uint16_t http_port = 0;
  std::string status;               ///< "self", "alive" or "down"
  std::int64_t heartbeat_age_ms = -1; ///< since last heard; -1 never heard
  std::int64_t started_at = 0;      ///< the member's start (µs since epoch)
  std::vector<std::string> sees;    ///< the live members the member sees
};

/// One actor as a node's admin actor last saw it (admin console).
struct actor_report {
  actor_status status;
  double rate = 0;    ///< messages handled per second over the last interval
  bool stuck = false; ///< it did not answer the last status request in time
};

/// One sample of a node's activity, for the console's charts.
struct activity_sample {
  std::int64_t at = 0;           ///< µs since the epoch
  double events_per_sec = 0;     ///< outbox events applied by draft actors
  double deliveries_per_sec = 0; ///< frames handed to connections
  double fanout_p50_ms = 0;      ///< outbox commit -> socket write
  double fanout_p99_ms = 0;
};

/// What one node's admin actor reports about its node.
struct node_report {
  std::string node;
  std::string error;          ///< set when the node did not answer
  std::int64_t pid = 0;
  std::int64_t started_at = 0; ///< µs since the epoch
  double cpu_percent = 0;     ///< process CPU over the last interval
  std::int64_t rss_bytes = 0;
  std::map<std::string, std::uint64_t> actor_counts; ///< by kind
  std::uint64_t stuck = 0;
  std::vector<actor_report> actors; ///< as asked: filtered, sorted, limited
  std::vector<activity_sample> samples; ///< oldest first
};

/// One outbox row as the gateway's poller routes it to a draft actor. The
/// payload stays the row's JSON text; the draft actor decodes it once.
struct outbox_row {
  std::string draft_id;
  std::int64_t seq = 0;
  std::string event_id;
  event_type type = event_type::pick_made;
  timestamp created_at = 0;
  std::string payload_json;
  std::string traceparent; ///< the writer's W3C trace context; "" if none
};

/// A draft's state as loaded from PostgreSQL when its actor is spawned.
struct draft_load {
  bool found = false;
  draft_snapshot snapshot;
  std::int32_t paused_remaining_sec = 0; ///< clock left when PAUSED
  std::string draft_type;
};

/// A broadcast that could not be delivered (seed §8), kept for operators.
struct dead_letter {
  std::string draft_id;
  std::string connection_id;
  std::string user;
  std::int64_t seq = 0;
  std::string reason;
};

// -- equality (tests and idempotence checks) ------------------------------------

#define DRAFT_EQUALITY(type, ...)                                              \
  inline auto tie_fields(const type& x) {                                      \
    return std::tie(__VA_ARGS__);                                              \
  }                                                                            \
  inline bool operator==(const type& a, const type& b) {                       \
    return tie_fields(a) == tie_fields(b);                                     \
  }                                                                            \
  inline bool operator!=(const type& a, const type& b) {                       \
    return !(a == b);                                                          \
  }

DRAFT_EQUALITY(pick_made_payload, x.pick_id, x.player_id, x.team_id, x.round,
               x.pick, x.overall_pick, x.player_name, x.team_name, x.picked_at,
               x.auto_picked, x.autopick_source, x.by)
DRAFT_EQUALITY(pick_undone_payload, x.pick_id, x.player_id, x.team_id,
               x.overall_pick, x.undone_at, x.by)
DRAFT_EQUALITY(pick_started_payload, x.pick_id, x.team_id, x.round, x.pick,
               x.overall_pick, x.started_at, x.timeout_at, x.time_per_pick_sec)
DRAFT_EQUALITY(draft_started_payload, x.draft_id, x.draft_type, x.started_at,
               x.total_rounds, x.total_picks)
DRAFT_EQUALITY(draft_paused_payload, x.draft_id, x.paused_at, x.pick_id,
               x.overall_pick, x.time_remaining_sec)
DRAFT_EQUALITY(draft_resumed_payload, x.draft_id, x.resumed_at, x.pick_id,
               x.overall_pick)
DRAFT_EQUALITY(draft_completed_payload, x.draft_id, x.completed_at, x.duration,
               x.total_picks)
DRAFT_EQUALITY(timer_tick_payload, x.draft_id, x.pick_id, x.team_id,
               x.overall_pick, x.server_time, x.timeout_at,
               x.time_remaining_sec)
DRAFT_EQUALITY(draft_event, x.id, x.draft_id, x.time, x.seq, x.data)
DRAFT_EQUALITY(relay_envelope, x.event_id, x.type, x.draft_id, x.time,
               x.payload_json, x.seq)
DRAFT_EQUALITY(current_pick, x.pick_id, x.team_id, x.round, x.pick,
               x.overall_pick, x.started_at, x.timeout_at,
               x.time_remaining_sec)
DRAFT_EQUALITY(draft_snapshot, x.draft_id, x.status, x.pick, x.total_picks,
               x.completed_picks, x.last_seq)
DRAFT_EQUALITY(resume_request, x.last_seq)
DRAFT_EQUALITY(ping_request, x.nonce)
DRAFT_EQUALITY(pong_reply, x.nonce, x.server_time)
DRAFT_EQUALITY(event_frame, x.draft_id, x.seq, x.event_id, x.created_at,
               x.json)
DRAFT_EQUALITY(actor_status, x.name, x.kind, x.mailbox_size,
               x.messages_handled, x.details)

DRAFT_EQUALITY(member_status, x.id, x.address, x.http_port, x.status,
               x.heartbeat_age_ms, x.started_at, x.sees)
DRAFT_EQUALITY(actor_report, x.status, x.rate, x.stuck)
DRAFT_EQUALITY(activity_sample, x.at, x.events_per_sec, x.deliveries_per_sec,
               x.fanout_p50_ms, x.fanout_p99_ms)
DRAFT_EQUALITY(node_report, x.node, x.error, x.pid, x.started_at,
               x.cpu_percent, x.rss_bytes, x.actor_counts, x.stuck, x.actors,
               x.samples)
DRAFT_EQUALITY(outbox_row, x.draft_id, x.seq, x.event_id, x.type,
               x.created_at, x.payload_json, x.traceparent)
DRAFT_EQUALITY(draft_load, x.found, x.snapshot, x.paused_remaining_sec,
               x.draft_type)
DRAFT_EQUALITY(presence_counts, x.teams, x.viewers)
DRAFT_EQUALITY(dead_letter, x.draft_id, x.connection_id, x.user, x.seq,
               x.reason)

#undef DRAFT_EQUALITY

// -- CAF inspection (0.17 form) -------------------------------------------------

#define DRAFT_INSPECT(type, ...)                                               \
  template <class Inspector>                                                   \
  typename Inspector::result_type inspect(Inspector& f, type& x) {             \
    return f(caf::meta::type_name("draft::" #type), __VA_ARGS__);              \
  }

DRAFT_INSPECT(pick_made_payload, x.pick_id, x.player_id, x.team_id, x.round,
              x.pick, x.overall_pick, x.player_name, x.team_name, x.picked_at,
              x.auto_picked, x.autopick_source, x.by)
DRAFT_INSPECT(pick_undone_payload, x.pick_id, x.player_id, x.team_id,
              x.overall_pick, x.undone_at, x.by)
DRAFT_INSPECT(pick_started_payload, x.pick_id, x.team_id, x.round, x.pick,
              x.overall_pick, x.started_at, x.timeout_at, x.time_per_pick_sec)
DRAFT_INSPECT(draft_started_payload, x.draft_id, x.draft_type, x.started_at,
              x.total_rounds, x.total_picks)
DRAFT_INSPECT(draft_paused_payload, x.draft_id, x.paused_at, x.pick_id,
              x.overall_pick, x.time_remaining_sec)
DRAFT_INSPECT(draft_resumed_payload, x.draft_id, x.resumed_at, x.pick_id,
              x.overall_pick)
DRAFT_INSPECT(draft_completed_payload, x.draft_id, x.completed_at, x.duration,
              x.total_picks)
DRAFT_INSPECT(timer_tick_payload, x.draft_id, x.pick_id, x.team_id,
              x.overall_pick, x.server_time, x.timeout_at,
              x.time_remaining_sec)
DRAFT_INSPECT(draft_event, x.id, x.draft_id, x.time, x.seq, x.data)
DRAFT_INSPECT(relay_envelope, x.event_id, x.type, x.draft_id, x.time,
              x.payload_json, x.seq)
DRAFT_INSPECT(current_pick, x.pick_id, x.team_id, x.round, x.pick,
              x.overall_pick, x.started_at, x.timeout_at, x.time_remaining_sec)
DRAFT_INSPECT(draft_snapshot, x.draft_id, x.status, x.pick, x.total_picks,
              x.completed_picks, x.last_seq)
DRAFT_INSPECT(resume_request, x.last_seq)
DRAFT_INSPECT(ping_request, x.nonce)
DRAFT_INSPECT(pong_reply, x.nonce, x.server_time)
DRAFT_INSPECT(event_frame, x.draft_id, x.seq, x.event_id, x.created_at, x.json)
DRAFT_INSPECT(actor_status, x.name, x.kind, x.mailbox_size, x.messages_handled,
              x.details)

DRAFT_INSPECT(member_status, x.id, x.address, x.http_port, x.status,
              x.heartbeat_age_ms, x.started_at, x.sees)
DRAFT_INSPECT(actor_report, x.status, x.rate, x.stuck)
DRAFT_INSPECT(activity_sample, x.at, x.events_per_sec, x.deliveries_per_sec,
              x.fanout_p50_ms, x.fanout_p99_ms)
DRAFT_INSPECT(node_report, x.node, x.error, x.pid, x.started_at,
              x.cpu_percent, x.rss_bytes, x.actor_counts, x.stuck, x.actors,
              x.samples)
DRAFT_INSPECT(outbox_row, x.draft_id, x.seq, x.event_id, x.type, x.created_at,
              x.payload_json, x.traceparent)
DRAFT_INSPECT(draft_load, x.found, x.snapshot, x.paused_remaining_sec,
              x.draft_type)
DRAFT_INSPECT(presence_counts, x.teams, x.viewers)
DRAFT_INSPECT(dead_letter, x.draft_id, x.connection_id, x.user, x.seq,
              x.reason)

#undef DRAFT_INSPECT

} // namespace draft

// -- the type-id block ----------------------------------------------------------

CAF_BEGIN_TYPE_ID_BLOCK(draft_gateway, caf::first_custom_type_id)

  CAF_ADD_TYPE_ID(draft_gateway, (draft::event_type))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::draft_status))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::pick_made_payload))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::pick_started_payload))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::draft_started_payload))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::draft_paused_payload))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::draft_resumed_payload))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::draft_completed_payload))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::timer_tick_payload))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::pick_undone_payload))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::draft_event))
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<draft::draft_event>) )
  CAF_ADD_TYPE_ID(draft_gateway, (draft::relay_envelope))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::current_pick))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::draft_snapshot))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::resume_request))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::ping_request))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::pong_reply))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::event_frame))
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<draft::event_frame>) )
  CAF_ADD_TYPE_ID(draft_gateway, (draft::actor_status))
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<draft::actor_status>) )

  CAF_ADD_TYPE_ID(draft_gateway, (draft::outbox_row))
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<draft::outbox_row>) )
  CAF_ADD_TYPE_ID(draft_gateway, (draft::draft_load))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::dead_letter))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::presence_counts))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::member_status))
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<draft::member_status>) )
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<std::string>) )
  CAF_ADD_TYPE_ID(draft_gateway, (draft::actor_report))
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<draft::actor_report>) )
  CAF_ADD_TYPE_ID(draft_gateway, (draft::activity_sample))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::node_report))
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<draft::node_report>) )

CAF_END_TYPE_ID_BLOCK(draft_gateway)
