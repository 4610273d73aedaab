#include "support/ws_client.hpp"

#include <gtest/gtest.h>

#include "protocol/json_codec.hpp"

namespace draft::testing {

bool draft_listener::read_one(std::chrono::milliseconds timeout) {
  auto text = client_->read(timeout);
  if (!text)
    return false;
  // A frame the protocol does not allow fails the test that read it.
  auto malformed = [&](const std::string& why) {
    ++malformed_;
    ADD_FAILURE() << "malformed server frame (" << why << "): " << text->substr(0, 500);
    return true;
  };
  auto message = json::decode_server_message(*text);
  if (!message)
    return malformed(message.error().to_string());
  std::string reply;
  switch (session_.take(*message, reply)) {
    case client_sequence::verdict::snapshot:
      ++snapshots_;
      return true;
    case client_sequence::verdict::duplicate:
      ++duplicates_;
      return true;
    case client_sequence::verdict::gap:
      ++gaps_;
      client_->send(reply);
      return true;
    case client_sequence::verdict::applied: {
      auto& event = std::get<draft_event>(*message);
      events_.push_back({event.seq, event.id, to_string(event.type()), *text});
      return true;
    }
    case client_sequence::verdict::other:
      break;
  }
  if (std::holds_alternative<pong_reply>(*message)) {
    ++pongs_;
  } else if (std::holds_alternative<json::presence_message>(*message)) {
    ++presence_changes_; // ephemeral: no seq
    last_presence_ = *text;
  } else {
    ++ticks_;
  }
  return true;
}

bool draft_listener::read_until(const std::string& type,
                                std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (events_.empty() || events_.back().type != type) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !read_one(left))
      return false;
  }
  return true;
}

bool draft_listener::read_until_seq(std::int64_t seq,
                                    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (session_.sequence().last_seq() < seq) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !read_one(left))
      return false;
  }
  return true;
}

} // namespace draft::testing
