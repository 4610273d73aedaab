#pragma once

// A draft actor's subscribers (its node's connections to the draft) and the
// rules of delivering to them, without CAF's scheduling: the draft actor
// asks and does the waiting. Live frames go straight to each connection's
// sink, one task per I/O lane per frame (not one message per connection).
//
// Replays (a resume, or a connect with ?last_seq) are paced and shared:
//  - a replay sends at most `batch` frames at a time and the next batch only
//    once the connection has written most of the last one, so it never floods
//    a connection's queue; a connection that writes nothing for `stall` is
//    closed with 4008 (it resumes later);
//  - a connection has one replay at a time: a resume during a replay moves
//    its cursor, and the replay under way continues from there;
//  - a replay that needs rows below the memory waits for them (the draft
//    actor reads them once for every waiting subscriber);
//  - the draft actor steps the replays due in rounds, and a round's frames
//    for one I/O lane go to it as one task (lane_batches), as live frames.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include "actors/draft/frame_history.hpp"
#include "actors/gateway_messages.hpp"
#include "actors/room_presence.hpp"

namespace draft {

/// What a replay step did, and so what the draft actor does next.
enum class replay_step {
  idle,      ///< no replay under way (or it waits for rows already)
  wait,      ///< the connection is still writing: step again shortly
  stalled,   ///< the connection stopped reading: closed with 4008
  need_rows, ///< rows below the memory are needed: read them, then step
  more,      ///< a batch went out: step again at once
  finished,  ///< the subscriber is live
};

/// Frames for several sinks, posted as one task per I/O lane (a replay
/// round: the steps of every replaying subscriber of a lane share a task,
/// as live fan-out does).
class lane_batches {
public:
  /// `frames` for `sink`, in order; counted by the sink at once (posting).
  void add(const sink_ptr& sink, std::vector<frame_ptr> frames);
  /// Posts what was added: one task per lane, the sinks in the order added.
  void post(bool live);
  bool empty() const { return lanes_.empty(); }

private:
  using batch = std::pair<sink_ptr, std::vector<frame_ptr>>;
  std::vector<std::pair<socket_lane*, std::vector<batch>>> lanes_;
};

class subscriber_registry {
public:
  using clock = std::chrono::steady_clock;

  subscriber_registry(std::size_t batch = 256,
                      clock::duration stall = std::chrono::seconds(10))
    : batch_(batch), stall_(stall) {}

  /// A socket actor subscribes with its sink. A new sink, or `fresh` (a
  /// snapshot is wanted), starts the subscriber anew and counts it in
  /// `presence`; true when it did.
  bool attach(const caf::actor& to, const sink_ptr& sink, std::string team,
              bool fresh, room_presence& presence);

  /// Sends the snapshot frame; the subscriber is live from `last_seq`.
  void send_snapshot(const caf::actor& to, const frame_ptr& snapshot,
                     std::int64_t last_seq);

  /// Moves the subscriber's cursor to `after`; true when a replay starts
  /// (false: the one under way continues from the new cursor).
  bool begin_replay(const caf::actor& to, std::int64_t after, clock::time_point now);

  /// Runs a replay step of `to` from `memory`, events up to `last_seq`; its
  /// frames go into `out` (posted by the caller, with other steps').
  replay_step step(const caf::actor& to, const frame_history& memory,
                   std::int64_t last_seq, clock::time_point now,
                   lane_batches& out);
  /// The same, its frames posted at once.
  replay_step step(const caf::actor& to, const frame_history& memory,
                   std::int64_t last_seq, clock::time_point now);

  /// The replay generation of `to` (tells a stale scheduled step apart).
  std::optional<std::uint64_t> generation(const caf::actor& to) const;

  /// The lowest seq the replays waiting for rows need.
  std::optional<std::int64_t> lowest_wanted() const;
  /// The subscribers waiting for rows; they wait no more.
  std::vector<caf::actor> take_waiting();
  bool replaying() const;

  /// Removes `to`; true when it was a subscriber (it leaves `presence`).
  bool remove(const caf::actor& to, room_presence& presence);

  /// The event `f` (seq f->seq) to every live subscriber right before it.
  void send_event(const frame_ptr& f);
  /// A tick to every live subscriber that has every event up to `last_seq`.
  void send_tick(const frame_ptr& f, std::int64_t last_seq);
  /// A frame outside the seq order (presence) to every subscriber.
  void send_to_all(const frame_ptr& f);

  std::size_t size() const { return subscribers_.size(); }
  bool empty() const { return subscribers_.empty(); }

private:
  struct subscriber {
    sink_ptr sink;              ///< the connection, written to directly
    std::string team_id;        ///< the token's team ("" for a viewer)
    std::int64_t sent_seq = 0;  ///< last seq this subscriber has been sent
    bool catching_up = false;   ///< a replay is under way (no live frames)
    bool waiting_for_rows = false; ///< the replay waits for a database read
    std::uint64_t replay_generation = 0;
    std::uint64_t progress_bytes = 0; ///< the sink's bytes_out last seen
    clock::time_point progress_at{};
  };

  // Sends `f` to each subscriber `wanted` accepts: one task per lane.
  template <class Predicate>
  void broadcast(const frame_ptr& f, Predicate wanted);

  std::size_t batch_;
  clock::duration stall_;
  std::map<caf::actor, subscriber> subscribers_;
};

} // namespace draft
