#pragma once

// A blocking WebSocket client for tests (Beast behind this header), and a
// listener that keeps a draft client's view: snapshot, events, ticks.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/client_sequence.hpp"

namespace draft::testing {

class ws_client {
public:
  /// Connects to ws://`host`:`port``target` (127.0.0.1 unless said). On a refused upgrade
  /// returns null and sets `status` and `body` to the HTTP answer.
  /// `receive_buffer` > 0 shrinks SO_RCVBUF (to make a slow consumer).
  static std::unique_ptr<ws_client> connect(int port, const std::string& target,
                                            const std::string& bearer,
                                            int& status, std::string& body,
                                            int receive_buffer = 0,
                                            const std::string& host = "127.0.0.1");
  ~ws_client();

  /// The next text message; nothing on close, error or timeout.
  std::optional<std::string> read(std::chrono::milliseconds timeout
                                  = std::chrono::seconds(30));

  void send(const std::string& text);

  /// Close code the server sent (0 if none yet / the socket just dropped).
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  /// True once a read ended the connection (a close or a dropped socket),
  /// as opposed to a read that only timed out.
  bool closed() const { return closed_; }

  struct impl;

private:
  explicit ws_client(std::unique_ptr<impl> state);
  std::unique_ptr<impl> impl_;
  int close_code_ = 0;
  std::string close_reason_;
  bool closed_ = false;
};

/// One event as a client saw it.
struct seen_event {
  std::int64_t seq;
  std::string id;
  std::string type;
  std::string text; ///< the whole frame
};

/// Reads a draft connection and keeps what an application would keep: the
/// last seq applied, the events in order, and counts of ticks. The seq rule
/// is the protocol's (protocol/client_sequence.hpp): an event is applied
/// only if its seq is last_seq + 1; anything else is a gap (not applied) or
/// a duplicate.
class draft_listener {
public:
  explicit draft_listener(std::unique_ptr<ws_client> client)
    : client_(std::move(client)) {}

  /// Reads one message; false on close or timeout.
  bool read_one(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  /// Reads until an event of `type` was applied; false if the connection
  /// ended or `timeout` passed first.
  bool read_until(const std::string& type, std::chrono::milliseconds timeout);

  /// Reads until last_seq() >= seq.
  bool read_until_seq(std::int64_t seq, std::chrono::milliseconds timeout);

  ws_client& client() { return *client_; }
  std::int64_t last_seq() const { return sequence_.last_seq(); }
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
  void resume_from(std::int64_t seq) { sequence_.resume_from(seq); }
  /// Continues on a new connection (opened with ?last_seq=last_seq()),
  /// keeping the events applied so far.
  void reconnect(std::unique_ptr<ws_client> client) {
    client_ = std::move(client);
  }

private:
  std::unique_ptr<ws_client> client_;
  client_sequence sequence_;
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
