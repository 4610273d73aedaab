#pragma once

// The client side of the protocol's seq rule (docs/protocol.md §3), the one
// every C++ client follows — the tests' listener, draft-bots and
// draft-loadgen — as the TypeScript SDK does: the snapshot says where live
// events start; an event with the next seq is applied; one at or below the
// last applied is a repeat and is dropped; one further ahead means events
// were missed, and the client resumes from its last applied seq (nothing is
// applied past a gap). Plain rules on decoded frames: no I/O.

#include <cstdint>
#include <string>

#include "protocol/json_codec.hpp"

namespace draft {

class client_sequence {
public:
  /// What one server message means for the client.
  enum class verdict {
    snapshot,  ///< live events continue after last_seq()
    applied,   ///< the next event: apply it
    duplicate, ///< already applied: drop it
    gap,       ///< events are missing: resume from last_seq() (not applied)
    other,     ///< a tick, a presence change or a pong (no seq of its own)
  };

  /// Takes one decoded server message.
  verdict take(const json::server_message& message);
  /// The same from a frame's header alone (json::peek_server_frame).
  verdict take(const json::frame_header& header);

  /// Continues from a seq known from an earlier connection (a resume).
  void resume_from(std::int64_t seq) { last_ = seq; }

  /// The last seq applied (or the snapshot's); -1 before either.
  std::int64_t last_seq() const { return last_; }
  /// Events missed at gaps (each gap counts what lay between).
  std::uint64_t missing() const { return missing_; }
  std::uint64_t duplicates() const { return duplicates_; }

  /// The resume message for the current position.
  std::string resume_message() const;

private:
  verdict snapshot(std::int64_t last_seq);
  verdict event(std::int64_t seq);

  std::int64_t last_ = -1;
  std::uint64_t missing_ = 0;
  std::uint64_t duplicates_ = 0;
};

} // namespace draft
