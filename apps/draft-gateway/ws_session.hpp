#pragma once

// One WebSocket connection (Beast). It is the socket actor's sink: frames
// queue here (bounded) and are written one at a time on the connection's
// strand; client messages are decoded and handed to the socket actor.
// Included only by the two Beast translation units of this app.

#include <deque>
#include <memory>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "actors/socket_actor.hpp"
#include "gateway_context.hpp"

namespace draft {

/// One I/O thread and its loop; the connections accepted onto it live and
/// are written on it, so sessions need no strand.
class io_lane : public socket_lane {
public:
  boost::asio::io_context io{1};

  void post(std::function<void()> work) override;
};

class ws_session : public socket_sink,
                   public std::enable_shared_from_this<ws_session> {
public:
  ws_session(boost::beast::tcp_stream stream, io_lane& lane,
             gateway_context& context, connection_info info);
  ~ws_session() override;

  /// Completes the upgrade of `request`, then subscribes to `draft`.
  void start(boost::beast::http::request<boost::beast::http::string_body> request,
             caf::actor draft);

  void send(frame_ptr frame, bool live) override;
  void send_on_lane(const frame_ptr& frame, bool live) override;
  socket_lane& lane() override { return lane_; }
  void close(std::uint16_t code, std::string reason) override;
  sink_counters counters() const override {
    return {queued_.load(std::memory_order_relaxed),
            bytes_in_.load(std::memory_order_relaxed),
            bytes_out_.load(std::memory_order_relaxed)};
  }

private:
  void enqueue(frame_ptr frame, bool live);
  void write_next();
  void read_next();
  void on_read(boost::beast::error_code ec);
  void begin_close(std::uint16_t code, std::string reason);
  void send_close();
  void finish();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  io_lane& lane_;
  gateway_context& context_;
  connection_info info_;
  caf::actor socket_actor_;
  boost::beast::flat_buffer read_buffer_;
  std::deque<std::pair<frame_ptr, bool>> queue_; // frame, live
  std::size_t live_queued_ = 0;
  // Written on the lane only, read by the socket actor (admin console).
  std::atomic<std::uint64_t> queued_{0};
  std::atomic<std::uint64_t> bytes_in_{0};
  std::atomic<std::uint64_t> bytes_out_{0};
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
  std::uint16_t pending_close_code_ = 0;
  std::string pending_close_reason_;
};

} // namespace draft
