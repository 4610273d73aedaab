#include "protocol/client_session.hpp"

#include <algorithm>

namespace draft {

close_action classify_close(int code) {
  switch (code) {
    case 1000: // the server does not send it; a proxy might
    case 1011: // internal error (a replay query failed)
    case 4008: // slow consumer
    case 4010: // an operator's disconnect
    case 4029: // too many resumes
      return close_action::retry;
    case 4001: // the token expired
      return close_action::refresh_token;
    case 4000: // the server could not decode what this client sent
    case 4009: // a client message too big
    case 1009: // a client message far too big
      return close_action::give_up;
    default: // 1001 shutting down, 1012 actor moved, 0 dropped, anything else
      return close_action::retry_elsewhere;
  }
}

close_action classify_refusal(int status, int previous_401s, std::string* reason) {
  auto give_up = [&](const char* why) {
    if (reason)
      *reason = why;
    return close_action::give_up;
  };
  if (status == 401)
    return previous_401s > 0 ? give_up("unauthorized")
                             : close_action::refresh_token;
  if (status == 403)
    return give_up("forbidden");
  if (status == 404 || status == 400) // 400: a draft id that is not a UUID
    return give_up("unknown_draft");
  if (status == 429)
    return close_action::retry;
  // 5xx, a failed connect (0), anything unexpected: another node may do
  // better.
  return close_action::retry_elsewhere;
}

const char* to_string(close_action a) {
  switch (a) {
    case close_action::retry: return "retry";
    case close_action::retry_elsewhere: return "retry_elsewhere";
    case close_action::refresh_token: return "refresh_token";
    case close_action::give_up: return "give_up";
  }
  return "?";
}

std::chrono::milliseconds backoff_delay(int attempt, const backoff_policy& policy,
                                        double random01) {
  auto bound = policy.cap.count();
  auto shifted = policy.base.count();
  for (int i = 0; i < std::max(0, attempt) && shifted < bound; ++i)
    shifted *= 2;
  bound = std::min(bound, shifted);
  return std::chrono::milliseconds(
    static_cast<std::int64_t>(random01 * static_cast<double>(bound)));
}

client_session::client_session()
  : nodes_(std::make_shared<std::vector<gateway_address>>()), random_(1) {}

client_session::client_session(
  std::string draft_id, std::shared_ptr<const std::vector<gateway_address>> nodes,
  std::size_t first_node, backoff_policy backoff, std::uint32_t seed)
  : draft_id_(std::move(draft_id)), nodes_(std::move(nodes)),
    node_(nodes_->empty() ? 0 : first_node % nodes_->size()), backoff_(backoff),
    random_(seed ? seed : 1) {}

const gateway_address& client_session::node() const {
  static const gateway_address none;
  return nodes_->empty() ? none : (*nodes_)[node_];
}

std::string client_session::target(const std::string& extra_query) const {
  std::string t = "/drafts/" + draft_id_ + "/connect";
  char sep = '?';
  if (sequence_.last_seq() >= 0) {
    t += "?last_seq=" + std::to_string(sequence_.last_seq());
    sep = '&';
  }
  if (!extra_query.empty())
    t += sep + extra_query;
  return t;
}

void client_session::opened() {
  attempt_ = 0;
  previous_401s_ = 0;
}

client_sequence::verdict client_session::take(const json::server_message& m,
                                              std::string& reply) {
  auto v = sequence_.take(m);
  if (v == client_sequence::verdict::gap)
    reply = sequence_.resume_message();
  return v;
}

client_sequence::verdict client_session::take(const json::frame_header& h,
                                              std::string& reply) {
  auto v = sequence_.take(h);
  if (v == client_sequence::verdict::gap)
    reply = sequence_.resume_message();
  return v;
}

client_session::next_step client_session::closed(int close_code) {
  ++ends_;
  previous_401s_ = 0;
  return step(classify_close(close_code), "protocol_error");
}

client_session::next_step client_session::refused(int http_status) {
  std::string reason;
  auto action = classify_refusal(http_status, previous_401s_, &reason);
  previous_401s_ = http_status == 401 ? previous_401s_ + 1 : 0;
  return step(action, std::move(reason));
}

client_session::next_step client_session::step(close_action action,
                                               std::string reason) {
  next_step next{action, {}, {}};
  if (action == close_action::give_up) {
    next.reason = std::move(reason);
    return next;
  }
  if (action == close_action::retry_elsewhere && !nodes_->empty())
    node_ = (node_ + 1) % nodes_->size();
  // A fresh token is tried at once; anything else waits its back-off.
  if (action != close_action::refresh_token)
    next.delay = backoff_delay(attempt_++, backoff_, random01());
  return next;
}

double client_session::random01() {
  // xorshift32: enough to spread reconnects; no shared state between
  // sessions on different threads.
  random_ ^= random_ << 13;
  random_ ^= random_ >> 17;
  random_ ^= random_ << 5;
  return static_cast<double>(random_ >> 8) / static_cast<double>(1u << 24);
}

} // namespace draft
