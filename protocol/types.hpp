#pragma once

// The client protocol's vocabulary (docs/protocol.md): events and their
// payloads, the relay envelope, the state body and the client's messages.
// Each struct's field list (`describe`, protocol/type_fields.hpp) gives its
// equality and both JSON directions (json_codec.hpp). No CAF: the
// orchestrator, the relay and the SDK tests use these as plain C++; the
// gateway's actors add CAF's `inspect` for the few that cross nodes
// (actors/gateway_types.hpp).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "protocol/fields.hpp"
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
  = std::variant<pick_made_payload, pick_started_payload, draft_started_payload,
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
  std::optional<current_pick> pick; ///< JSON "current_pick", null if none
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
using client_message = std::variant<resume_request, ping_request>;

} // namespace draft

// Each type's field list.
#include "protocol/type_fields.hpp"
