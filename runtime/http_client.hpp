#pragma once

// A blocking HTTP/1.1 client for the command-line tools (draftctl,
// draft-bots). Beast stays in the .cpp.

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace draft {

struct http_result {
  int status = 0;   ///< 0 if the request could not be made (see body)
  std::string body; ///< the answer, or what went wrong
  /// The response's headers, names in lower case.
  std::map<std::string, std::string> headers = {};
};

/// Extra request headers (name, value), e.g. a `traceparent`.
using http_headers = std::vector<std::pair<std::string, std::string>>;

/// `method` `target` on host:port with an optional bearer token and JSON
/// body; at most `timeout_sec` seconds.
http_result http_request(const std::string& host, const std::string& port,
                         const std::string& method, const std::string& target,
                         const std::string& bearer = "",
                         const std::string& body = "", int timeout_sec = 10,
                         const http_headers& headers = {});

} // namespace draft
