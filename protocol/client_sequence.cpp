#include "protocol/client_sequence.hpp"

namespace draft {

client_sequence::verdict client_sequence::take(const json::server_message& m) {
  if (auto snapshot = std::get_if<json::snapshot_message>(&m)) {
    last_ = snapshot->snapshot.last_seq;
    return verdict::snapshot;
  }
  auto event = std::get_if<draft_event>(&m);
  if (!event || !is_outbox_event(event->type()))
    return verdict::other;
  if (last_ >= 0 && event->seq <= last_) {
    ++duplicates_;
    return verdict::duplicate;
  }
  if (last_ >= 0 && event->seq != last_ + 1) {
    missing_ += static_cast<std::uint64_t>(event->seq - last_ - 1);
    return verdict::gap;
  }
  last_ = event->seq;
  return verdict::applied;
}

std::string client_sequence::resume_message() const {
  return json::encode(client_message{resume_request{last_ < 0 ? 0 : last_}});
}

} // namespace draft
