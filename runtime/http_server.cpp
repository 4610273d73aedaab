#include "runtime/http_server.hpp"

#include <cctype>

#include <atomic>
#include <optional>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>
#include <vector>

#include <sys/resource.h>

#include "runtime/http_edge.hpp"
#include "runtime/logger.hpp"

namespace draft {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Counts a connection while it lives (the server's connection cap).
struct connection_slot {
  explicit connection_slot(std::atomic<int>& open) : open(open) { ++open; }
  ~connection_slot() { --open; }
  std::atomic<int>& open;
};

// One connection: read a request, answer it, repeat while keep-alive.
class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket socket, const http_server::handler& on_request,
          const http_server::options& opts, std::atomic<int>& open)
    : stream_(std::move(socket)), on_request_(on_request), opts_(opts),
      slot_(open) {
  }

  /// Answers 503 and closes: the server is at its connection cap.
  void refuse_busy() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->reply(json_error(503, "too_many_connections",
                             "the server is at its limit of "
                               + std::to_string(self->opts_.max_connections)
                               + " connections; retry shortly"),
                  false, 11);
    });
  }

  void run() {
    asio::dispatch(stream_.get_executor(),
                   [self = shared_from_this()] { self->read(); });
  }

private:
  void read() {
    parser_.emplace();
    parser_->body_limit(opts_.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(opts_.max_header_bytes));
    // Idle keep-alive connections, and requests that never finish, end here.
    stream_.expires_after(opts_.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec,
                                                 std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      auto refusal = read_refusal(ec, opts_.max_body_bytes, opts_.max_header_bytes);
      return refusal ? reply(std::move(*refusal), false, 11) : close();
    }
    auto& raw = parser_->get();
    http_request req;
    // HEAD is answered as GET would be, without the body.
    bool head = raw.method() == http::verb::head;
    req.method = head ? std::string("GET") : std::string(raw.method_string());
    for (auto& field : raw) {
      std::string name(field.name_string());
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(field.value());
    }
    req.body = std::move(raw.body());
    http_response res;
    if (!parse_request_target(std::string(raw.target()), req.path, req.query)) {
      res = json_error(400, "bad_request", "malformed percent-encoding in URL");
    } else {
      try {
        res = on_request_(req);
      } catch (const std::exception& e) {
        logger::get("http").error("handler failed",
                                  {{"path", req.path}, {"error", e.what()}});
        res = json_error(500, "internal", "internal error; see the server log");
      } catch (...) {
        logger::get("http").error("handler failed", {{"path", req.path}});
        res = json_error(500, "internal", "internal error; see the server log");
      }
    }
    reply(std::move(res), raw.keep_alive(), raw.version(), head);
  }

  void reply(http_response res, bool keep_alive, unsigned version,
             bool head = false) {
    auto msg = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(res.status), version);
    msg->set(http::field::server, "draft-gateway");
    msg->set(http::field::content_type, res.content_type);
    msg->set(http::field::cache_control, "no-store");
    for (auto& [name, value] : res.headers)
      msg->set(name, value);
    msg->keep_alive(keep_alive);
    auto length = res.body.size();
    msg->body() = head ? std::string() : std::move(res.body);
    msg->prepare_payload();
    if (head)
      msg->content_length(length); // what a GET would have sent
    http::async_write(stream_, *msg,
                      [self = shared_from_this(), msg,
                       keep_alive](beast::error_code ec, std::size_t) {
                        if (ec || !keep_alive)
                          return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const http_server::handler& on_request_;
  const http_server::options& opts_;
  connection_slot slot_;
};

} // namespace

struct http_server::impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  accept_guard guard{io.get_executor(), "http", "http"};
  handler on_request;
  options opts;
  std::atomic<int> open{0};
  std::vector<std::thread> threads;
  bool stopped = false;

  void accept() {
    acceptor.async_accept(asio::make_strand(io),
                          [this](beast::error_code ec, tcp::socket socket) {
                            if (!acceptor.is_open())
                              return; // stopped
                            if (ec)
                              return guard.failed(ec, [this] { accept(); });
                            bool busy = open.load() >= opts.max_connections;
                            auto s = std::make_shared<session>(
                              std::move(socket), on_request, opts, open);
                            if (busy)
                              s->refuse_busy();
                            else
                              s->run();
                            accept();
                          });
  }
};

void raise_descriptor_limit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
}

std::string http_request::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

http_response json_error(int status, const std::string& code,
                         const std::string& message) {
  return {status, "{\"error\":" + json_quoted(code)
                    + ",\"message\":" + json_quoted(message) + "}"};
}

bool percent_decode(const std::string& in, std::string& out,
                    bool plus_is_space) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size())
        return false;
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0)
        return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (in[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += in[i];
    }
  }
  return true;
}

bool parse_request_target(const std::string& target, std::string& path,
                          std::map<std::string, std::string>& query) {
  auto q = target.find('?');
  if (!percent_decode(target.substr(0, q), path, false))
    return false;
  if (q == std::string::npos)
    return true;
  std::string rest = target.substr(q + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    auto amp = rest.find('&', start);
    auto part = rest.substr(start, amp == std::string::npos ? std::string::npos
                                                            : amp - start);
    if (!part.empty()) {
      auto eq = part.find('=');
      std::string key, value;
      if (!percent_decode(part.substr(0, eq), key, true)
          || (eq != std::string::npos
              && !percent_decode(part.substr(eq + 1), value, true)))
        return false;
      query[key] = value;
    }
    if (amp == std::string::npos)
      break;
    start = amp + 1;
  }
  return true;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    auto part = path.substr(start, slash == std::string::npos ? std::string::npos
                                                              : slash - start);
    if (!part.empty())
      parts.push_back(part);
    if (slash == std::string::npos)
      break;
    start = slash + 1;
  }
  return parts;
}

http_server::http_server(std::unique_ptr<impl> state)
  : impl_(std::move(state)) {
}

http_server::~http_server() {
  stop();
}

result<std::unique_ptr<http_server>>
http_server::start(const options& opts, handler on_request) {
  raise_descriptor_limit();
  auto state = std::make_unique<impl>();
  state->on_request = std::move(on_request);
  state->opts = opts;
  beast::error_code ec;
  auto address = asio::ip::make_address(opts.host, ec);
  if (ec)
    return problem{"host", "not an IP address: " + opts.host};
  tcp::endpoint endpoint(address, opts.port);
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    state->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    state->acceptor.bind(endpoint, ec);
  if (!ec)
    state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return problem{opts.host + ":" + std::to_string(opts.port),
                   "cannot listen: " + ec.message()};
  state->accept();
  for (int i = 0; i < std::max(1, opts.threads); ++i)
    state->threads.emplace_back([s = state.get()] { s->io.run(); });
  return std::unique_ptr<http_server>(new http_server(std::move(state)));
}

std::uint16_t http_server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void http_server::stop() {
  if (!impl_ || impl_->stopped)
    return;
  impl_->stopped = true;
  asio::post(impl_->io, [s = impl_.get()] {
    beast::error_code ignored;
    s->acceptor.close(ignored);
    s->guard.cancel();
  });
  impl_->io.stop();
  for (auto& t : impl_->threads)
    t.join();
}

std::string bearer_of(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer";
  if (authorization.size() <= scheme.size()
      || authorization[scheme.size()] != ' ')
    return {};
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i])
      return {};
  auto token = authorization.substr(scheme.size());
  token.remove_prefix(std::min(token.find_first_not_of(' '), token.size()));
  if (token.empty() || token.find(' ') != std::string_view::npos)
    return {};
  return std::string(token);
}

std::string request_token(std::string_view method, std::string_view authorization,
                          const std::map<std::string, std::string>& query) {
  auto header = bearer_of(authorization);
  if (!header.empty() || method != "GET")
    return header;
  auto it = query.find("token");
  return it == query.end() ? std::string() : it->second;
}

} // namespace draft
