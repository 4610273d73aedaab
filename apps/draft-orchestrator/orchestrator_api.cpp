#include "orchestrator_api.hpp"

#include <vector>

#include <cctype>

#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"
#include "runtime/trace_context.hpp"

namespace draft {

namespace {

std::string bearer_token(const http_request& request) {
  return request_token(request.method, request.header("authorization"),
                       request.query);
}

// An X-Request-Id a client may send to find its request in our logs.
bool usable_request_id(const std::string& id) {
  if (id.empty() || id.size() > 64)
    return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_'
        && c != '.')
      return false;
  return true;
}

// CORS (Fetch standard): what a browser page of an allowed origin may send.
const char* const cors_methods = "GET, POST, PUT";
const char* const cors_headers = "Authorization, Content-Type, X-Request-Id, traceparent";

// A command's answer as HTTP: 201 for what it created, else 200; a refusal
// by its kind, with `{"error", "message"}`.
http_response to_http(const command_result& r) {
  if (r)
    return {r->created ? 201 : 200, r->json};
  auto& e = r.error();
  int status = 500;
  switch (e.kind) {
    case refusal::invalid: status = 400; break;
    case refusal::forbidden: status = 403; break;
    case refusal::not_found: status = 404; break;
    case refusal::conflict: status = 409; break;
    case refusal::unprocessable: status = 422; break;
    case refusal::unavailable: status = 503; break;
    case refusal::failed: status = 500; break;
  }
  return json_error(status, e.code, e.message);
}

} // namespace

bool orchestrator_api::origin_allowed(const std::string& origin) const {
  for (auto& allowed : cors_origins_)
    if (allowed == origin)
      return true;
  return false;
}

http_response orchestrator_api::handle(const http_request& request) {
  // The request's trace: a child of the caller's `traceparent` (W3C), or a
  // new trace; every log line and outbox row of the request carries it.
  auto span = child_span(parse_traceparent(request.header("traceparent")));
  auto request_id = request.header("x-request-id");
  correlation_scope scope(span.header(), "request_id",
                          usable_request_id(request_id) ? request_id
                                                        : span.span_id);
  // Browsers ask before a cross-origin call with a token (a preflight);
  // only the configured origins are answered, and no token is needed to ask.
  auto origin = request.header("origin");
  bool cors = !origin.empty() && origin_allowed(origin);
  if (request.method == "OPTIONS") {
    if (!cors)
      return json_error(403, "origin_not_allowed",
                        origin.empty()
                          ? "OPTIONS is a CORS preflight; send an Origin header"
                          : "origin " + origin.substr(0, 200)
                              + " is not in ORCHESTRATOR_CORS_ORIGINS");
    return {204, "", "application/json",
            {{"Access-Control-Allow-Origin", origin},
             {"Access-Control-Allow-Methods", cors_methods},
             {"Access-Control-Allow-Headers", cors_headers},
             {"Access-Control-Max-Age", "600"},
             {"Vary", "Origin"}}};
  }
  auto response = route(request);
  if (cors) {
    response.headers.emplace_back("Access-Control-Allow-Origin", origin);
    response.headers.emplace_back("Vary", "Origin");
  }
  if (response.status >= 500 || request.path.rfind("/api/", 0) == 0)
    logger::get("orchestrator")
      .info("request", {{"method", request.method},
                        {"path", request.path},
                        {"status", response.status}});
  return response;
}

http_response orchestrator_api::route(const http_request& request) {
  auto parts = split_path(request.path);
  auto& method = request.method;
  if (parts == std::vector<std::string>{"health"})
    return {200, R"({"status":"ok"})"};
  if (parts == std::vector<std::string>{"metrics"})
    return {200, default_metrics().render(), "text/plain; version=0.0.4"};
  if (parts.size() < 2 || parts[0] != "api" || parts[1] != "drafts")
    return json_error(404, "not_found", "no such endpoint: " + request.path);

  auto token = bearer_token(request);
  if (token.empty())
    return json_error(401, "unauthorized",
                      "send a JWT in 'Authorization: Bearer <token>'");
  auto claims = verifier_.verify(token);
  if (!claims)
    return json_error(401, std::string("token_") + to_string(claims.error().code),
                      claims.error().message);
  auto& who = *claims;

  if (parts.size() == 2) {
    if (method != "POST")
      return json_error(405, "method_not_allowed", "use POST /api/drafts");
    return to_http(commands_.create(who, request.body));
  }
  auto& id = parts[2];
  if (parts.size() == 3) {
    if (method != "GET")
      return json_error(405, "method_not_allowed", "use GET " + request.path);
    return to_http(commands_.describe(who, id));
  }
  if (parts.size() == 4) {
    auto& action = parts[3];
    if (action == "players") {
      if (method != "GET")
        return json_error(405, "method_not_allowed", "use GET " + request.path);
      return to_http(commands_.players(who, id, request.query));
    }
    if (method != "POST")
      return json_error(405, "method_not_allowed", "use POST " + request.path);
    if (action == "start")
      return to_http(commands_.start(who, id));
    if (action == "pause")
      return to_http(commands_.pause(who, id));
    if (action == "resume")
      return to_http(commands_.resume(who, id));
    if (action == "picks")
      return to_http(commands_.pick(who, id, request.body));
    if (action == "undo")
      return to_http(commands_.undo(who, id, request.body));
    if (action == "clock")
      return to_http(commands_.set_clock(who, id, request.body));
  }
  if (parts.size() == 6 && parts[3] == "teams" && parts[5] == "queue") {
    if (method == "GET")
      return to_http(commands_.queue(who, id, parts[4]));
    if (method == "PUT")
      return to_http(commands_.set_queue(who, id, parts[4], request.body));
    return json_error(405, "method_not_allowed",
                      "use GET or PUT " + request.path);
  }
  return json_error(404, "not_found", "no such endpoint: " + request.path);
}

} // namespace draft
