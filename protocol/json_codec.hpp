#pragma once

// JSON encoding and decoding of the wire types (RapidJSON). Decoders never
// throw and never accept garbage: every refusal is a `problem` naming the
// field (as a path such as `data.round`) and what was expected.

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/result.hpp"
#include "protocol/types.hpp"

namespace draft::json {

/// Bounds applied before and while parsing untrusted input.
struct limits {
  std::size_t max_bytes = 64 * 1024; ///< whole document
  int max_depth = 16;                ///< nesting of objects and arrays
};

/// `{"id", "draft_id", "type", "timestamp", "seq", "data"}`.
std::string encode(const draft_event& event);

/// The same envelope around `data_json`, JSON text written as it is (a
/// stored payload): what `encode` writes when `data_json` is the
/// payload's encoding, with jsonb's spaces removed (compact_json).
std::string encode_with_data(const std::string& id, const std::string& draft_id,
                             event_type type, timestamp time, std::int64_t seq,
                             std::string_view data_json);

/// Seed 003's envelope: `{"eventId", "eventType", "draftId", "timestamp",
/// "payload"}` plus `"seq"` when non-zero.
std::string encode(const relay_envelope& envelope);

/// The state-sync body of `GET /api/drafts/{id}/state`.
std::string encode(const draft_snapshot& snapshot);

/// `{"teams":[{"team_id":…,"connections":N},…],"viewers":N}`, teams in id
/// order.
std::string encode(const presence_counts& presence);

/// The first WebSocket message: the state-sync body plus
/// `"type":"StateSnapshot"` and `"presence"`.
std::string encode_snapshot_message(const draft_snapshot& snapshot,
                                    const presence_counts& presence);

/// `{"type":"PresenceChanged","draft_id",…,"teams","viewers","server_time"}`.
std::string encode_presence_changed(const std::string& draft_id,
                                    const presence_counts& presence,
                                    timestamp server_time);

/// `{"type":"pong","nonce":…,"server_time":…}`.
std::string encode(const pong_reply& reply);

/// `{"type":"resume","last_seq":N}` or `{"type":"ping","nonce":…}`.
std::string encode(const client_message& message);

/// The `data` object of an event alone, as stored in `draft_outbox.payload`.
std::string encode_payload(const event_payload& payload);

/// Decodes a server → client event message.
result<draft_event> decode_event(std::string_view text, const limits& = {});

/// Decodes a relay envelope; the payload must be a JSON object.
result<relay_envelope> decode_envelope(std::string_view text,
                                       const limits& = {});

/// Decodes a state-sync body.
result<draft_snapshot> decode_snapshot(std::string_view text,
                                       const limits& = {});

/// Decodes a client → server message.
result<client_message> decode_client_message(std::string_view text,
                                             const limits& = {});

/// Decodes a server pong.
result<pong_reply> decode_pong(std::string_view text, const limits& = {});

/// Decodes the payload of an event of type `type` (e.g. an outbox row's
/// `payload` column). Problems are reported under `data.`.
result<event_payload> decode_payload(event_type type, std::string_view text,
                                     const limits& = {});

/// The same, telling in `canonical` whether `text` already says what
/// encode_payload writes for the result — the same members with the same
/// values, in whatever order and spacing (jsonb's) — so that it can be sent
/// as stored (compact_json) instead of encoded again.
result<event_payload> decode_payload(event_type type, std::string_view text,
                                     bool& canonical, const limits& = {});

/// Appends `json_text`, which must be valid JSON, to `out` without the
/// whitespace between its tokens (jsonb prints a space after each ':' and
/// ','); strings are copied as they are.
void compact_json(std::string_view json_text, std::string& out);

/// The first WebSocket message: the state body and who is in the room.
struct snapshot_message {
  draft_snapshot snapshot;
  presence_counts presence;
};

/// A PresenceChanged message (docs/protocol.md §6).
struct presence_message {
  std::string draft_id;
  presence_counts presence;
  timestamp server_time = 0;
};

/// Anything the server sends a client on its WebSocket: an event (TimerTick
/// included), the snapshot, a presence change or a pong.
using server_message = std::variant<draft_event, snapshot_message,
                                    presence_message, pong_reply>;

/// Decodes one server frame, by its "type".
result<server_message> decode_server_message(std::string_view text,
                                             const limits& = {});

/// Just what the seq rule and a latency probe need from a server frame:
/// its type, its seq (-1 if none), the snapshot's last_seq (-1 if none) and
/// an event's timestamp (0 if none). The rest is not validated: for load
/// generators, which read frames by the hundred thousand a second.
struct frame_header {
  std::string type;
  std::int64_t seq = -1;
  std::int64_t last_seq = -1;
  timestamp time = 0;
};
result<frame_header> peek_server_frame(std::string_view text,
                                       const limits& = {});

} // namespace draft::json
