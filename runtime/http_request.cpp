// The parts of an HTTP request the product reads, without Beast: header
// lookup, percent-decoding, the request target, path segments, the bearer
// token, and the JSON error body (runtime/http_server.hpp declares them).

#include "runtime/http_server.hpp"

#include <cctype>
#include <string>
#include <vector>

#include "protocol/json_writer.hpp"
#include "runtime/logger.hpp"

namespace draft {

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

} // namespace

std::string http_request::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

http_response json_error(int status, const std::string& code,
                         const std::string& message) {
  return {status, json::write_object([&](json::object_writer& o) {
            o.str("error", code).str("message", message);
          })};
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
