#include "actors/draft/subscriber_registry.hpp"

#include "actors/gateway_metrics.hpp"
#include "runtime/metrics.hpp"

namespace draft {

namespace {

// What is kept for `lane` in a list by lane: a node has a few lanes, so a
// flat list searched beats a map's nodes on the per-event path.
template <class T>
T& for_lane(std::vector<std::pair<socket_lane*, T>>& lanes, socket_lane* lane) {
  for (auto& [l, kept] : lanes)
    if (l == lane)
      return kept;
  return lanes.emplace_back(lane, T{}).second;
}

} // namespace

bool subscriber_registry::attach(const caf::actor& to, const sink_ptr& sink,
                                 std::string team, bool fresh,
                                 room_presence& presence) {
  auto& sub = subscribers_[to];
  if (sub.sink == sink && !fresh)
    return false;
  if (sub.sink)
    presence.leave(sub.team_id);
  auto generation = sub.replay_generation + 1;
  sub = subscriber{};
  sub.sink = sink;
  sub.team_id = std::move(team);
  sub.replay_generation = generation;
  presence.join(sub.team_id);
  return true;
}

void subscriber_registry::send_snapshot(const caf::actor& to,
                                        const frame_ptr& snapshot,
                                        std::int64_t last_seq) {
  auto& sub = subscribers_.at(to);
  sub.sink->send(snapshot, true);
  sub.sent_seq = last_seq;
  deliveries_counter().inc();
}

bool subscriber_registry::begin_replay(const caf::actor& to, std::int64_t after,
                                       clock::time_point now) {
  auto& sub = subscribers_.at(to);
  sub.sent_seq = after;
  if (sub.catching_up)
    return false; // one replay at a time; it reads the cursor at its next step
  sub.catching_up = true;
  ++sub.replay_generation;
  sub.progress_at = now;
  return true;
}

void lane_batches::add(const sink_ptr& sink, std::vector<frame_ptr> frames) {
  sink->posting(frames.size());
  for_lane(lanes_, &sink->lane()).emplace_back(sink, std::move(frames));
}

void lane_batches::post(bool live) {
  for (auto& [lane, batches] : lanes_)
    lane->post([batches = std::move(batches), live]() mutable {
      for (auto& [sink, frames] : batches)
        sink->send_posted(std::move(frames), live);
    });
  lanes_.clear();
}

replay_step subscriber_registry::step(const caf::actor& to,
                                      const frame_history& memory,
                                      std::int64_t last_seq,
                                      clock::time_point now) {
  lane_batches out;
  auto result = step(to, memory, last_seq, now, out);
  out.post(false);
  return result;
}

replay_step subscriber_registry::step(const caf::actor& to,
                                      const frame_history& memory,
                                      std::int64_t last_seq,
                                      clock::time_point now,
                                      lane_batches& out) {
  auto found = subscribers_.find(to);
  if (found == subscribers_.end())
    return replay_step::idle;
  auto& sub = found->second;
  if (!sub.catching_up || sub.waiting_for_rows)
    return replay_step::idle;
  auto written = sub.sink->counters();
  if (written.bytes_out != sub.progress_bytes) {
    sub.progress_bytes = written.bytes_out;
    sub.progress_at = now;
  }
  if (written.queued > batch_ / 2) {
    // Still writing the last batch.
    if (now - sub.progress_at <= stall_)
      return replay_step::wait;
    static auto& stalled = default_metrics().get_counter(
      "gateway_replay_stalls_total",
      "Replays to a connection that stopped reading (closed with 4008).");
    stalled.inc();
    sub.catching_up = false;
    sub.sink->close(4008, "slow consumer: the replay is not being read; "
                          "reconnect with last_seq");
    return replay_step::stalled;
  }
  if (sub.sent_seq >= last_seq) {
    sub.catching_up = false;
    return replay_step::finished;
  }
  if (sub.sent_seq + 1 < memory.front(last_seq + 1)) {
    sub.waiting_for_rows = true;
    return replay_step::need_rows;
  }
  // The step's frames go to the connection's lane, in the round's task for
  // that lane.
  std::vector<frame_ptr> frames;
  while (sub.sent_seq < last_seq && frames.size() < batch_) {
    frames.push_back(memory.at(sub.sent_seq + 1));
    ++sub.sent_seq;
  }
  deliveries_counter().inc(frames.size());
  out.add(sub.sink, std::move(frames));
  if (sub.sent_seq < last_seq)
    return replay_step::more;
  sub.catching_up = false;
  return replay_step::finished;
}

std::optional<std::uint64_t>
subscriber_registry::generation(const caf::actor& to) const {
  auto found = subscribers_.find(to);
  if (found == subscribers_.end())
    return std::nullopt;
  return found->second.replay_generation;
}

std::optional<std::int64_t> subscriber_registry::lowest_wanted() const {
  std::optional<std::int64_t> lowest;
  for (auto& [to, sub] : subscribers_)
    if (sub.waiting_for_rows && (!lowest || sub.sent_seq + 1 < *lowest))
      lowest = sub.sent_seq + 1;
  return lowest;
}

std::vector<caf::actor> subscriber_registry::take_waiting() {
  std::vector<caf::actor> waiting;
  for (auto& [to, sub] : subscribers_)
    if (sub.waiting_for_rows) {
      sub.waiting_for_rows = false;
      waiting.push_back(to);
    }
  return waiting;
}

bool subscriber_registry::replaying() const {
  for (auto& [to, sub] : subscribers_)
    if (sub.catching_up)
      return true;
  return false;
}

bool subscriber_registry::remove(const caf::actor& to, room_presence& presence) {
  auto found = subscribers_.find(to);
  if (found == subscribers_.end())
    return false;
  presence.leave(found->second.team_id);
  subscribers_.erase(found);
  return true;
}

template <class Predicate>
void subscriber_registry::broadcast(const frame_ptr& f, Predicate wanted) {
  std::vector<std::pair<socket_lane*, std::vector<sink_ptr>>> lanes;
  std::uint64_t count = 0;
  for (auto& [to, sub] : subscribers_)
    if (wanted(sub)) {
      auto& sinks = for_lane(lanes, &sub.sink->lane());
      if (sinks.empty())
        sinks.reserve(subscribers_.size());
      sinks.push_back(sub.sink);
      ++count;
    }
  for (auto& [lane, sinks] : lanes)
    lane->post([f, sinks = std::move(sinks)] {
      for (auto& sink : sinks)
        sink->send_on_lane(f, true);
    });
  deliveries_counter().inc(count);
}

void subscriber_registry::send_event(const frame_ptr& f) {
  broadcast(f, [seq = f->seq](subscriber& sub) {
    if (sub.catching_up || sub.sent_seq + 1 != seq)
      return false;
    sub.sent_seq = seq;
    return true;
  });
}

void subscriber_registry::send_tick(const frame_ptr& f, std::int64_t last_seq) {
  broadcast(f, [=](subscriber& sub) {
    return !sub.catching_up && sub.sent_seq == last_seq;
  });
}

void subscriber_registry::send_to_all(const frame_ptr& f) {
  broadcast(f, [](subscriber&) { return true; });
}

} // namespace draft
