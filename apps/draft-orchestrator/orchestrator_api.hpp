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

  http_response handle(const http_request& request);

private:
  draft_commands& commands_;
  jwt_verifier verifier_;
};

} // namespace draft
