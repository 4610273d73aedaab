#include "runtime/http_server.hpp"

#include <cctype>

#include <atomic>
#include <optional>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <thread>
#include <vector>

#include <sys/resource.h>

#include "runtime/http_edge.hpp"
#include "runtime/http_lane.hpp"
#include "runtime/logger.hpp"

namespace draft {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct connection_slot {
  explicit connection_slot(std::atomic<int>& open) : open(open) { ++open; }
  ~connection_slot() { --open; }
  std::atomic<int>& open;
};

using raw_request = http::request<http::string_body>;

} // namespace

struct http_server::impl {
  // Declared before the lanes: sessions still queued on a lane when it is
  // destroyed give their connection slot back here.
  options opts;
  handler on_request;
  async_handler on_async;
  std::atomic<int> open{0};
  std::vector<std::unique_ptr<http_lane>> lanes;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::optional<tcp::acceptor> acceptor;
  std::optional<accept_guard> guard;
  std::size_t next_lane = 0;
  std::atomic<bool> accepting{false};
  std::atomic<int> running{0};
  bool stopped = false;

  void accept();
};

namespace {

// One connection: read a request, answer it, repeat while keep-alive; or
// hand it over on an upgrade.
class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket socket, http_server::impl& server, http_lane& lane)
    : stream_(std::move(socket)), server_(server), opts_(server.opts),
      lane_(lane), deadline_(lane.io), slot_(server.open) {
  }

  void start(bool busy) {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this(), busy] {
      if (!busy)
        return self->read();
      // At the connection cap: say so, then close.
      self->reply(json_error(503, "too_many_connections",
                             "the server is at its limit of "
                               + std::to_string(self->opts_.max_connections)
                               + " connections; retry shortly"),
                  false);
    });
  }

  asio::any_io_executor executor() { return lane_.io.get_executor(); }

  // The responder's answer, on the lane.
  void answer(http_response res) {
    if (!handed_over_)
      reply(std::move(res), request_.keep_alive());
  }

  void hand_over(const std::function<void(http_upgrade&)>& take) {
    if (handed_over_ || replying_)
      return;
    handed_over_ = true;
    deadline_.cancel();
    http_upgrade up{std::move(stream_), std::move(request_), lane_};
    take(up);
  }

  void call_handler(http_request req);

  void drop() {
    handed_over_ = true; // nothing more is sent on it
    close();
  }

private:
  void read() {
    parser_.emplace();
    parser_->body_limit(opts_.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(opts_.max_header_bytes));
    // Idle keep-alive connections, and requests that never finish (408),
    // end at the deadline.
    timed_out_ = false;
    stream_.expires_never();
    deadline_.expires_after(opts_.idle_timeout);
    deadline_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self)
        return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec,
                                                 std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    deadline_.cancel();
    if (ec && timed_out_) {
      if (parser_->got_some() || buffer_.size() > 0)
        return reply(json_error(408, "request_timeout",
                                "the request was not complete within "
                                  + std::to_string(opts_.idle_timeout.count())
                                  + " ms"),
                     false);
      return close();
    }
    if (ec) {
      auto refusal = read_refusal(ec, opts_.max_body_bytes, opts_.max_header_bytes);
      return refusal ? reply(std::move(*refusal), false) : close();
    }
    request_ = parser_->release();
    http_request req;
    // HEAD is answered as GET would be, without the body.
    head_ = request_.method() == http::verb::head;
    req.method = head_ ? std::string("GET") : std::string(request_.method_string());
    for (auto& field : request_) {
      std::string name(field.name_string());
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(field.value());
    }
    req.websocket = beast::websocket::is_upgrade(request_);
    beast::error_code no_peer;
    auto peer = stream_.socket().remote_endpoint(no_peer);
    if (!no_peer)
      req.peer_address = peer.address().to_string();
    req.body = std::move(request_.body());
    if (!parse_request_target(std::string(request_.target()), req.path, req.query))
      return reply(json_error(400, "bad_request",
                              "malformed percent-encoding in the URL"),
                   request_.keep_alive());
    call_handler(std::move(req));
  }

  void reply(http_response res, bool keep_alive) {
    if (replying_ || handed_over_)
      return; // one answer per request
    replying_ = true;
    auto msg = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(res.status),
      request_.version() ? request_.version() : 11);
    msg->set(http::field::server, opts_.name);
    msg->set(http::field::content_type, res.content_type);
    msg->set(http::field::cache_control, "no-store");
    for (auto& [name, value] : res.headers)
      msg->set(name, value);
    msg->keep_alive(keep_alive);
    auto length = res.body.size();
    msg->body() = head_ ? std::string() : std::move(res.body);
    msg->prepare_payload();
    if (head_)
      msg->content_length(length); // what a GET would have sent
    // A client that stops reading cannot hold the connection forever.
    stream_.expires_after(opts_.idle_timeout);
    http::async_write(stream_, *msg,
                      [self = shared_from_this(), msg,
                       keep_alive](beast::error_code ec, std::size_t) {
                        self->replying_ = false;
                        self->head_ = false;
                        if (ec || !keep_alive || !self->server_.accepting)
                          return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  http_server::impl& server_;
  const http_server::options& opts_;
  http_lane& lane_;
  asio::steady_timer deadline_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  raw_request request_;
  bool head_ = false;
  bool timed_out_ = false;
  bool replying_ = false;
  bool handed_over_ = false;
  connection_slot slot_;
};

} // namespace

struct http_responder::exchange {
  explicit exchange(std::shared_ptr<session> s) : s(std::move(s)) {}
  ~exchange() {
    if (!done.exchange(true))
      post(json_error(500, "internal",
                      "the request was not answered; see the server log"));
  }
  void post(http_response res) {
    asio::post(s->executor(), [s = s, res = std::move(res)]() mutable {
      s->answer(std::move(res));
    });
  }
  std::shared_ptr<session> s;
  std::atomic<bool> done{false};
};

void http_responder::operator()(http_response res) const {
  if (!x_->done.exchange(true))
    x_->post(std::move(res));
}

bool http_responder::upgrade(std::function<void(http_upgrade&)> take) const {
  if (x_->done.exchange(true))
    return false;
  asio::post(x_->s->executor(), [s = x_->s, take = std::move(take)] {
    s->hand_over(take);
  });
  return true;
}

void http_responder::drop() const {
  if (!x_->done.exchange(true))
    asio::post(x_->s->executor(), [s = x_->s] { s->drop(); });
}

namespace {

void session::call_handler(http_request req) {
  std::shared_ptr<http_responder::exchange> x;
  auto path = req.path;
  const char* what = "unknown exception";
  try {
    if (server_.on_request)
      return answer(server_.on_request(req));
    x = std::make_shared<http_responder::exchange>(shared_from_this());
    server_.on_async(std::move(req), http_responder{x});
    return;
  } catch (const std::exception& e) {
    what = e.what();
    logger::get(opts_.name).error("handler failed",
                                  {{"path", path}, {"error", what}});
  } catch (...) {
    logger::get(opts_.name).error("handler failed", {{"path", path}, {"error", what}});
  }
  // A handler that answered before it threw keeps its answer.
  auto res = json_error(500, "internal", "internal error; see the server log");
  if (!x)
    return answer(std::move(res));
  http_responder{x}(std::move(res));
}

} // namespace

void http_server::impl::accept() {
  auto& lane = *lanes[next_lane++ % lanes.size()];
  acceptor->async_accept(lane.io, [this, &lane](beast::error_code ec,
                                                tcp::socket socket) {
    if (!accepting || !acceptor->is_open())
      return; // stopped
    if (ec) // e.g. out of descriptors: back off, then accept again
      return guard->failed(ec, [this] { accept(); });
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    bool busy = open.load() >= opts.max_connections;
    std::make_shared<session>(std::move(socket), *this, lane)->start(busy);
    accept();
  });
}

void raise_descriptor_limit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
}

http_server::http_server(std::unique_ptr<impl> state)
  : impl_(std::move(state)) {
}

http_server::~http_server() {
  stop();
}

namespace {

result<std::unique_ptr<http_server::impl>>
open_listener(std::unique_ptr<http_server::impl> state) {
  raise_descriptor_limit();
  auto& opts = state->opts;
  for (int i = 0; i < std::max(1, opts.threads); ++i)
    state->lanes.push_back(std::make_unique<http_lane>());
  state->acceptor.emplace(state->lanes[0]->io);
  state->guard.emplace(state->lanes[0]->io.get_executor(), opts.name, opts.name);
  beast::error_code ec;
  auto address = asio::ip::make_address(opts.host, ec);
  if (ec)
    return problem{"host", "not an IP address: " + opts.host};
  tcp::endpoint endpoint(address, opts.port);
  auto& acceptor = *state->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(endpoint, ec);
  if (!ec)
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return problem{opts.host + ":" + std::to_string(opts.port),
                   "cannot listen: " + ec.message()};
  state->accepting = true;
  state->accept();
  for (auto& lane : state->lanes) {
    state->work.push_back(asio::make_work_guard(lane->io));
    ++state->running;
    state->threads.emplace_back([s = state.get(), l = lane.get()] {
      l->io.run();
      --s->running;
    });
  }
  return state;
}

} // namespace

result<std::unique_ptr<http_server>>
http_server::launch(const options& opts, handler sync, async_handler async) {
  auto state = std::make_unique<impl>();
  state->opts = opts;
  state->on_request = std::move(sync);
  state->on_async = std::move(async);
  auto started = open_listener(std::move(state));
  if (!started)
    return started.error();
  return std::unique_ptr<http_server>(new http_server(std::move(*started)));
}

result<std::unique_ptr<http_server>>
http_server::start(const options& opts, handler on_request) {
  return launch(opts, std::move(on_request), {});
}

result<std::unique_ptr<http_server>>
http_server::start_async(const options& opts, async_handler on_request) {
  return launch(opts, {}, std::move(on_request));
}

std::uint16_t http_server::port() const {
  beast::error_code ec;
  auto endpoint = impl_->acceptor->local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

int http_server::connections() const {
  return impl_->open.load();
}

void http_server::stop_accepting() {
  if (!impl_->accepting.exchange(false))
    return;
  asio::post(impl_->lanes[0]->io, [s = impl_.get()] {
    beast::error_code ignored;
    s->acceptor->close(ignored);
    s->guard->cancel();
  });
}

void http_server::stop(std::chrono::milliseconds grace) {
  if (!impl_ || impl_->stopped)
    return;
  impl_->stopped = true;
  stop_accepting();
  // Without work guards a lane's loop returns once nothing is left on it.
  impl_->work.clear();
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl_->running.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (auto& lane : impl_->lanes)
    lane->io.stop();
  for (auto& t : impl_->threads)
    t.join();
}

} // namespace draft
