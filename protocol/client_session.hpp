#pragma once

// One draft client's connection logic, without I/O — the part every C++
// client shares whatever its transport (the blocking runtime/ws_client of
// the tests and draft-bots, the loadgen's asynchronous Beast streams), and
// the same rules as the TypeScript SDK (protocol/js/src/close_policy.ts,
// backoff.ts):
//   - where to connect: a list of gateway nodes (or one load-balanced
//     address); "elsewhere" is the next one,
//   - with which request target: /drafts/{id}/connect, with ?last_seq=
//     once the client has applied anything, so a reconnect resumes,
//   - each server frame through the seq rule (protocol/client_sequence.hpp);
//     a gap answers with the resume message to send,
//   - what a close code (or a refused upgrade's HTTP status) means: retry
//     here, retry elsewhere, get a fresh token, or give up — and after how
//     long (exponential back-off with full jitter, reset once a connection
//     opens).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol/client_sequence.hpp"

namespace draft {

enum class close_action { retry, retry_elsewhere, refresh_token, give_up };

/// A close code received on an open connection (docs/protocol.md §10); 0
/// for a connection that ended without one (dropped, or a node killed).
close_action classify_close(int code);

/// A refused upgrade's HTTP status; `previous_401s` counts the 401s just
/// before it (a refreshed token gets one more try). `reason` says why a
/// give-up gave up: "unauthorized", "forbidden" or "unknown_draft".
close_action classify_refusal(int status, int previous_401s, std::string* reason);

const char* to_string(close_action a);

struct backoff_policy {
  std::chrono::milliseconds base{500};
  std::chrono::milliseconds cap{30'000};
};

/// random01 * min(cap, base * 2^attempt), random01 in [0, 1).
std::chrono::milliseconds backoff_delay(int attempt, const backoff_policy& policy,
                                        double random01);

struct gateway_address {
  std::string host;
  std::uint16_t port = 0;
};

class client_session {
public:
  /// `nodes` are shared by every session of a process (the loadgen holds
  /// thousands); the first connection goes to nodes[first_node].
  /// A session that only applies the seq rule (no draft, no nodes: the
  /// caller connects).
  client_session();
  client_session(std::string draft_id,
                 std::shared_ptr<const std::vector<gateway_address>> nodes,
                 std::size_t first_node = 0, backoff_policy backoff = {},
                 std::uint32_t seed = 1);

  /// Where the next connection goes, and its request target: ?last_seq=
  /// once anything was applied; `extra_query` ("token=...") is appended.
  const gateway_address& node() const;
  std::size_t node_index() const { return node_; }
  std::string target(const std::string& extra_query = {}) const;

  /// The connection is open: the back-off starts again from the base.
  void opened();

  /// One server frame (decoded, or its header alone). After a gap `reply`
  /// is the resume message to send; otherwise it is left empty.
  client_sequence::verdict take(const json::server_message& m, std::string& reply);
  client_sequence::verdict take(const json::frame_header& h, std::string& reply);

  /// What to do once a connection ended (its close code, 0 if none) or an
  /// upgrade was refused (its HTTP status). For a retry elsewhere, node()
  /// has moved on; `delay` is how long to wait first.
  struct next_step {
    close_action action;
    std::chrono::milliseconds delay{0};
    std::string reason; ///< for give_up
  };
  next_step closed(int close_code);
  next_step refused(int http_status);

  const client_sequence& sequence() const { return sequence_; }
  /// Continues from a seq known from elsewhere (as if applied).
  void resume_from(std::int64_t seq) { sequence_.resume_from(seq); }
  /// Connections that ended (each followed by a reconnect unless given up).
  int ends() const { return ends_; }

private:
  next_step step(close_action action, std::string reason);
  double random01();

  std::string draft_id_;
  std::shared_ptr<const std::vector<gateway_address>> nodes_;
  std::size_t node_ = 0;
  backoff_policy backoff_;
  std::uint32_t random_;
  int attempt_ = 0;
  int previous_401s_ = 0;
  int ends_ = 0;
  client_sequence sequence_;
};

} // namespace draft
