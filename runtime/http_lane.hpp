#pragma once

// The Beast side of runtime/http_server.hpp, for code that takes a
// connection over after an upgrade (the gateway's WebSocket session).
// Include it only from the translation units that need Beast.

#include <atomic>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "runtime/http_server.hpp"
#include "runtime/work_lane.hpp"

namespace draft {

/// One I/O thread and its loop. A connection is accepted onto one lane and
/// lives there (its reads, writes and timers), so it needs no strand.
class http_lane : public work_lane {
public:
  boost::asio::io_context io{1};
  /// The WebSocket sessions' keep-alive sweep of this lane (owned here so
  /// that its timer dies before the loop it runs on).
  std::shared_ptr<void> websocket_watch;

  /// Tasks posted through `post` (fan-out, replays) not yet started. A
  /// WebSocket session with frames to write writes at once when there are
  /// none, and after them when there are: they may queue more frames for
  /// it, which then share its gather write.
  std::atomic<int> posted{0};

  void post(std::function<void()> work) override {
    posted.fetch_add(1, std::memory_order_relaxed);
    boost::asio::post(io, [this, work = std::move(work)] {
      posted.fetch_sub(1, std::memory_order_relaxed);
      work();
    });
  }
};

/// A connection handed over by `http_responder::upgrade`: its stream, the
/// request that asked for the upgrade, and the lane it lives on.
struct http_upgrade {
  boost::beast::tcp_stream stream;
  boost::beast::http::request<boost::beast::http::string_body> request;
  http_lane& lane;
};

} // namespace draft
