#pragma once

// Inside the admin actor (actors/admin_actor.hpp): its state and the steps
// shared by its two files — admin_watch.cpp (process figures, the activity
// ring, asking actors for their status, finding peers, building a node's
// report, checking an action) and admin_actor.cpp (the behaviour and the
// cluster-wide gathering).

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/admin_actor.hpp"
#include "actors/gateway_messages.hpp"
#include "actors/gateway_types.hpp"

namespace draft::admin_impl {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

struct watched {
  status_api handle;
  actor_report report;
  clock_type::time_point answered{}; // of the last status
  bool answered_once = false;
};

// Counters sampled for the activity ring.
struct counter_snapshot {
  double events = 0;
  double deliveries = 0;
  std::vector<std::uint64_t> fanout; // bucket counts
  long cpu_ticks = 0;
  clock_type::time_point at{};
};

struct admin_state {
  admin_actor_config config;
  std::set<status_api> registered;          // fixed actors: asked every round
  // Asked when a report wants them; by address, so that one going away
  // (its down message) is found without a walk over thousands.
  std::map<caf::actor_addr, socket_api> sockets;
  std::size_t refresh_pending = 0;          // a refresh's answers expected
  std::vector<std::function<void()>> after_refresh; // reports waiting on it
  std::map<caf::actor_addr, watched> actors; // everything last asked
  std::map<std::string, admin_peer_api> peers; // node id -> admin actor
  membership_view view;                     // as the membership actor said
  std::deque<activity_sample> samples;
  counter_snapshot last;
  double cpu_percent = 0;
  std::int64_t started_at = now_utc();
  std::uint64_t handled = 0;
  static inline const char* name = "admin";
};

using self_ptr = admin_api::stateful_pointer<admin_state>;

long process_cpu_ticks();

std::int64_t process_rss_bytes();

counter_snapshot snapshot_counters();

// The quantile (ms) of the observations between two bucket snapshots.
double quantile_ms(const std::vector<std::uint64_t>& before,
                   const std::vector<std::uint64_t>& after, double q);

void take_sample(self_ptr self);

// Asks one actor for its status and records the answer (or that it was
// stuck); `done` runs either way.
void ask_status(self_ptr self, const status_api& a, std::function<void()> done);

// The targets of a refresh: fixed actors, draft actors and (if asked for)
// socket actors. Entries of actors that are gone are forgotten.
std::vector<status_api> targets_of(self_ptr self,
                                   const std::vector<draft_actor_api>& drafts,
                                   bool with_sockets);

// Every round: the fixed actors and the draft actors (few).
void ask_all(self_ptr self, const std::vector<draft_actor_api>& drafts);

void run_waiting(self_ptr self);

// Before a report: every actor answers again, socket actors included — one
// per connection, thousands, so they are asked only here, when someone
// looks. Reports that arrive while a refresh is under way (the console's
// page asks several at once) share it. `then` runs once all have answered
// (or timed out).
void with_fresh_status(self_ptr self, std::function<void()> then);

// Finds each live peer's admin actor through its membership actor (again
// every round for a peer not found yet); answers from an older view are
// dropped.
void find_peers(self_ptr self);

void round(self_ptr self);

// An operator's action arriving here (from this node's console or relayed by
// a peer's admin actor): it carries the operator's identity as the
// originating node verified it (the token's sub and role). This node checks
// its own GATEWAY_ADMIN_ACTIONS and the role again, and that a relayed one
// comes from a member of the cluster; every node logs who asked.
bool may_act(self_ptr self, const std::string& what, const std::string& by,
             const std::string& role);

node_report make_report(self_ptr self, const std::string& sort,
                        std::int32_t limit, const std::string& kind,
                        const std::string& draft);

// Every live node's admin actor, this one first.
std::vector<std::pair<std::string, admin_peer_api>> admins(self_ptr self);

} // namespace draft::admin_impl
