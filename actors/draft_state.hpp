#pragma once

// The state a draft actor owns, as plain data and rules (no CAF), so its
// transitions are unit-tested deterministically.

#include <string>

#include "actors/gateway_messages.hpp"
#include "protocol/result.hpp"
#include "actors/gateway_types.hpp"

namespace draft {

/// Encodes an outbox row to its client frame (the seed's message plus seq).
/// The stored payload is validated and, when it already says what the
/// encoder would write (json::decode_payload's `canonical`), spliced in
/// without its spaces instead of being encoded again; otherwise (an upper-
/// case UUID, a time with an offset, a member the protocol does not have)
/// it is encoded from the decoded values. A payload that does not decode is
/// still delivered, spliced in as stored, so a bad row never stalls the
/// sequence (it is logged and counted).
frame_ptr encode_row(const outbox_row& row);

/// The same, for a payload the caller has decoded already.
frame_ptr encode_row(const outbox_row& row,
                     const result<event_payload>& payload, bool canonical);

/// A draft's current-pick state, advanced by events in seq order.
class draft_model {
public:
  /// Takes the state loaded from PostgreSQL.
  void load(const draft_load& loaded);

  /// Applies the next event (the caller guarantees seq == last_seq() + 1)
  /// and returns its frame; the payload is decoded once for both. A row
  /// forwarded by the owner brings its frame (frame_text), used as it is.
  frame_ptr apply(const outbox_row& row);

  bool loaded() const { return loaded_; }
  const std::string& draft_id() const { return snapshot_.draft_id; }
  std::int64_t last_seq() const { return snapshot_.last_seq; }
  draft_status status() const { return snapshot_.status; }

  /// The state-sync body at server time `now` (time left from the clock).
  draft_snapshot snapshot(timestamp now) const;

  /// The first WebSocket message: the snapshot plus "type":"StateSnapshot"
  /// and who is in the room.
  frame_ptr snapshot_frame(timestamp now,
                           const presence_counts& presence = {}) const;

  /// A TimerTick frame at `now`, or null when no pick is on the clock.
  frame_ptr tick_frame(timestamp now) const;

private:
  bool loaded_ = false;
  draft_snapshot snapshot_;
  std::int32_t paused_remaining_sec_ = 0;
};

} // namespace draft
