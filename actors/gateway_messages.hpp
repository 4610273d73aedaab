#pragma once

// Node-local message types of the gateway's actors. The atoms and the types
// that may cross nodes live in actors/gateway_types.hpp; the ones here never
// leave the process (they carry pointers), so CAF is told they need no
// serialization.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "runtime/work_lane.hpp"
#include "actors/gateway_types.hpp"
#include "protocol/time_format.hpp"

namespace draft {

/// An encoded server → client message, shared by every subscriber.
struct frame {
  std::string text;
  std::int64_t seq = 0;     ///< the event's seq (ticks: the draft's last seq)
  timestamp created_at = 0; ///< outbox commit time; 0 for non-events

  /// This node's socket writes of the frame, for `draftctl trace`: the end
  /// of the first and of the last write, and their number. Written by the I/O
  /// lanes (relaxed atomics: figures, not synchronisation).
  mutable std::atomic<timestamp> first_write{0};
  mutable std::atomic<timestamp> last_write{0};
  mutable std::atomic<std::uint32_t> writes{0};

  /// Notes one write that ended at `at`.
  void note_write(timestamp at) const {
    timestamp none = 0;
    if (first_write.load(std::memory_order_relaxed) == 0) // rarely contended
      first_write.compare_exchange_strong(none, at, std::memory_order_relaxed);
    last_write.store(at, std::memory_order_relaxed);
    writes.fetch_add(1, std::memory_order_relaxed);
  }
};

/// Immutable and shared: encoded once per event, sent to every subscriber.
using frame_ptr = std::shared_ptr<const frame>;

/// A thread that owns a share of the connections (one I/O loop). Work posted
/// to it runs there, in order. Fan-out posts one task per lane per event, not
/// one per connection.
/// The HTTP server's lanes are these (runtime/work_lane.hpp).
using socket_lane = work_lane;

/// What a connection has done so far (admin console); safe to read from any
/// thread.
struct sink_counters {
  std::uint64_t queued = 0;   ///< frames waiting to be written
  std::uint64_t bytes_in = 0; ///< client messages received
  std::uint64_t bytes_out = 0; ///< frames written
};

/// Where frames are written: the WebSocket session, behind an interface so
/// the actors never include Beast.
class socket_sink {
public:
  virtual ~socket_sink() = default;
  virtual sink_counters counters() const { return {}; }
  /// The lane this connection lives on.
  virtual socket_lane& lane() = 0;
  /// Like `send`, but only callable on the sink's lane thread (no hop).
  virtual void send_on_lane(const frame_ptr& frame, bool live) = 0;
  /// Queues a frame for writing (from any thread). Every frame counts
  /// against the sink's bound, in frames and bytes: a sink whose queue
  /// overflows closes itself as a slow consumer (4008) and tells its socket
  /// actor. Replays are paced by the draft actor to stay well inside it;
  /// `live` false marks a replayed frame (no fan-out latency is recorded).
  virtual void send(frame_ptr frame, bool live = true) = 0;
  /// Queues several frames in order, as `send` each would (a replay step:
  /// a connection's sink posts them to its lane as one task).
  virtual void send_batch(std::vector<frame_ptr> frames, bool live) {
    for (auto& f : frames)
      send(std::move(f), live);
  }
  /// For frames the caller posts to lane() itself, with other sinks' (a
  /// replay round, one task per lane): `posting(n)` on the caller's thread
  /// before the post, so that counters() counts them already, then
  /// `send_posted` with those n frames on the lane's thread.
  virtual void posting(std::size_t frames) { (void)frames; }
  virtual void send_posted(std::vector<frame_ptr> frames, bool live) {
    for (auto& f : frames)
      send_on_lane(f, live);
  }
  /// Closes the connection with a WebSocket close code and reason (from any
  /// thread).
  virtual void close(std::uint16_t code, std::string reason) = 0;
};

using sink_ptr = std::shared_ptr<socket_sink>;


} // namespace draft

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(draft::frame_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(draft::sink_ptr)
