#include "protocol/client_sequence.hpp"

namespace draft {

client_sequence::verdict client_sequence::snapshot(std::int64_t last_seq) {
  last_ = last_seq;
  return verdict::snapshot;
}

client_sequence::verdict client_sequence::event(std::int64_t seq) {
  if (last_ >= 0 && seq <= last_) {
    ++duplicates_;
    return verdict::duplicate;
  }
  if (last_ >= 0 && seq != last_ + 1) {
    missing_ += static_cast<std::uint64_t>(seq - last_ - 1);
    return verdict::gap;
  }
  last_ = seq;
  return verdict::applied;
}

client_sequence::verdict client_sequence::take(const json::server_message& m) {
  if (auto s = std::get_if<json::snapshot_message>(&m))
    return snapshot(s->snapshot.last_seq);
  auto e = std::get_if<draft_event>(&m);
  if (!e || !is_outbox_event(e->type()))
    return verdict::other; // a tick, a presence change, a pong
  return event(e->seq);
}

client_sequence::verdict client_sequence::take(const json::frame_header& h) {
  if (h.type == "StateSnapshot")
    return snapshot(h.last_seq);
  if (h.seq < 0 || h.type == "TimerTick" || h.type == "PresenceChanged"
      || h.type == "pong")
    return verdict::other;
  return event(h.seq);
}

std::string client_sequence::resume_message() const {
  return json::encode(client_message{resume_request{last_ < 0 ? 0 : last_}});
}

} // namespace draft
