#pragma once

// The one HTTP/1.1 server of the product (Boost.Beast behind this header, so
// including it costs nothing): the orchestrator's and the relay's APIs, and
// the gateway's REST, console and WebSocket upgrades. One policy for all:
//
//   400 a malformed request or URL     413 a body over max_body_bytes
//   408 a request begun, not finished  431 headers over max_header_bytes
//       within idle_timeout            503 above max_connections
//   500 with a JSON body for any exception a handler throws (or a handler
//       that drops its responder without answering)
//
// HEAD is answered as GET, without the body. An idle keep-alive connection is
// closed after idle_timeout. Connections are spread over `threads` lanes (one
// loop and thread each); a connection lives on its lane, and its handler runs
// there. Accept errors (out of descriptors...) never end the accept loop:
// see runtime/http_edge.hpp. Routes answer 404/405/429 themselves.

#include <cstdint>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "protocol/result.hpp"

namespace draft {

/// A parsed request.
struct http_request {
  std::string method;                       ///< "GET", "POST", …
  std::string path;                         ///< percent-decoded, no query
  std::map<std::string, std::string> query; ///< percent-decoded parameters
  std::map<std::string, std::string> headers; ///< lower-case names
  std::string body;
  /// Asks for a WebSocket upgrade (GET, HTTP/1.1, Connection: upgrade,
  /// Upgrade: websocket).
  bool websocket = false;
  /// The client's IP address.
  std::string peer_address;

  /// The header `name` (lower case) or empty.
  std::string header(const std::string& name) const;
};

/// What a handler answers.
struct http_response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  /// Extra headers, e.g. a page's Content-Security-Policy.
  std::vector<std::pair<std::string, std::string>> headers = {};
};

/// The token of an `Authorization: Bearer <token>` header, or "" when the
/// header is anything else. The scheme is case-insensitive (RFC 7235 2.1);
/// one or more spaces separate it from the token, which must be non-empty
/// and hold no space. The one parser every app uses.
std::string bearer_of(std::string_view authorization);

/// The token a request presents: its bearer token, or — on a GET only — its
/// `?token=` (a browser cannot set headers on a WebSocket or a link). A
/// request that changes something takes its token from the header. The one
/// rule every app applies.
std::string request_token(std::string_view method, std::string_view authorization,
                          const std::map<std::string, std::string>& query);

/// `{"error": code, "message": message}` with `status`.
http_response json_error(int status, const std::string& code,
                         const std::string& message);

struct http_upgrade; // runtime/http_lane.hpp

/// How an asynchronous handler answers: once, from any thread. Copies share
/// one exchange; if the last copy goes without an answer, the client gets a
/// 500 (a handler bug never leaves a connection hanging).
class http_responder {
public:
  struct exchange;
  explicit http_responder(std::shared_ptr<exchange> x) : x_(std::move(x)) {}

  /// Sends `res`; later answers are ignored.
  void operator()(http_response res) const;
  /// Hands the connection over instead of answering (a WebSocket upgrade):
  /// `take` runs on the connection's lane and owns the stream from then on.
  /// False if the request was answered already.
  bool upgrade(std::function<void(http_upgrade&)> take) const;
  /// Closes the connection without an answer (a flood gets no work).
  void drop() const;

private:
  std::shared_ptr<exchange> x_;
};

/// Listens on one address; stops (and joins its threads) when destroyed.
class http_server {
public:
  /// Answers on the connection's lane (may block briefly: a transaction).
  using handler = std::function<http_response(const http_request&)>;
  /// Answers later, through the responder.
  using async_handler = std::function<void(http_request, http_responder)>;

  struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0; ///< 0 picks a free port
    int threads = 2;        ///< lanes
    std::size_t max_body_bytes = 64 * 1024;  ///< larger: 413
    std::size_t max_header_bytes = 8 * 1024; ///< larger (a huge token): 431
    /// HTTP connections served at once (an upgraded connection no longer
    /// counts); above it a new one gets 503 and is closed.
    int max_connections = 1024;
    /// A connection with no request for this long is closed; one whose
    /// request is still incomplete then gets a 408.
    std::chrono::milliseconds idle_timeout{30000};
    /// The `Server` header, and the logger and metric prefix.
    std::string name = "http";
  };

  /// Binds and starts serving; a problem if the address cannot be bound.
  static result<std::unique_ptr<http_server>> start(const options& opts,
                                                    handler on_request);
  static result<std::unique_ptr<http_server>>
  start_async(const options& opts, async_handler on_request);

  ~http_server();

  /// The bound port (useful with port 0).
  std::uint16_t port() const;

  /// HTTP connections open now (not counting upgraded ones).
  int connections() const;

  /// Closes the listening socket; connections already open are served on.
  void stop_accepting();

  /// Stops accepting, lets the lanes finish what is queued for up to
  /// `grace`, then stops them and joins their threads; idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(0));

  struct impl;

private:
  explicit http_server(std::unique_ptr<impl> state);
  /// Exactly one of the handlers is set.
  static result<std::unique_ptr<http_server>>
  launch(const options& opts, handler sync, async_handler async);
  std::unique_ptr<impl> impl_;
};

/// Decodes %XX and '+' (in queries); false on a malformed escape.
bool percent_decode(const std::string& in, std::string& out, bool plus_is_space);

/// Splits a request target into its decoded path and query parameters;
/// false on a malformed percent-escape.
bool parse_request_target(const std::string& target, std::string& path,
                          std::map<std::string, std::string>& query);

/// The non-empty segments of a path: "/api/drafts/x" -> {"api", "drafts", "x"}.
std::vector<std::string> split_path(const std::string& path);

} // namespace draft
