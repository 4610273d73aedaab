#pragma once

// The operators' JSON API under /admin/api/ (docs/admin.md). Every route
// needs a JWT with role admin. No Beast here: the HTTP session hands over
// the parsed request and a reply callback (callable from any thread, once).

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/edge/gateway_context.hpp"
#include "runtime/http_server.hpp"

namespace draft {

struct admin_request {
  std::string method;                      ///< "GET", "POST", …
  std::vector<std::string> parts;          ///< path segments after admin/api
  std::map<std::string, std::string> query;
  std::string token;                       ///< bearer token, may be empty
  std::string body;
};

using admin_reply = std::function<void(http_response)>;

void handle_admin_api(gateway_context& context, admin_request request,
                      admin_reply reply);

/// 401/403 unless `token` is a valid JWT with role admin; fills `subject`.
std::optional<http_response> admin_refusal(gateway_context& context,
                                           const std::string& token,
                                           std::string* subject = nullptr);

/// The console's web page (one self-contained HTML file, no CDN).
const char* admin_page_html();

} // namespace draft
