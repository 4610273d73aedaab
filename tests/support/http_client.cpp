#include "support/http_client.hpp"

#include "runtime/http_client.hpp"

namespace draft::testing {

http_reply http_call(int port, const std::string& method,
                     const std::string& target, const std::string& body,
                     const std::string& token,
                     const std::vector<std::pair<std::string, std::string>>&
                       headers,
                     const std::string& host) {
  auto res = http_request(host, std::to_string(port), method, target,
                          token, body, 30, headers);
  return {res.status, res.body, res.headers};
}

} // namespace draft::testing
