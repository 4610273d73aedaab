#pragma once

// What the gateway's HTTP and WebSocket sessions share: the actor handles,
// the token verifier, the limits and the connection bookkeeping. No Beast
// here, so this header is cheap to include.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/actor_interfaces.hpp"
#include "actors/gateway_messages.hpp"
#include "runtime/jwt.hpp"

namespace draft {

/// Limits and knobs of one gateway node (environment: docs/gateway.md).
struct gateway_options {
  std::string node_id = "n1";
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int io_threads = 2;
  int max_connections = 20000; ///< WebSockets
  /// Connections still speaking HTTP (REST, console, handshakes in
  /// progress); above it, 503.
  int max_http_connections = 10000;
  /// An HTTP connection idle this long is closed (a request still
  /// incomplete then gets a 408).
  std::chrono::milliseconds http_idle_timeout{30000};
  /// A WebSocket silent for half of this gets a ping; silent this long, it
  /// is dropped (checked by one sweep per I/O lane).
  std::chrono::milliseconds ws_idle_timeout{300000};
  int max_connections_per_user = 20;
  std::size_t max_message_bytes = 4096;
  int handshakes_per_second = 2000;
  /// Token refusals (401/403) answered per second to one client address;
  /// past it (bursts up to twice as many), the connection is just closed.
  int refusals_per_address = 50;
  /// REST requests (state, picks) per second per token subject; burst ×2.
  int rest_per_user = 20;
  std::size_t send_queue_limit = 1024;        ///< frames queued per connection
  std::size_t send_queue_bytes = 1 << 20;     ///< bytes queued per connection
  /// `resume` messages a second per connection (bursts of 5×); past it the
  /// connection is closed with 4029.
  double resumes_per_second = 1;
  int socket_send_buffer = 0; ///< SO_SNDBUF for WebSockets; 0 = OS default
  bool admin_actions = false; ///< the admin console may act (not only read)
  /// The draft room page (/drafts/{id}): the gateway URLs its client
  /// connects to, in order (empty: the page's own origin), and the
  /// orchestrator's public URL for players and picks (empty: no picking).
  std::vector<std::string> room_urls;
  std::string room_orchestrator_url;
};

/// The draft actors' replay batch for these limits: a batch always fits in a
/// connection's queue (at most half of it, and at most 256 frames).
inline std::size_t replay_batch_for(const gateway_options& o) {
  return std::max<std::size_t>(1, std::min<std::size_t>(256, o.send_queue_limit / 2));
}

/// Token buckets by key (a client address, a user): `rate` a second, bursts
/// of `burst`. Bounded: at `max_keys`, keys idle for 2 s are forgotten first,
/// and a new key finds no room until then. Not thread-safe: the context
/// holds its lock around it.
class keyed_buckets {
public:
  keyed_buckets(std::size_t max_keys = 65536) : max_keys_(max_keys) {}

  /// Takes one token of `key`'s bucket; false if it is empty.
  bool take(const std::string& key, double rate, double burst);

private:
  struct bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled{};
  };
  std::map<std::string, bucket> buckets_;
  std::size_t max_keys_;
};

/// A reason a handshake is refused before the upgrade.
struct refusal {
  int status;
  std::string code;
  std::string message;
};

class gateway_context {
public:
  gateway_context(caf::actor_system& system, gateway_options options,
                  jwt_verifier verifier, directory_api directory,
                  database_api database, membership_api membership = {},
                  admin_api admin = {})
    : system(system), options(std::move(options)),
      verifier(std::move(verifier)), directory(std::move(directory)),
      database(std::move(database)), membership(std::move(membership)),
      admin(std::move(admin)) {}

  caf::actor_system& system;
  const gateway_options options;
  const jwt_verifier verifier;
  const directory_api directory;
  const database_api database;
  const membership_api membership; ///< invalid on a single node (no cluster)
  const admin_api admin;           ///< the admin console's actor
  std::atomic<bool> draining{false};

  /// Takes a connection slot for `user`, or says why not.
  bool admit(const std::string& user, refusal& why);
  /// Gives the slot back.
  void release(const std::string& user);
  /// True if the handshake rate allows one more now (after identity).
  bool take_handshake_token();
  /// Charges one token refusal to `address`; false once the address has used
  /// its refusal budget (then the refusal is not even answered).
  bool charge_refusal(const std::string& address);
  /// Charges one REST request to `user`; false past its rate.
  bool charge_rest(const std::string& user);

  int connections() const { return connections_.load(); }

  /// Live WebSocket sinks, for draining on shutdown.
  void track(const sink_ptr& sink);
  void untrack(const socket_sink* sink);
  std::vector<sink_ptr> live_sinks();

  /// A fresh connection id, unique on this node.
  std::string next_connection_id();

private:
  std::atomic<int> connections_{0};
  std::atomic<std::uint64_t> next_id_{0};
  std::mutex mutex_;
  std::map<std::string, int> per_user_;
  std::map<const socket_sink*, std::weak_ptr<socket_sink>> sinks_;
  keyed_buckets handshakes_; ///< one key: the node
  keyed_buckets refusals_;   ///< by client address
  keyed_buckets rest_;     ///< by token subject
};

/// Asks `target` (a request with a 10 s timeout) from outside any actor; the
/// callbacks run on a CAF thread, so they must hand work back to the caller's
/// executor.
template <class Result, class Handle, class... Ts>
void ask(caf::actor_system& system, const Handle& target,
         std::function<void(Result)> on_result,
         std::function<void(const caf::error&)> on_error, Ts... xs);

} // namespace draft
