#pragma once

// The policy every HTTP server of the product shares at its edge (Asio and
// Beast behind this header: include it only from the .cpp files that run a
// server — runtime/http_server.cpp and the gateway's session).
//
// Reading: a body over the limit is a 413, headers over the limit (a huge
// token) a 431, any other malformed request a 400, each with a JSON body;
// an idle connection or a peer that went away is just closed.
//
// An accept error — out of descriptors (EMFILE, ENFILE), of buffers
// (ENOBUFS), a connection aborted before it was taken — never ends the loop:
// it is counted in `<prefix>_accept_errors_total{error}`, logged at most once
// a second (with how many were not logged), and accepting resumes after a
// short back-off, so descriptors freed later are accepted again and an
// exhausted process does not spin.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#include "runtime/http_server.hpp"

#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"

namespace draft {

class accept_guard {
public:
  /// `prefix` names the metric (`gateway`, `http`); `component` the logger.
  accept_guard(boost::asio::any_io_executor executor, std::string prefix,
               std::string component,
               std::chrono::milliseconds backoff = std::chrono::milliseconds(100))
    : timer_(std::move(executor)), prefix_(std::move(prefix)),
      component_(std::move(component)), backoff_(backoff) {}

  /// Records the failed accept `ec`, then calls `retry` after the back-off.
  void failed(const boost::system::error_code& ec, std::function<void()> retry) {
    default_metrics()
      .get_counter(prefix_ + "_accept_errors_total",
                   "Failed accepts (descriptors or buffers exhausted, ...).",
                   {{"error", ec.message()}})
      .inc();
    auto now = std::chrono::steady_clock::now();
    if (now - last_log_ >= std::chrono::seconds(1)) {
      logger::get(component_).warn(
        "accept failed; retrying shortly",
        {{"error", ec.message()},
         {"not_logged_since_last", static_cast<std::uint64_t>(suppressed_)}});
      last_log_ = now;
      suppressed_ = 0;
    } else {
      ++suppressed_;
    }
    timer_.expires_after(backoff_);
    timer_.async_wait([retry = std::move(retry)](const boost::system::error_code& e) {
      if (!e)
        retry();
    });
  }

  /// Stops a pending retry (shutdown).
  void cancel() { timer_.cancel(); }

private:
  boost::asio::steady_timer timer_;
  std::string prefix_;
  std::string component_;
  std::chrono::milliseconds backoff_;
  std::chrono::steady_clock::time_point last_log_{};
  std::uint64_t suppressed_ = 0;
};

/// The answer to a failed request read, or nothing when the connection should
/// just close (end of stream, idle timeout, reset, shutdown).
inline std::optional<http_response>
read_refusal(const boost::system::error_code& ec, std::size_t max_body,
             std::size_t max_header) {
  namespace http = boost::beast::http;
  if (ec == http::error::end_of_stream || ec == boost::beast::error::timeout
      || ec == boost::asio::error::operation_aborted
      || ec == boost::asio::error::connection_reset
      || ec == boost::asio::error::eof)
    return std::nullopt;
  if (ec == http::error::body_limit)
    return json_error(413, "body_too_large",
                      "the request body exceeds " + std::to_string(max_body)
                        + " bytes");
  if (ec == http::error::header_limit)
    return json_error(431, "headers_too_large",
                      "the request headers exceed " + std::to_string(max_header)
                        + " bytes (a token that large is refused)");
  return json_error(400, "bad_request", "malformed HTTP request: " + ec.message());
}

/// Raises this process's soft descriptor limit to its hard limit (every
/// server calls it at start-up: one descriptor per connection).
void raise_descriptor_limit();

} // namespace draft
