#pragma once

// Who is in a draft's room (docs/protocol.md §6, PresenceChanged): the draft
// actor's own connections, per team and viewers, plus the counts each
// following node reports to the owner. Plain data and rules, no timers: the
// draft actor coalesces what it publishes (at most once a second).

#include <map>
#include <string>

#include <caf/actor_addr.hpp>

#include "actors/gateway_types.hpp"

namespace draft {

class room_presence {
public:
  /// What one follower's report may hold (a draft has at most 32 teams).
  static constexpr std::size_t max_reported_teams = 64;
  static constexpr std::size_t max_team_id_length = 64;

  /// A connection of this node joined (`team` empty: a viewer) or left.
  void join(const std::string& team);
  void leave(const std::string& team);

  /// This node's connections alone (what a follower reports to the owner).
  const presence_counts& local() const { return local_; }

  /// What a following node reported; replaces its last report. Entries
  /// beyond the limits above, and counts that are not positive, are dropped.
  void set_remote(const caf::actor_addr& from, presence_counts counts);
  void drop_remote(const caf::actor_addr& from);
  void clear_remote() { remote_.clear(); }

  /// The room across the cluster: this node's and every follower's report.
  presence_counts total() const;

private:
  presence_counts local_;
  std::map<caf::actor_addr, presence_counts> remote_;
};

} // namespace draft
