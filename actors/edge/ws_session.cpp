#include "actors/edge/ws_session.hpp"
#include "actors/edge/send_queue.hpp"

#include <memory>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <caf/all.hpp>

#include "actors/gateway_metrics.hpp"
#include "protocol/json_codec.hpp"
#include "runtime/http_lane.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"

namespace draft {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace asio = boost::asio;

namespace {

histogram& fanout_latency() {
  return fanout_latency_histogram();
}

counter& refusals(const char* reason) {
  return default_metrics().get_counter("gateway_closes_total",
                                       "WebSocket closes by reason.",
                                       {{"reason", reason}});
}

} // namespace

class ws_session : public socket_sink,
                   public std::enable_shared_from_this<ws_session> {
public:
  ws_session(boost::beast::tcp_stream stream, http_lane& lane,
             gateway_context& context, connection_info info);
  ~ws_session() override;

  /// Completes the upgrade of `request`, then subscribes to `draft`.
  void start(boost::beast::http::request<boost::beast::http::string_body> request,
             draft_actor_api draft);

  void send(frame_ptr frame, bool live) override;
  void send_batch(std::vector<frame_ptr> frames, bool live) override;
  void send_on_lane(const frame_ptr& frame, bool live) override;
  socket_lane& lane() override { return lane_; }
  void close(std::uint16_t code, std::string reason) override;
  sink_counters counters() const override {
    return {queued_.load(std::memory_order_relaxed)
              + posted_.load(std::memory_order_relaxed),
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
  http_lane& lane_;
  gateway_context& context_;
  connection_info info_;
  socket_api socket_actor_;
  boost::beast::flat_buffer read_buffer_;
  send_queue<std::pair<frame_ptr, bool>> queue_; // frame, live
  std::size_t queued_bytes_ = 0;
  // Written on the lane only, read by the socket actor (admin console).
  std::atomic<std::uint64_t> queued_{0};
  std::atomic<std::uint64_t> posted_{0}; ///< sent, not yet on the lane
  std::atomic<std::uint64_t> bytes_in_{0};
  std::atomic<std::uint64_t> bytes_out_{0};
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
  std::uint16_t pending_close_code_ = 0;
  std::string pending_close_reason_;
};


ws_session::ws_session(beast::tcp_stream stream, http_lane& lane,
                       gateway_context& context, connection_info info)
  : ws_(std::move(stream)), lane_(lane), context_(context),
    info_(std::move(info)) {
}

ws_session::~ws_session() {
  finish();
}

void ws_session::start(beast::http::request<beast::http::string_body> request,
                       draft_actor_api draft) {
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(
    websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.set_option(websocket::stream_base::decorator(
    [](websocket::response_type& res) {
      res.set(beast::http::field::server, "draft-gateway");
    }));
  // Messages over the limit are closed with 4009 below; the WebSocket layer
  // itself stops absurd ones (16x the limit) with the standard 1009.
  ws_.read_message_max(context_.options.max_message_bytes * 16);
  ws_.auto_fragment(false);
  auto self = shared_from_this();
  ws_.async_accept(request, [self, draft](beast::error_code ec) {
    if (ec) {
      self->finish();
      return;
    }
    self->context_.track(self);
    self->socket_actor_ = spawn_socket_actor(
      self->context_.system, self, draft, self->context_.database, self->info_);
    if (self->context_.admin)
      caf::anon_send(self->context_.admin, register_atom::value,
                     self->socket_actor_, socket_atom::value);
    self->read_next();
  });
}

void ws_session::send(frame_ptr frame, bool live) {
  send_batch({std::move(frame)}, live);
}

void ws_session::send_batch(std::vector<frame_ptr> frames, bool live) {
  // One task on the lane for them all. Counted from now: a paced replay
  // reads the queue through counters() and must see the frames still on
  // their way to the lane.
  posted_.fetch_add(frames.size(), std::memory_order_relaxed);
  asio::post(ws_.get_executor(),
             [self = shared_from_this(), fs = std::move(frames), live]() mutable {
               self->posted_.fetch_sub(fs.size(), std::memory_order_relaxed);
               for (auto& f : fs)
                 self->enqueue(std::move(f), live);
             });
}

void ws_session::send_on_lane(const frame_ptr& frame, bool live) {
  enqueue(frame, live);
}

void ws_session::close(std::uint16_t code, std::string reason) {
  asio::post(ws_.get_executor(),
             [self = shared_from_this(), code, r = std::move(reason)]() mutable {
               self->begin_close(code, std::move(r));
             });
}

void ws_session::enqueue(frame_ptr frame, bool live) {
  if (closing_ || finished_)
    return;
  // Every frame counts, live or replayed, in number and in bytes: a client
  // that does not read is closed, it resumes with last_seq later.
  auto& o = context_.options;
  if (queue_.size() >= o.send_queue_limit
      || queued_bytes_ + frame->text.size() > o.send_queue_bytes) {
    refusals("slow_consumer").inc();
    caf::anon_send(socket_actor_, slow_atom::value, frame->seq);
    begin_close(4008, "slow consumer: reconnect with last_seq");
    return;
  }
  queued_bytes_ += frame->text.size();
  queue_.push_back({std::move(frame), live});
  queued_.store(queue_.size(), std::memory_order_relaxed);
  if (!writing_)
    write_next();
}

void ws_session::write_next() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(
    asio::buffer(queue_.front().first->text),
    [self = shared_from_this()](beast::error_code ec, std::size_t) {
      auto& s = *self;
      if (ec) {
        s.writing_ = false;
        s.finish();
        return;
      }
      auto& [sent, live] = s.queue_.front();
      if (sent->created_at > 0) {
        auto now = now_utc();
        sent->note_write(now);
        if (live)
          fanout_latency().observe(static_cast<double>(now - sent->created_at)
                                   / 1e6);
      }
      s.queued_bytes_ -= sent->text.size();
      s.bytes_out_.fetch_add(sent->text.size(), std::memory_order_relaxed);
      s.queue_.pop_front();
      s.queued_.store(s.queue_.size(), std::memory_order_relaxed);
      if (s.closing_) {
        s.writing_ = false;
        s.send_close();
      } else if (!s.queue_.empty()) {
        s.write_next();
      } else {
        s.writing_ = false;
      }
    });
}

void ws_session::begin_close(std::uint16_t code, std::string reason) {
  if (finished_ || closing_)
    return;
  closing_ = true;
  pending_close_code_ = code;
  pending_close_reason_ = std::move(reason);
  // Drop what is queued, but not the frame being written (its buffer is in
  // use). A stuck write — a client that stopped reading — gets a deadline.
  if (!queue_.empty()) {
    queue_.truncate(writing_ ? 1 : 0);
    queued_bytes_ = queue_.empty() ? 0 : queue_.front().first->text.size();
    queued_.store(queue_.size(), std::memory_order_relaxed);
  }
  // Bound the close handshake (and a stuck write before it): the WebSocket
  // layer's handshake timeout also limits close operations.
  websocket::stream_base::timeout limits;
  ws_.get_option(limits);
  limits.handshake_timeout = std::chrono::seconds(2);
  ws_.set_option(limits);
  beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(2));
  if (!writing_)
    send_close();
}

void ws_session::send_close() {
  // A close frame may not overlap a write, so this runs when none is active.
  ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(pending_close_code_),
                                          pending_close_reason_),
                  [self = shared_from_this()](beast::error_code) {
                    self->finish();
                  });
}

void ws_session::read_next() {
  ws_.async_read(read_buffer_,
                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                   self->on_read(ec);
                 });
}

void ws_session::on_read(beast::error_code ec) {
  if (ec == websocket::error::message_too_big) {
    refusals("message_too_big").inc();
    begin_close(4009, "message too big: at most "
                        + std::to_string(context_.options.max_message_bytes)
                        + " bytes");
    return;
  }
  if (ec) {
    finish();
    return;
  }
  auto text = beast::buffers_to_string(read_buffer_.data());
  read_buffer_.consume(read_buffer_.size());
  // Clients write rarely (a ping, a resume): hold no read buffer in between.
  read_buffer_.shrink_to_fit();
  bytes_in_.fetch_add(text.size(), std::memory_order_relaxed);
  if (text.size() > context_.options.max_message_bytes) {
    refusals("message_too_big").inc();
    begin_close(4009, "message too big: at most "
                        + std::to_string(context_.options.max_message_bytes)
                        + " bytes");
    return;
  }
  json::limits lim;
  lim.max_bytes = context_.options.max_message_bytes;
  auto message = json::decode_client_message(text, lim);
  if (!message) {
    refusals("bad_message").inc();
    begin_close(4000, "bad message: " + message.error().to_string());
    return;
  }
  if (auto resume = std::get_if<resume_request>(&*message))
    caf::anon_send(socket_actor_, *resume);
  else if (auto ping = std::get_if<ping_request>(&*message))
    caf::anon_send(socket_actor_, *ping);
  read_next();
}

void ws_session::finish() {
  if (finished_)
    return;
  finished_ = true;
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  context_.untrack(this);
  context_.release(info_.user);
  if (socket_actor_)
    caf::anon_send(socket_actor_, closed_atom::value);
}

void start_websocket(gateway_context& context, http_upgrade& up,
                     connection_info info, draft_actor_api draft) {
  if (context.options.socket_send_buffer > 0) {
    beast::error_code ignored;
    up.stream.socket().set_option(
      asio::socket_base::send_buffer_size(context.options.socket_send_buffer),
      ignored);
  }
  // The last reference may drop on any thread (a socket actor, a draft
  // actor's fan-out task); the session itself must die on its lane, where
  // its socket and Beast's timers live, so the deleter hands it back there.
  auto* lane = &up.lane;
  std::shared_ptr<ws_session> session(
    new ws_session(std::move(up.stream), up.lane, context, std::move(info)),
    [lane](ws_session* s) { asio::post(lane->io, [s] { delete s; }); });
  session->start(std::move(up.request), std::move(draft));
}

} // namespace draft
