#pragma once

#include <string>
#include <vector>

#include "draft_commands.hpp"
#include "runtime/http_server.hpp"
#include "runtime/jwt.hpp"

namespace draft {

/// Routes the orchestrator's HTTP requests: authenticates the bearer token,
/// then calls the matching command. See docs/orchestrator.md.
class orchestrator_api {
public:
  /// `cors_origins`: the web origins (scheme://host[:port]) whose pages may
  /// call this API from a browser (ORCHESTRATOR_CORS_ORIGINS), e.g. the
  /// gateway's draft room page; empty: none.
  orchestrator_api(draft_commands& commands, jwt_verifier verifier,
                   std::vector<std::string> cors_origins = {})
    : commands_(commands), verifier_(std::move(verifier)),
      cors_origins_(std::move(cors_origins)) {}

  /// Answers one request inside its trace and correlation scope (the
  /// caller's `traceparent` and `X-Request-Id`, or new ones).
  http_response handle(const http_request& request);

private:
  http_response route(const http_request& request);
  bool origin_allowed(const std::string& origin) const;

  draft_commands& commands_;
  jwt_verifier verifier_;
  std::vector<std::string> cors_origins_;
};

} // namespace draft
