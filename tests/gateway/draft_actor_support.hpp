#pragma once

// What the draft actor's unit tests share: outbox rows, a sink that records
// frames (and can stop "reading"), a scripted database, a silent actor.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/actor_interfaces.hpp"
#include "actors/gateway_messages.hpp"
#include "protocol/json_codec.hpp"
#include "actors/gateway_types.hpp"

namespace draft::test {

using namespace std::chrono_literals;

inline const std::string draft_id = "6e0f5d4c-3b2a-4198-8776-655443322110";
inline const std::string pick_id = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

inline outbox_row row(std::int64_t seq) {
  event_payload p = seq % 2
                      ? event_payload{draft_paused_payload{draft_id, 0, pick_id, 1, 30}}
                      : event_payload{draft_resumed_payload{draft_id, 0, pick_id, 1}};
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012lld",
                static_cast<long long>(seq));
  return {draft_id, seq, id, static_cast<event_type>(p.index()), 1'000'000 * seq,
          json::encode_payload(p), "", ""};
}

// Runs posted work at once, on the caller's thread, and counts the posts.
class inline_lane : public socket_lane {
public:
  void post(std::function<void()> work) override {
    ++posts;
    work();
  }
  std::atomic<int> posts{0};
};

// Records the seq of every frame it is given (snapshots as -seq-1000), and
// the close code. `stuck()` makes it report a full queue that never drains
// (a client that stopped reading); `unstick()` drains it.
class recording_sink : public socket_sink {
public:
  recording_sink() = default;
  /// A sink on `lane` (shared with other sinks), not a lane of its own.
  explicit recording_sink(inline_lane& lane) : shared_lane_(&lane) {}
  socket_lane& lane() override { return shared_lane_ ? *shared_lane_ : lane_; }
  void send(frame_ptr f, bool) override { record(f); }
  void send_on_lane(const frame_ptr& f, bool) override { record(f); }
  void close(std::uint16_t code, std::string) override {
    std::lock_guard<std::mutex> guard(mutex_);
    closed_with_ = code;
    changed_.notify_all();
  }
  sink_counters counters() const override {
    std::lock_guard<std::mutex> guard(mutex_);
    return {stuck_ ? seqs_.size() : 0, 0, stuck_ ? 0 : written_};
  }
  void stuck() {
    std::lock_guard<std::mutex> guard(mutex_);
    stuck_ = true;
  }
  void unstick() {
    std::lock_guard<std::mutex> guard(mutex_);
    stuck_ = false;
  }

  // Waits until the sink was closed (or 10 s); returns the code, 0 if not.
  std::uint16_t await_close() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return closed_with_ != 0; });
    return closed_with_;
  }

  // The close code so far (0: open), without waiting.
  std::uint16_t closed_code() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return closed_with_;
  }

  std::vector<std::int64_t> frames() {
    std::lock_guard<std::mutex> guard(mutex_);
    return seqs_;
  }

  // Waits until a PresenceChanged frame satisfying `want` arrived (or 10 s);
  // returns it, or "" if none did.
  template <class Want>
  std::string await_presence(Want want) {
    std::unique_lock<std::mutex> lock(mutex_);
    std::string found;
    changed_.wait_for(lock, 10s, [&] {
      for (auto& text : presence_)
        if (want(text)) {
          found = text;
          return true;
        }
      return false;
    });
    return found;
  }

  std::vector<std::string> snapshots() {
    std::lock_guard<std::mutex> guard(mutex_);
    return snapshots_;
  }

  // Waits until `n` frames arrived (or 10 s), then returns them.
  std::vector<std::int64_t> await(size_t n) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return seqs_.size() >= n; });
    return seqs_;
  }

private:
  void record(const frame_ptr& f) {
    std::lock_guard<std::mutex> guard(mutex_);
    written_ += f->text.size();
    if (f->text.rfind("{\"type\":\"PresenceChanged\"", 0) == 0) {
      // Not an event: kept apart from the seqs the tests compare.
      presence_.push_back(f->text);
      changed_.notify_all();
      return;
    }
    bool snapshot = f->text.find("\"type\":\"StateSnapshot\"") != std::string::npos;
    seqs_.push_back(snapshot ? -1000 - f->seq : f->seq);
    if (snapshot)
      snapshots_.push_back(f->text);
    changed_.notify_all();
  }

  inline_lane lane_;
  inline_lane* shared_lane_ = nullptr;
  mutable std::mutex mutex_;
  bool stuck_ = false;
  std::uint16_t closed_with_ = 0;
  std::uint64_t written_ = 0;
  std::condition_variable changed_;
  std::vector<std::int64_t> seqs_;
  std::vector<std::string> presence_;
  std::vector<std::string> snapshots_;
};

// A database with outbox rows 1..`last` and counts of fetches.
inline caf::behavior fake_database(caf::event_based_actor*, std::int64_t last,
                            std::shared_ptr<std::atomic<int>> fetches) {
  return {
    [](load_atom, const std::string& id) {
      draft_load l;
      l.found = true;
      l.snapshot.draft_id = id;
      l.snapshot.status = draft_status::paused;
      return l;
    },
    [=](fetch_atom, const std::string&, std::int64_t from, std::int64_t to) {
      ++*fetches;
      std::vector<outbox_row> rows;
      for (auto s = from; s <= std::min(to, last); ++s)
        rows.push_back(row(s));
      return rows;
    },
  };
}

// Accepts anything and answers nothing (a silent poller, timer or client).
inline caf::behavior ignore_all(caf::event_based_actor* self) {
  self->set_default_handler(
    [](caf::scheduled_actor*, caf::message_view&) -> caf::result<caf::message> {
      return caf::message{};
    });
  return {[](caf::ok_atom) {}};
}

// A silent actor behind a typed handle (a poller or timer nobody checks).
template <class Handle>
Handle silent(caf::actor_system& system) {
  return caf::actor_cast<Handle>(system.spawn(ignore_all));
}

} // namespace draft::test
