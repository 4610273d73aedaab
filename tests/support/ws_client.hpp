#pragma once

// A listener that keeps a draft client's view — snapshot, events, ticks —
// over the product's blocking WebSocket client (runtime/ws_client.hpp).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/client_session.hpp"
#include "runtime/ws_client.hpp"

namespace draft::testing {

using ws_client = draft::ws_client;

/// One event as a client saw it.
struct seen_event {
  std::int64_t seq;
  std::string id;
  std::string type;
  std::string text; ///< the whole frame
};

/// Reads a draft connection and keeps what an application would keep: the
/// last seq applied, the events in order, and counts of ticks. Frames go
/// through the product's client session (protocol/client_session.hpp): an
/// event is applied only if its seq is last_seq + 1; a repeat is dropped; a
/// gap is counted, not applied, and answered with a resume, as the apps do.
/// A listener that roams (roaming_client) is given a session that knows the
/// draft and the nodes.
class draft_listener {
public:
  explicit draft_listener(std::unique_ptr<ws_client> client,
                          client_session session = {})
    : client_(std::move(client)), session_(std::move(session)) {}

  /// Reads one message; false on close or timeout.
  bool read_one(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  /// Reads until an event of `type` was applied; false if the connection
  /// ended or `timeout` passed first.
  bool read_until(const std::string& type, std::chrono::milliseconds timeout);

  /// Reads until last_seq() >= seq.
  bool read_until_seq(std::int64_t seq, std::chrono::milliseconds timeout);

  ws_client& client() { return *client_; }
  std::int64_t last_seq() const { return session_.sequence().last_seq(); }
  bool got_snapshot() const { return snapshots_ > 0; }
  const std::vector<seen_event>& events() const { return events_; }
  int ticks() const { return ticks_; }
  int gaps() const { return gaps_; }
  int duplicates() const { return duplicates_; }
  int pongs() const { return pongs_; }
  /// Frames the protocol does not allow (each also fails the test).
  int malformed() const { return malformed_; }
  /// PresenceChanged messages seen, and the last one's text.
  int presence_changes() const { return presence_changes_; }
  const std::string& last_presence() const { return last_presence_; }
  /// Starts from a seq known from an earlier connection (resume).
  void resume_from(std::int64_t seq) { session_.resume_from(seq); }
  /// Continues on a new connection (opened with ?last_seq=last_seq()),
  /// keeping the events applied so far.
  void reconnect(std::unique_ptr<ws_client> client) {
    client_ = std::move(client);
    session_.opened();
  }
  client_session& session() { return session_; }

private:
  std::unique_ptr<ws_client> client_;
  client_session session_;
  int snapshots_ = 0;
  std::vector<seen_event> events_;
  int ticks_ = 0;
  int gaps_ = 0;
  int duplicates_ = 0;
  int pongs_ = 0;
  int malformed_ = 0;
  int presence_changes_ = 0;
  std::string last_presence_;
};

} // namespace draft::testing
