#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace draft::testing {

/// A response as a test sees it.
struct http_reply {
  int status = 0;    ///< 0 if the request could not be sent
  std::string body;
  std::map<std::string, std::string> headers = {}; ///< names in lower case
};

/// One blocking HTTP/1.1 request to `host`:`port` (127.0.0.1 unless said) (Beast behind this
/// header). `token`, when set, goes into `Authorization: Bearer`.
http_reply http_call(int port, const std::string& method,
                     const std::string& target, const std::string& body = {},
                     const std::string& token = {},
                     const std::vector<std::pair<std::string, std::string>>&
                       headers = {},
                     const std::string& host = "127.0.0.1");

} // namespace draft::testing
