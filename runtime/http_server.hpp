#pragma once

// A small HTTP/1.1 server (Boost.Beast behind this header, so including it
// costs nothing) for the JSON APIs, /health and /metrics of every process.
// Handlers run on the server's I/O threads and may block briefly (a database
// transaction); keep-alive, body limits and malformed requests are handled
// here, so handlers see only well-formed requests.

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

/// Listens on one address; stops (and joins its threads) when destroyed.
class http_server {
public:
  using handler = std::function<http_response(const http_request&)>;

  struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0; ///< 0 picks a free port
    int threads = 2;
    std::size_t max_body_bytes = 64 * 1024;  ///< larger: 413
    std::size_t max_header_bytes = 8 * 1024; ///< larger (a huge token): 431
    /// Connections served at once; above it a new one gets 503 and is closed.
    int max_connections = 1024;
    /// A connection idle this long (no request, or a request not finished)
    /// is closed.
    std::chrono::milliseconds idle_timeout{30000};
  };

  /// Binds and starts serving; a problem if the address cannot be bound.
  static result<std::unique_ptr<http_server>> start(const options& opts,
                                                    handler on_request);

  ~http_server();

  /// The bound port (useful with port 0).
  std::uint16_t port() const;

  /// Stops accepting and closes connections; idempotent.
  void stop();

  struct impl;

private:
  explicit http_server(std::unique_ptr<impl> state);
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
