#pragma once

// Atoms and node-local message types of the gateway's actors. Types that may
// cross nodes live in protocol/wire_types.hpp; the ones here never leave the
// process (they carry pointers), so CAF is told they need no serialization.

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
  /// Closes the connection with a WebSocket close code and reason (from any
  /// thread).
  virtual void close(std::uint16_t code, std::string reason) = 0;
};

using sink_ptr = std::shared_ptr<socket_sink>;

// Atoms (at most 10 characters in CAF 0.17).
using event_atom = caf::atom_constant<caf::atom("event")>;
using frame_atom = caf::atom_constant<caf::atom("frame")>;
using replay_atom = caf::atom_constant<caf::atom("replay")>;
using trim_atom = caf::atom_constant<caf::atom("trim")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using unsubscribe_atom = caf::atom_constant<caf::atom("unsubscr")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using state_atom = caf::atom_constant<caf::atom("state")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using load_atom = caf::atom_constant<caf::atom("load")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using picks_atom = caf::atom_constant<caf::atom("picks")>;
using dead_atom = caf::atom_constant<caf::atom("dead")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using register_atom = caf::atom_constant<caf::atom("register")>;
using unregister_atom = caf::atom_constant<caf::atom("unregister")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using idle_atom = caf::atom_constant<caf::atom("idle")>;
using slow_atom = caf::atom_constant<caf::atom("slow")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
// Cluster: membership, ownership and draft actors following their owner.
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using hello_atom = caf::atom_constant<caf::atom("hello")>;
using members_atom = caf::atom_constant<caf::atom("members")>;
using owner_atom = caf::atom_constant<caf::atom("owner")>;
using follow_atom = caf::atom_constant<caf::atom("follow")>;
using unfollow_atom = caf::atom_constant<caf::atom("unfollow")>;
using presence_atom = caf::atom_constant<caf::atom("presence")>;
// Admin console.
using admin_atom = caf::atom_constant<caf::atom("admin")>;
using report_atom = caf::atom_constant<caf::atom("report")>;
using restart_atom = caf::atom_constant<caf::atom("restart")>;
using level_atom = caf::atom_constant<caf::atom("level")>;
using actors_atom = caf::atom_constant<caf::atom("actors")>;
using cluster_atom = caf::atom_constant<caf::atom("cluster")>;
using socket_atom = caf::atom_constant<caf::atom("socket")>;

/// The live members as this node sees them, with the membership actor of
/// each (this node's own entry holds its own). Sent by the membership actor
/// to the draft directory whenever the live set changes.
struct membership_view {
  std::vector<std::string> live;            ///< sorted node ids
  std::map<std::string, caf::actor> nodes;  ///< id -> membership actor
};

} // namespace draft

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(draft::frame_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(draft::sink_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(draft::membership_view)
