#include "actors/edge/gateway_context.hpp"

#include "runtime/metrics.hpp"

namespace draft {

bool gateway_context::admit(const std::string& user, refusal& why) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (connections_.load() >= options.max_connections) {
    why = {503, "node_full",
           "this node has reached its limit of "
             + std::to_string(options.max_connections)
             + " connections; try another node or later"};
    return false;
  }
  auto& mine = per_user_[user];
  if (mine >= options.max_connections_per_user) {
    why = {429, "too_many_connections",
           "user " + user + " already has "
             + std::to_string(options.max_connections_per_user)
             + " connections on this node"};
    return false;
  }
  ++mine;
  ++connections_;
  default_metrics()
    .get_gauge("gateway_connections", "Open WebSocket connections.")
    .set(connections_.load());
  return true;
}

void gateway_context::release(const std::string& user) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (--per_user_[user] <= 0)
    per_user_.erase(user);
  --connections_;
  default_metrics()
    .get_gauge("gateway_connections", "Open WebSocket connections.")
    .set(connections_.load());
}

bool gateway_context::take_handshake_token() {
  std::lock_guard<std::mutex> guard(mutex_);
  // One bucket for the whole node: capacity and refill are the same rate.
  return handshakes_.take("", options.handshakes_per_second,
                          options.handshakes_per_second);
}

bool keyed_buckets::take(const std::string& key, double rate, double burst) {
  auto now = std::chrono::steady_clock::now();
  if (buckets_.size() >= max_keys_ && !buckets_.count(key)) {
    // Forget keys whose bucket is full again (2 s of quiet is enough): a
    // flood from many keys still costs bounded memory.
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = now - it->second.refilled > std::chrono::seconds(2) ? buckets_.erase(it)
                                                                : std::next(it);
    if (buckets_.size() >= max_keys_)
      return false;
  }
  auto [it, fresh] = buckets_.try_emplace(key, bucket{burst, now});
  auto& b = it->second;
  if (!fresh)
    b.tokens = std::min(
      burst, b.tokens + rate * std::chrono::duration<double>(now - b.refilled).count());
  b.refilled = now;
  if (b.tokens < 1)
    return false;
  b.tokens -= 1;
  return true;
}

bool gateway_context::charge_refusal(const std::string& address) {
  std::lock_guard<std::mutex> guard(mutex_);
  return refusals_.take(address, options.refusals_per_address,
                        2.0 * options.refusals_per_address);
}

bool gateway_context::charge_rest(const std::string& user) {
  std::lock_guard<std::mutex> guard(mutex_);
  return rest_.take(user, options.rest_per_user, 2.0 * options.rest_per_user);
}

void gateway_context::track(const sink_ptr& sink) {
  std::lock_guard<std::mutex> guard(mutex_);
  sinks_[sink.get()] = sink;
}

void gateway_context::untrack(const socket_sink* sink) {
  std::lock_guard<std::mutex> guard(mutex_);
  sinks_.erase(sink);
}

std::vector<sink_ptr> gateway_context::live_sinks() {
  std::lock_guard<std::mutex> guard(mutex_);
  std::vector<sink_ptr> out;
  for (auto& [_, weak] : sinks_)
    if (auto s = weak.lock())
      out.push_back(s);
  return out;
}

std::string gateway_context::next_connection_id() {
  return options.node_id + "-" + std::to_string(++next_id_);
}

} // namespace draft
