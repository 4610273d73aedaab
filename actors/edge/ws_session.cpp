#include "actors/edge/ws_session.hpp"
#include "actors/edge/send_queue.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/field.hpp>
#include <caf/all.hpp>

#include "actors/gateway_metrics.hpp"
#include "protocol/json_codec.hpp"
#include "runtime/http_lane.hpp"
#include "runtime/http_server.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"
#include "runtime/ws_frames.hpp"

namespace draft {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using steady = std::chrono::steady_clock;

namespace {

// Frames gathered into one write, at most: 2 buffers each, well under
// IOV_MAX (1024), and a bound on what one write holds up.
constexpr std::size_t max_frames_per_write = 64;
constexpr std::size_t max_bytes_per_write = 256 * 1024;

// Keep-alive (gateway_options::ws_idle_timeout): a lane's sweep runs this
// often at most.
constexpr auto sweep_every = std::chrono::milliseconds(10000);

// A close handshake (and a stuck write before it) gets this long.
constexpr auto close_deadline = std::chrono::seconds(2);

counter& refusals(const char* reason) {
  return default_metrics().get_counter("gateway_closes_total",
                                       "WebSocket closes by reason.",
                                       {{"reason", reason}});
}

// Gather writes and the frames they carried: frames per write above one is
// what coalescing saves in syscalls.
counter& writes_total() {
  static counter& c = default_metrics().get_counter(
    "gateway_ws_writes_total", "Gather writes of WebSocket frames.", {});
  return c;
}

counter& frames_written_total() {
  static counter& c = default_metrics().get_counter(
    "gateway_ws_frames_written_total", "WebSocket data frames written.", {});
  return c;
}

} // namespace

// What one gather write holds until it completes: each frame's header, the
// buffers, and the control frames sent before the data.
struct write_batch {
  std::vector<std::array<std::uint8_t, ws::max_header_bytes>> headers;
  std::vector<asio::const_buffer> buffers;
  std::string control;
  std::size_t frames = 0;
};

// A lane's spare write batches: a connection takes one when its writes start
// and gives it back when they stop, so an idle connection holds none and a
// busy lane allocates none per write. Lane-local (sessions never leave their
// lane), bounded, and big ones are not kept.
std::vector<std::unique_ptr<write_batch>>& spare_batches() {
  thread_local std::vector<std::unique_ptr<write_batch>> spare;
  return spare;
}

std::unique_ptr<write_batch> take_batch() {
  auto& spare = spare_batches();
  if (spare.empty())
    return std::make_unique<write_batch>();
  auto b = std::move(spare.back());
  spare.pop_back();
  return b;
}

void give_back(std::unique_ptr<write_batch> b) {
  auto& spare = spare_batches();
  if (spare.size() >= 16384 || b->headers.capacity() > 8)
    return; // freed
  b->control.clear();
  spare.push_back(std::move(b));
}

class ws_session;

/// The sessions of one lane, swept for keep-alive and token expiry by one
/// timer of the lane (not one timer per connection): every `every`, and
/// earlier when a token expires sooner. Touched on the lane only.
struct lane_watch {
  lane_watch(asio::io_context& io, std::chrono::milliseconds idle)
    : timer(io), every(std::min(sweep_every, idle / 4)) {}
  asio::steady_timer timer;
  std::chrono::milliseconds every;
  std::vector<ws_session*> sessions;
  bool armed = false;
  steady::time_point next_at{}; ///< when the armed sweep runs
};

class ws_session : public socket_sink,
                   public std::enable_shared_from_this<ws_session> {
public:
  ws_session(tcp::socket socket, http_lane& lane, gateway_context& context,
             connection_info info)
    : socket_(std::move(socket)), lane_(lane), context_(context),
      user_(info.user), token_valid_until_(info.token_valid_until),
      info_(std::make_unique<connection_info>(std::move(info))),
      reader_(context.options.max_message_bytes, 4009) {}
  ~ws_session() override { finish(); }

  void start(boost::beast::http::request<boost::beast::http::string_body> request,
             draft_actor_api draft);

  void send(frame_ptr frame, bool live) override {
    send_batch({std::move(frame)}, live);
  }
  void send_batch(std::vector<frame_ptr> frames, bool live) override;
  void posting(std::size_t frames) override;
  void send_posted(std::vector<frame_ptr> frames, bool live) override;
  void send_on_lane(const frame_ptr& frame, bool live) override {
    if (enqueue(frame, live))
      schedule_write();
  }
  socket_lane& lane() override { return lane_; }
  void close(std::uint16_t code, std::string reason) override;
  sink_counters counters() const override {
    return {queued_.load(std::memory_order_relaxed)
              + posted_.load(std::memory_order_relaxed),
            bytes_in_.load(std::memory_order_relaxed),
            bytes_out_.load(std::memory_order_relaxed)};
  }

  /// The lane sweep's checks at `now` (`wall`: µs since the epoch):
  /// keep-alive, and the token's expiry (then 4001).
  void sweep(steady::time_point now, timestamp wall);
  /// When this session's token expires, if before `limit`.
  std::optional<steady::time_point> expires_before(steady::time_point now,
                                                   timestamp wall,
                                                   steady::time_point limit) const;

private:
  friend void sweep_lane(const std::shared_ptr<lane_watch>& watch,
                         steady::time_point at);

  void refuse_handshake(int status, const std::string& code,
                        const std::string& message);
  void opened(draft_actor_api draft);
  void read_next();
  void on_readable(error_code ec);
  void handle(ws::client_event& event);
  void on_message(const std::string& text);
  /// Queues `frame` (no write started); false if the session is closing or
  /// the frame closed it (slow consumer).
  bool enqueue(frame_ptr frame, bool live);
  void queue_control(ws::opcode op, std::string_view payload);
  /// Writes every queued frame (and a waiting control frame), in gather
  /// writes, until the queue is empty or the socket is full.
  void write_next();
  /// write_next from the lane's flush task, unless a write is under way or
  /// already due: the frames queued for this session until the task runs
  /// share its writes.
  void schedule_write();
  friend void flush_lane();
  void on_written(error_code ec);
  /// The batch was written: its frames leave the queue. True when more
  /// waits to be written (writing_ stays true), false when the writes stop.
  bool written_through();
  void begin_close(std::uint16_t code, std::string reason);
  void send_close();
  void watch();
  void unwatch();
  void finish();

  tcp::socket socket_;
  http_lane& lane_;
  gateway_context& context_;
  std::string user_;     ///< whose connection slot this is
  std::int64_t token_valid_until_; ///< s since the epoch; 0: no expiry
  /// Until the socket actor takes it (not held by an open session).
  std::unique_ptr<connection_info> info_;
  socket_api socket_actor_;
  ws::client_reader reader_;
  send_queue<std::pair<frame_ptr, bool>> queue_; // frame, live
  std::size_t queued_bytes_ = 0;
  std::string control_; ///< a pong or keep-alive ping waiting (one at most)
  std::unique_ptr<write_batch> batch_; ///< while writes follow each other
  std::unique_ptr<asio::steady_timer> deadline_; ///< closing only
  std::weak_ptr<lane_watch> watch_;
  std::size_t watch_index_ = 0;
  steady::time_point last_heard_ = steady::now();
  // Written on the lane only, read by the socket actor (admin console).
  std::atomic<std::uint64_t> queued_{0};
  std::atomic<std::uint64_t> posted_{0}; ///< sent, not yet on the lane
  std::atomic<std::uint64_t> bytes_in_{0};
  std::atomic<std::uint64_t> bytes_out_{0};
  bool writing_ = false;
  bool write_due_ = false;  ///< in the lane's flush list
  bool pinged_ = false;     ///< a keep-alive ping is out, unanswered
  bool closing_ = false;
  bool close_sent_ = false; ///< our close frame is written (or being)
  bool peer_closed_ = false; ///< the client's close frame arrived
  bool finished_ = false;
  std::uint16_t pending_close_code_ = 0;
  std::string pending_close_reason_;
};

void sweep_lane(const std::shared_ptr<lane_watch>& watch, steady::time_point at) {
  watch->armed = true;
  watch->next_at = at;
  watch->timer.expires_at(at); // a wait under way ends with operation_aborted
  watch->timer.async_wait([weak = std::weak_ptr<lane_watch>(watch)](error_code ec) {
    auto w = weak.lock();
    if (ec || !w)
      return; // stopped, or armed again for another time
    w->armed = false;
    auto now = steady::now();
    auto wall = now_utc();
    auto next = now + w->every;
    // A sweep may finish sessions, which leave the list: walk a copy.
    std::vector<std::shared_ptr<ws_session>> live;
    for (auto* s : w->sessions)
      if (auto p = s->weak_from_this().lock())
        live.push_back(std::move(p));
    for (auto& s : live) {
      s->sweep(now, wall);
      if (auto due = s->expires_before(now, wall, next))
        next = *due;
    }
    if (!w->sessions.empty())
      sweep_lane(w, next);
  });
}

void ws_session::watch() {
  if (!lane_.websocket_watch)
    lane_.websocket_watch
      = std::make_shared<lane_watch>(lane_.io, context_.options.ws_idle_timeout);
  auto w = std::static_pointer_cast<lane_watch>(lane_.websocket_watch);
  watch_ = w;
  watch_index_ = w->sessions.size();
  w->sessions.push_back(this);
  auto now = steady::now();
  auto at = w->armed ? w->next_at : now + w->every;
  auto due = expires_before(now, now_utc(), at);
  if (!w->armed || due)
    sweep_lane(w, due ? *due : at);
}

void ws_session::unwatch() {
  auto w = watch_.lock();
  if (!w)
    return;
  auto& list = w->sessions;
  list[watch_index_] = list.back();
  list[watch_index_]->watch_index_ = watch_index_;
  list.pop_back();
  watch_.reset();
}

std::optional<steady::time_point>
ws_session::expires_before(steady::time_point now, timestamp wall,
                           steady::time_point limit) const {
  if (token_valid_until_ <= 0 || finished_ || closing_)
    return std::nullopt;
  // In seconds first: a token valid until the year 3000 must not overflow.
  auto left_s = token_valid_until_ - wall / 1'000'000;
  if (left_s > 24 * 3600)
    return std::nullopt;
  auto at = now + std::chrono::microseconds(
                    std::max<timestamp>(0, token_valid_until_ * 1'000'000 - wall));
  if (at >= limit)
    return std::nullopt;
  return at;
}

void ws_session::sweep(steady::time_point now, timestamp wall) {
  if (finished_ || closing_)
    return;
  if (token_valid_until_ > 0 && wall / 1'000'000 >= token_valid_until_) {
    // The session lasts as long as its token: then 4001, and the client
    // reconnects with a fresh token and its last seq. The socket actor
    // logs it and stops.
    refusals("token_expired").inc();
    begin_close(4001, "token expired: reconnect with a fresh token and last_seq");
    if (socket_actor_)
      caf::anon_send(socket_actor_, expire_atom::value);
    return;
  }
  auto silent = now - last_heard_;
  auto idle = context_.options.ws_idle_timeout;
  if (silent >= idle) {
    refusals("idle").inc();
    finish();
  } else if (silent >= idle / 2 && !pinged_) {
    pinged_ = true;
    queue_control(ws::opcode::ping, "");
  }
}

void ws_session::start(
  boost::beast::http::request<boost::beast::http::string_body> request,
  draft_actor_api draft) {
  namespace http = boost::beast::http;
  auto version = request[http::field::sec_websocket_version];
  if (version != "13")
    return refuse_handshake(426, "unsupported_websocket_version",
                            "Sec-WebSocket-Version must be 13");
  auto key = request[http::field::sec_websocket_key];
  if (!ws::valid_client_key({key.data(), key.size()}))
    return refuse_handshake(400, "bad_websocket_key",
                            "Sec-WebSocket-Key must be base64 of 16 bytes");
  auto response = std::make_shared<std::string>(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nServer: draft-gateway\r\nSec-WebSocket-Accept: "
    + ws::accept_key({key.data(), key.size()}) + "\r\n\r\n");
  asio::async_write(socket_, asio::buffer(*response),
                    [self = shared_from_this(), response, draft](error_code ec,
                                                                 std::size_t) {
                      if (ec)
                        return self->finish();
                      self->opened(draft);
                    });
}

void ws_session::refuse_handshake(int status, const std::string& code,
                                  const std::string& message) {
  auto error = json_error(status, code, message);
  auto response = std::make_shared<std::string>(
    "HTTP/1.1 " + std::to_string(status)
    + (status == 426 ? " Upgrade Required\r\nSec-WebSocket-Version: 13"
                     : " Bad Request")
    + "\r\nServer: draft-gateway\r\nConnection: close\r\n"
      "Content-Type: application/json\r\nContent-Length: "
    + std::to_string(error.body.size()) + "\r\n\r\n" + error.body);
  asio::async_write(socket_, asio::buffer(*response),
                    [self = shared_from_this(), response](error_code, std::size_t) {
                      self->finish();
                    });
}

void ws_session::opened(draft_actor_api draft) {
  error_code ignored;
  socket_.non_blocking(true, ignored);
  context_.track(shared_from_this());
  watch();
  socket_actor_ = spawn_socket_actor(context_.system, shared_from_this(), draft,
                                     context_.database, std::move(*info_));
  info_.reset(); // the actor holds it now
  if (context_.admin)
    caf::anon_send(context_.admin, register_atom::value, socket_actor_,
                   socket_atom::value);
  read_next();
}

void ws_session::send_batch(std::vector<frame_ptr> frames, bool live) {
  // One task on the lane for them all.
  posting(frames.size());
  asio::post(lane_.io, [self = shared_from_this(), fs = std::move(frames),
                        live]() mutable { self->send_posted(std::move(fs), live); });
}

void ws_session::posting(std::size_t frames) {
  // Counted from now: a paced replay reads the queue through counters() and
  // must see the frames still on their way to the lane.
  posted_.fetch_add(frames, std::memory_order_relaxed);
}

void ws_session::send_posted(std::vector<frame_ptr> frames, bool live) {
  posted_.fetch_sub(frames.size(), std::memory_order_relaxed);
  // Queue them all first, so that they share gather writes.
  for (auto& f : frames)
    if (!enqueue(std::move(f), live))
      return;
  if (!queue_.empty())
    schedule_write();
}

void ws_session::close(std::uint16_t code, std::string reason) {
  asio::post(lane_.io, [self = shared_from_this(), code,
                        r = std::move(reason)]() mutable {
    self->begin_close(code, std::move(r));
  });
}

// Reading: wait until the socket is readable, then read what is there into
// the lane's buffer; an idle connection holds no read buffer at all.
void ws_session::read_next() {
  if (finished_ || reader_.done())
    return;
  socket_.async_wait(tcp::socket::wait_read,
                     [self = shared_from_this()](error_code ec) {
                       self->on_readable(ec);
                     });
}

void ws_session::on_readable(error_code ec) {
  if (ec)
    return finish();
  thread_local std::array<char, 16384> scratch; // one per lane thread
  std::vector<ws::client_event> events;
  // At most 4 buffers a turn: a client that never stops sending must not
  // hold the lane (every connection on it waits meanwhile) nor pile up
  // events; the rest is read on the next turn.
  for (int turn = 0; turn < 4; ++turn) {
    error_code rec;
    auto n = socket_.read_some(asio::buffer(scratch), rec);
    if (rec == asio::error::would_block || rec == asio::error::try_again)
      break;
    if (rec)
      return finish(); // the client went (end of stream, reset)
    bytes_in_.fetch_add(n, std::memory_order_relaxed);
    last_heard_ = steady::now();
    pinged_ = false;
    reader_.feed({scratch.data(), n}, events);
    if (n < scratch.size() || reader_.done())
      break;
  }
  for (auto& e : events) {
    handle(e);
    if (finished_)
      return;
  }
  read_next();
}

void ws_session::handle(ws::client_event& event) {
  using ws::client_event;
  switch (event.kind) {
    case client_event::message:
      return on_message(event.data);
    case client_event::ping:
      return queue_control(ws::opcode::pong, event.data);
    case client_event::pong:
      return;
    case client_event::close:
      peer_closed_ = true;
      if (close_sent_) {
        if (!writing_)
          finish();
        return;
      }
      // Answer with the client's code (RFC 6455 5.5.1), then end.
      return begin_close(event.code == 1005 ? 1000 : event.code, "");
    case client_event::error:
      refusals(event.code == 4009 ? "message_too_big" : "protocol_error").inc();
      return begin_close(event.code, event.data);
  }
}

void ws_session::on_message(const std::string& text) {
  json::limits lim;
  lim.max_bytes = context_.options.max_message_bytes;
  auto message = json::decode_client_message(text, lim);
  if (!message) {
    refusals("bad_message").inc();
    return begin_close(4000, "bad message: " + message.error().to_string());
  }
  if (auto resume = std::get_if<resume_request>(&*message))
    caf::anon_send(socket_actor_, *resume);
  else if (auto ping = std::get_if<ping_request>(&*message))
    caf::anon_send(socket_actor_, *ping);
}

bool ws_session::enqueue(frame_ptr frame, bool live) {
  if (closing_ || finished_)
    return false;
  // Every frame counts, live or replayed, in number and in bytes: a client
  // that does not read is closed, it resumes with last_seq later.
  auto& o = context_.options;
  if (queue_.size() >= o.send_queue_limit
      || queued_bytes_ + frame->text.size() > o.send_queue_bytes) {
    refusals("slow_consumer").inc();
    caf::anon_send(socket_actor_, slow_atom::value, frame->seq);
    begin_close(4008, "slow consumer: reconnect with last_seq");
    return false;
  }
  queued_bytes_ += frame->text.size();
  queue_.push_back({std::move(frame), live});
  queued_.store(queue_.size(), std::memory_order_relaxed);
  return true;
}

void ws_session::queue_control(ws::opcode op, std::string_view payload) {
  if (finished_ || close_sent_)
    return;
  // One waiting at most: a newer pong answers for the older pings.
  control_ = ws::server_frame(op, payload);
  schedule_write();
}

namespace {

// The sessions of this lane (thread) with a write due, and whether the task
// that writes them is posted. A session writes at once unless fan-out or
// replay tasks wait on its lane (http_lane::posted); then it joins this
// list, written by one task behind them: the frames those tasks queue for
// it share its gather write. A quiet lane pays no post and no asynchronous
// write per socket; a busy one coalesces.
// Weak: the list must not keep a session alive (nor outlive the lane's
// context in a thread-local at exit).
struct lane_flush {
  std::vector<std::weak_ptr<ws_session>> due, spare;
  bool posted = false;
};

lane_flush& flush_list() {
  thread_local lane_flush flush;
  return flush;
}

} // namespace

void flush_lane() {
  auto& f = flush_list();
  f.posted = false;
  f.spare.swap(f.due); // writes below may make sessions due again
  for (auto& weak : f.spare) {
    auto s = weak.lock();
    if (!s)
      continue;
    s->write_due_ = false;
    if (!s->writing_ && !s->finished_
        && (!s->queue_.empty() || !s->control_.empty()))
      s->write_next();
  }
  f.spare.clear();
}

void ws_session::schedule_write() {
  if (writing_ || write_due_ || finished_)
    return;
  if (lane_.posted.load(std::memory_order_relaxed) == 0)
    return write_next(); // nothing queued behind: at once
  write_due_ = true;
  auto& f = flush_list();
  f.due.push_back(weak_from_this());
  if (f.posted)
    return;
  f.posted = true;
  asio::post(lane_.io, [] { flush_lane(); });
}

// Writing: the control frame waiting and every queued frame (up to the
// bounds above) in one gather write.
void ws_session::write_next() {
  writing_ = true;
  if (!batch_)
    batch_ = take_batch();
  auto& b = *batch_;
  for (;;) {
    b.buffers.clear();
    b.control.clear();
    b.control.swap(control_);
    if (!b.control.empty())
      b.buffers.push_back(asio::buffer(b.control));
    std::size_t n = 0, bytes = 0;
    while (n < queue_.size() && n < max_frames_per_write
           && (n == 0
               || bytes + queue_.at(n).first->text.size() <= max_bytes_per_write))
      bytes += queue_.at(n++).first->text.size();
    b.headers.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      auto& text = queue_.at(i).first->text;
      auto size = ws::server_header(ws::opcode::text, text.size(),
                                    b.headers[i].data());
      b.buffers.push_back(asio::buffer(b.headers[i].data(), size));
      b.buffers.push_back(asio::buffer(text));
    }
    b.frames = n;
    writes_total().inc();
    frames_written_total().inc(n);
    // At once first (the socket is non-blocking): with room in the send
    // buffer, the usual case, the write is done here, without an
    // asynchronous operation and the round of its completion.
    error_code ec;
    auto written = socket_.write_some(b.buffers, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec = {};
      written = 0;
    }
    if (ec)
      return on_written(ec);
    if (written == asio::buffer_size(b.buffers)) {
      if (!written_through())
        return;
      continue; // more was queued: the next batch
    }
    // The rest when the socket has room.
    auto first = b.buffers.begin();
    while (written >= first->size()) {
      written -= first->size();
      ++first;
    }
    *first += written;
    b.buffers.erase(b.buffers.begin(), first);
    asio::async_write(socket_, b.buffers,
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        self->on_written(ec);
                      });
    return;
  }
}

void ws_session::on_written(error_code ec) {
  if (ec) {
    writing_ = false;
    return finish();
  }
  if (written_through())
    write_next();
}

bool ws_session::written_through() {
  auto frames = batch_->frames;
  timestamp now = 0;
  for (std::size_t i = 0; i < frames; ++i) {
    auto& [sent, live] = queue_.front();
    if (sent->created_at > 0) {
      if (now == 0)
        now = now_utc();
      sent->note_write(now);
      if (live)
        fanout_latency_histogram().observe(
          static_cast<double>(now - sent->created_at) / 1e6);
    }
    queued_bytes_ -= sent->text.size();
    bytes_out_.fetch_add(sent->text.size(), std::memory_order_relaxed);
    queue_.pop_front();
  }
  queued_.store(queue_.size(), std::memory_order_relaxed);
  batch_->frames = 0;
  if (close_sent_) {
    // Handshake complete (or answered), or a client that broke the protocol
    // and is read no more: the server ends TCP. Else the client's close or
    // the deadline ends it.
    writing_ = false;
    if (peer_closed_ || reader_.done())
      finish();
    return false;
  }
  if (closing_) {
    writing_ = false;
    send_close();
    return false;
  }
  if (!queue_.empty() || !control_.empty())
    return true; // the caller writes the next batch
  writing_ = false;
  give_back(std::move(batch_)); // idle: hold no write state
  return false;
}

void ws_session::begin_close(std::uint16_t code, std::string reason) {
  if (finished_ || closing_)
    return;
  closing_ = true;
  pending_close_code_ = code;
  pending_close_reason_ = std::move(reason);
  // Drop what is queued, but not the frames being written (their buffers
  // are in use). A stuck write — a client that stopped reading — and the
  // close handshake get a deadline.
  queue_.truncate(writing_ ? batch_->frames : 0);
  queued_bytes_ = 0;
  for (std::size_t i = 0; i < queue_.size(); ++i)
    queued_bytes_ += queue_.at(i).first->text.size();
  queued_.store(queue_.size(), std::memory_order_relaxed);
  deadline_ = std::make_unique<asio::steady_timer>(lane_.io, close_deadline);
  deadline_->async_wait([self = shared_from_this()](error_code ec) {
    if (!ec)
      self->finish();
  });
  if (!writing_)
    send_close();
}

void ws_session::send_close() {
  // A close frame may not overlap a write, so this runs when none is active.
  close_sent_ = true;
  // After a pong still waiting, if any: the ping came before the close.
  control_ += ws::server_frame(
    ws::opcode::close, ws::close_payload(pending_close_code_, pending_close_reason_));
  write_next();
}

void ws_session::finish() {
  if (finished_)
    return;
  finished_ = true;
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (deadline_)
    deadline_->cancel();
  unwatch();
  context_.untrack(this);
  context_.release(user_);
  if (socket_actor_)
    caf::anon_send(socket_actor_, closed_atom::value);
}

void start_websocket(gateway_context& context, http_upgrade& up,
                     connection_info info, draft_actor_api draft) {
  auto socket = up.stream.release_socket();
  if (context.options.socket_send_buffer > 0) {
    error_code ignored;
    socket.set_option(
      asio::socket_base::send_buffer_size(context.options.socket_send_buffer),
      ignored);
  }
  // The last reference may drop on any thread (a socket actor, a draft
  // actor's fan-out task); the session itself must die on its lane, where
  // its socket and timers live, so the deleter hands it back there.
  auto* lane = &up.lane;
  std::shared_ptr<ws_session> session(
    new ws_session(std::move(socket), up.lane, context, std::move(info)),
    [lane](ws_session* s) { asio::post(lane->io, [s] { delete s; }); });
  session->start(std::move(up.request), std::move(draft));
}

} // namespace draft
