#pragma once

// Inside the membership actor (actors/membership.hpp): its state and the
// steps shared by its two files — membership_peers.cpp (liveness, the hello,
// heartbeats, connecting, the round, the view) and membership.cpp (the
// behaviour).

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/node_id.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/membership.hpp"
#include "runtime/metrics.hpp"

namespace draft::membership_impl {

using clock_type = std::chrono::steady_clock;

struct peer_state {
  cluster_node node;
  membership_api handle;      ///< its membership actor, while connected
  /// The hello proved the handle's node holds this node's key; until then
  /// the peer gets no handle and its heartbeats are refused.
  bool authenticated = false;
  bool saying_hello = false;
  caf::node_id caf_node;      ///< the CAF node the hello came from
  bool connecting = false;
  bool tried = false;         ///< a first connection attempt has ended
  bool heard = false;
  clock_type::time_point last_heard{};
  std::vector<std::string> sees;
  std::int64_t started_at = 0;
};

struct membership_state {
  membership_config config;
  std::map<std::string, peer_state> peers; // every node but this one
  std::vector<std::string> live;           // as last told the directory
  std::int64_t started_at = 0;
  std::vector<caf::response_promise> waiting;
  std::uint64_t handled = 0;
  int rounds = 0;
  static inline const char* name = "membership";
};

using self_ptr = membership_api::stateful_pointer<membership_state>;

// Connected, authenticated and heard from within the peer timeout (times
// are the actor clock's, so tests on CAF's test coordinator drive them).
bool is_live(const peer_state& p, const membership_config& config,
             clock_type::time_point now);

counter& refused(const std::string& reason);

// What a hello signs: the protocol, both ids, the challenge, and the CAF node
// the answer comes from — so an answer relayed by a third node does not
// verify (the challenger compares that node with the sender's).
std::string hello_message(const std::string& challenger, const std::string& peer,
                          const std::string& nonce, const caf::node_id& from);

// The authenticated peer whose CAF node is `node`, or null.
peer_state* member_on(membership_state& st, const caf::node_id& node);

// True if the current message comes from this node or an authenticated
// member; otherwise counts the refusal.
bool from_member(self_ptr self, const char* what);

// Recomputes the live set; tells the directory when it changed.
void update(self_ptr self);

void answer_ready(self_ptr self);

// Asks peer `id` (its handle known) to prove who it is; heartbeats follow
// once it did. Without a credential (plaintext cluster) every peer counts as
// authenticated.
void say_hello(self_ptr self, const std::string& id);

void heartbeat(self_ptr self, const std::string& id);

void connect(self_ptr self, const std::string& id);

// Only the node with the smaller id dials: two nodes dialling each other at
// once race in CAF's BASP handshake (measured with TLS: the second
// connection tears the first down, over and over). The other side learns
// the dialler's handle from its first heartbeat.
bool dials(const membership_state& st, const std::string& peer);

void round(self_ptr self);

member_status describe(self_ptr self, const peer_state& p);

} // namespace draft::membership_impl
