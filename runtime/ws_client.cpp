#include "runtime/ws_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace draft {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

void refused_upgrade(const std::string& host, int port, const std::string& target,
                     const std::string& bearer, int& status,
                     std::string& body) {
  namespace http = beast::http;
  try {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(*tcp::resolver(io).resolve(host, std::to_string(port)).begin());
    http::request<http::empty_body> req(http::verb::get, target, 11);
    req.set(http::field::host, host);
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    req.set(http::field::sec_websocket_version, "13");
    if (!bearer.empty())
      req.set(http::field::authorization, "Bearer " + bearer);
    http::write(socket, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    status = static_cast<int>(res.result_int());
    body = res.body();
  } catch (const std::exception& e) {
    status = 0;
    body = e.what();
  }
}

} // namespace

struct ws_client::impl {
  asio::io_context io;
  websocket::stream<tcp::socket> ws{io};
  beast::flat_buffer buffer;
  // A read that timed out stays pending (cancelling it would break the
  // WebSocket stream); the next read() waits for it.
  bool reading = false;
  beast::error_code result;
};

ws_client::ws_client(std::unique_ptr<impl> state) : impl_(std::move(state)) {
}

ws_client::~ws_client() {
  beast::error_code ignored;
  impl_->ws.next_layer().close(ignored);
}

std::unique_ptr<ws_client>
ws_client::connect(int port, const std::string& target,
                   const std::string& bearer, int& status, std::string& body,
                   int receive_buffer, const std::string& host) {
  auto state = std::make_unique<impl>();
  beast::error_code ec;
  auto& socket = state->ws.next_layer();
  socket.open(tcp::v4(), ec);
  if (receive_buffer > 0)
    socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer), ec);
  tcp::resolver resolver(state->io);
  auto found = resolver.resolve(host, std::to_string(port), ec);
  if (!ec && found.empty())
    ec = asio::error::host_not_found;
  if (!ec)
    socket.connect(*found.begin(), ec);
  if (ec) {
    status = 0;
    body = ec.message();
    return nullptr;
  }
  if (!bearer.empty())
    state->ws.set_option(websocket::stream_base::decorator(
      [bearer](websocket::request_type& req) {
        req.set(beast::http::field::authorization, "Bearer " + bearer);
      }));
  websocket::response_type res;
  state->ws.handshake(res, host, target, ec);
  if (!ec) {
    status = 101;
    return std::unique_ptr<ws_client>(new ws_client(std::move(state)));
  }
  // Beast's handshake reads a refusal's header but not always its body: ask
  // again as plain HTTP to learn the status and the reason.
  refused_upgrade(host, port, target, bearer, status, body);
  return nullptr;
}

std::optional<std::string> ws_client::read(std::chrono::milliseconds timeout) {
  auto& s = *impl_;
  if (closed_)
    return std::nullopt;
  if (!s.reading) {
    s.reading = true;
    s.ws.async_read(s.buffer, [&s](beast::error_code ec, std::size_t) {
      s.result = ec;
      s.reading = false;
    });
  }
  s.io.restart();
  s.io.run_for(timeout);
  if (s.reading)
    return std::nullopt; // timed out; the read goes on
  if (s.result) {
    closed_ = true;
    if (s.ws.reason().code != websocket::close_code::none) {
      close_code_ = static_cast<int>(s.ws.reason().code);
      close_reason_ = std::string(s.ws.reason().reason.c_str());
    }
    return std::nullopt;
  }
  auto text = beast::buffers_to_string(s.buffer.data());
  s.buffer.consume(s.buffer.size());
  return text;
}

void ws_client::send(const std::string& text) {
  beast::error_code ignored;
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(text), ignored);
}

} // namespace draft
