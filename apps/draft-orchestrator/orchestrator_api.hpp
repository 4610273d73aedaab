#pragma once

#include "draft_commands.hpp"
#include "runtime/http_server.hpp"
#include "runtime/jwt.hpp"

namespace draft {

/// Routes the orchestrator's HTTP requests: authenticates the bearer token,
/// then calls the matching command. See docs/orchestrator.md.
class orchestrator_api {
public:
  orchestrator_api(draft_commands& commands, jwt_verifier verifier)
    : commands_(commands), verifier_(std::move(verifier)) {}

  /// Answers one request inside its trace and correlation scope (the
  /// caller's `traceparent` and `X-Request-Id`, or new ones).
  http_response handle(const http_request& request);

private:
  http_response route(const http_request& request);

  draft_commands& commands_;
  jwt_verifier verifier_;
};

} // namespace draft
