#include "runtime/http_client.hpp"

#include <cctype>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace draft {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

http_result http_request(const std::string& host, const std::string& port,
                         const std::string& method, const std::string& target,
                         const std::string& bearer, const std::string& body,
                         int timeout_sec, const http_headers& headers) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(timeout_sec));
    stream.connect(tcp::resolver(io).resolve(host, port));
    http::request<http::string_body> req{http::string_to_verb(method), target,
                                         11};
    req.set(http::field::host, host);
    for (auto& [name, value] : headers)
      req.set(name, value);
    if (!bearer.empty())
      req.set(http::field::authorization, "Bearer " + bearer);
    if (!body.empty())
      req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    http_result out{static_cast<int>(res.result_int()), res.body()};
    for (auto& field : res) {
      std::string name(field.name_string());
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(field.value());
    }
    return out;
  } catch (const std::exception& e) {
    return {0, std::string("cannot reach ") + host + ":" + port + ": " + e.what()};
  }
}

} // namespace draft
