#include "actors/edge/gateway_server.hpp"

#include <thread>

#include <caf/all.hpp>

#include "actors/edge/admin_api.hpp"
#include "actors/edge/ask.hpp"
#include "actors/edge/room_page.hpp"
#include "actors/edge/ws_session.hpp"
#include "protocol/json_codec.hpp"
#include "protocol/uuid.hpp"
#include "runtime/config.hpp"
#include "runtime/http_server.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"
#include "runtime/trace_context.hpp"

namespace draft {

namespace {

counter& refused(const std::string& reason) {
  return default_metrics().get_counter("gateway_refusals_total",
                                       "Requests and handshakes refused.",
                                       {{"reason", reason}});
}

// One request on its way through the routes; `reply` answers it once, from
// any thread.
struct exchange {
  gateway_context& context;
  http_request req;
  http_responder reply;

  std::string token() const {
    return request_token(req.method, req.header("authorization"), req.query);
  }
};

// Verifies the token; fills `who` or refuses (401/403). A refusal costs the
// client's address one token of its refusal budget; past it, the connection
// is closed without an answer (a flood of bad tokens gets no work from this
// node, and never touches what real clients are admitted by).
bool authorize(exchange& x, const std::string& draft_id, jwt_claims& who) {
  auto refuse = [&](const std::string& reason, http_response res) {
    if (!x.context.charge_refusal(x.req.peer_address)) {
      refused("refusal_rate").inc();
      x.reply.drop();
      return false;
    }
    refused(reason).inc();
    x.reply(std::move(res));
    return false;
  };
  auto token = x.token();
  if (token.empty())
    return refuse("no_token",
                  json_error(401, "unauthorized",
                             "send a JWT in 'Authorization: Bearer <token>' "
                             "or ?token="));
  auto claims = x.context.verifier.verify(token);
  if (!claims)
    return refuse(std::string("token_") + to_string(claims.error().code),
                  json_error(401,
                             std::string("token_") + to_string(claims.error().code),
                             claims.error().message));
  if (!claims->may_read_draft(draft_id))
    return refuse("forbidden", json_error(403, "forbidden",
                                          "the token does not grant draft "
                                            + draft_id));
  who = *claims;
  return true;
}

http_response draft_refusal(const caf::error& err, const std::string& draft_id) {
  return err == caf::sec::invalid_argument
           ? json_error(404, "unknown_draft", "no draft with id " + draft_id)
           : json_error(503, "unavailable",
                        "the draft could not be loaded; retry shortly");
}

// Finds the draft's actor (loading it if needed), then continues (on a CAF
// thread); answers 404 for an unknown draft.
void with_draft(const exchange& x, const std::string& draft_id,
                std::function<void(draft_actor_api)> then) {
  auto reply = x.reply;
  ask<draft_actor_api>(
    x.context.system, x.context.directory, std::move(then),
    [reply, draft_id](const caf::error& err) {
      reply(draft_refusal(err, draft_id));
    },
    caf::get_atom::value, draft_id);
}

void ready(exchange& x) {
  // Ready = the database answers (a load of a draft that cannot exist).
  auto reply = x.reply;
  ask<draft_load>(
    x.context.system, x.context.database,
    [reply](draft_load) { reply({200, R"({"status":"ready"})"}); },
    [reply](const caf::error&) {
      reply(json_error(503, "not_ready", "the database is unreachable"));
    },
    load_atom::value, std::string("00000000-0000-4000-8000-000000000000"));
}

// Shared by the REST routes: a well-formed id and a token that may read the
// draft; otherwise answers and returns false.
bool rest_preamble(exchange& x, std::string& draft_id) {
  draft_id = normalize_uuid(draft_id);
  if (!is_uuid(draft_id)) {
    x.reply(json_error(400, "invalid_id", "the draft id must be a UUID"));
    return false;
  }
  jwt_claims who;
  if (!authorize(x, draft_id, who))
    return false;
  // Charged after identity, per user: one client cannot keep the node's
  // database pool busy for everyone.
  if (!x.context.charge_rest(who.subject)) {
    refused("rest_rate").inc();
    x.reply(json_error(429, "rate_limited",
                       "too many requests for user " + who.subject
                         + " (GATEWAY_REST_PER_USER a second); retry with "
                           "backoff"));
    return false;
  }
  return true;
}

void state(exchange& x, std::string draft_id) {
  if (!rest_preamble(x, draft_id))
    return;
  auto& system = x.context.system;
  auto reply = x.reply;
  with_draft(x, draft_id, [&system, reply](draft_actor_api draft) {
    ask<draft_snapshot>(
      system, draft,
      [reply](draft_snapshot s) { reply({200, json::encode(s)}); },
      [reply](const caf::error&) {
        reply(json_error(503, "unavailable", "the draft did not answer"));
      },
      state_atom::value);
  });
}

void picks(exchange& x, std::string draft_id) {
  if (!rest_preamble(x, draft_id))
    return;
  std::int64_t limit = 20;
  if (auto it = x.req.query.find("limit"); it != x.req.query.end())
    if (!parse_integer(it->second, 1, 100, limit))
      return x.reply(json_error(400, "invalid_limit",
                                "limit must be an integer from 1 to 100"));
  std::string cursor;
  if (auto it = x.req.query.find("cursor"); it != x.req.query.end()) {
    cursor = it->second;
    if (!is_uuid(cursor))
      return x.reply(json_error(400, "invalid_cursor",
                                "cursor must be the next_cursor of an earlier "
                                "page (a pick id)"));
    cursor = normalize_uuid(cursor);
  }
  auto& context = x.context;
  auto reply = x.reply;
  with_draft(x, draft_id, [&context, reply, draft_id, cursor, limit](draft_actor_api) {
    ask<std::string>(
      context.system, context.database,
      [reply](std::string page) { reply({200, std::move(page)}); },
      [reply](const caf::error& err) {
        reply(err == caf::sec::invalid_argument
                ? json_error(400, "invalid_cursor",
                             "cursor is not a pick of this draft; use the "
                             "next_cursor of an earlier page")
                : json_error(503, "unavailable", "the database is unreachable"));
      },
      picks_atom::value, draft_id, cursor, static_cast<int>(limit));
  });
}

void connect(exchange& x, std::string draft_id) {
  auto& context = x.context;
  if (!x.req.websocket)
    return x.reply(json_error(426, "upgrade_required",
                              "connect with a WebSocket client"));
  if (context.draining)
    return x.reply(json_error(503, "shutting_down", "this node is shutting down"));
  if (!is_uuid(draft_id))
    return x.reply(json_error(404, "unknown_draft", "the draft id must be a UUID"));
  draft_id = normalize_uuid(draft_id);
  std::int64_t last_seq = -1;
  if (auto it = x.req.query.find("last_seq"); it != x.req.query.end()) {
    if (!parse_integer(it->second, 0, INT64_MAX, last_seq))
      return x.reply(json_error(400, "invalid_last_seq",
                                "last_seq must be an integer from 0 to "
                                "9223372036854775807, got \""
                                  + it->second.substr(0, 40) + "\""));
  }
  jwt_claims who;
  if (!authorize(x, draft_id, who))
    return;
  // The node's handshake budget is charged after identity: only clients
  // with a valid token spend it.
  if (!context.take_handshake_token()) {
    refused("handshake_rate").inc();
    return x.reply(json_error(429, "rate_limited",
                              "too many handshakes per second on this node; "
                              "retry with backoff"));
  }
  refusal why;
  if (!context.admit(who.subject, why)) {
    refused(why.code).inc();
    return x.reply(json_error(why.status, why.code, why.message));
  }
  connection_info info{context.next_connection_id(), who.subject, who.team_id,
                       draft_id,
                       last_seq, context.verifier.valid_until(who),
                       context.options.resumes_per_second};
  auto reply = x.reply;
  ask<draft_actor_api>(
    context.system, context.directory,
    [&context, reply, info](draft_actor_api draft) {
      // From here the WebSocket session owns the connection slot.
      if (!reply.upgrade([&context, info, draft](http_upgrade& up) {
            start_websocket(context, up, info, draft);
          }))
        context.release(info.user); // answered meanwhile (cannot happen)
    },
    [&context, reply, info](const caf::error& err) {
      context.release(info.user);
      reply(draft_refusal(err, info.draft_id));
    },
    caf::get_atom::value, info.draft_id);
}

// The draft room page: for a token that may read the draft (the token stays
// in the page's URL; its script connects with it), of a draft that exists.
void room(exchange& x, std::string draft_id) {
  if (x.req.method != "GET")
    return x.reply(json_error(405, "method_not_allowed", "use GET " + x.req.path));
  draft_id = normalize_uuid(draft_id);
  if (!is_uuid(draft_id))
    return x.reply(json_error(404, "unknown_draft", "the draft id must be a UUID"));
  jwt_claims who;
  if (!authorize(x, draft_id, who))
    return;
  auto reply = x.reply;
  auto& options = x.context.options;
  with_draft(x, draft_id, [reply, &options, draft_id](draft_actor_api) {
    reply(room_page(options, draft_id));
  });
}

const std::vector<std::pair<std::string, std::string>> admin_page_headers = {
  // The page runs its own inline script and talks to its own origin; nobody
  // may frame it (clickjacking of the action buttons).
  {"X-Frame-Options", "DENY"},
  {"Content-Security-Policy",
   "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
   "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
   "base-uri 'none'; form-action 'none'"},
  {"Referrer-Policy", "no-referrer"},
};

void route(exchange& x) {
  auto parts = split_path(x.req.path);
  auto is = [&](std::initializer_list<const char*> want) {
    return parts == std::vector<std::string>(want.begin(), want.end());
  };
  if (is({"health"}))
    return x.reply({200, R"({"status":"ok"})"});
  if (is({"metrics"}))
    return x.reply({200, default_metrics().render(), "text/plain; version=0.0.4"});
  if (is({"ready"}))
    return ready(x);
  if (is({"admin"})) {
    if (auto refused = admin_refusal(x.context, x.token()))
      return x.reply(*refused);
    return x.reply({200, admin_page_html(), "text/html; charset=utf-8",
                    admin_page_headers});
  }
  if (parts.size() >= 2 && parts[0] == "admin" && parts[1] == "api") {
    admin_request admin{x.req.method, {parts.begin() + 2, parts.end()},
                        x.req.query, x.token(), x.req.body};
    auto reply = x.reply;
    return handle_admin_api(x.context, std::move(admin),
                            [reply](http_response res) { reply(std::move(res)); });
  }
  if (parts.size() == 3 && parts[0] == "drafts" && parts[2] == "connect")
    return connect(x, parts[1]);
  if (parts.size() == 2 && parts[0] == "drafts")
    return room(x, parts[1]);
  if (parts.size() == 2 && (parts[0] == "sdk" || parts[0] == "room")) {
    if (auto asset = room_asset(x.req.path))
      return x.reply(std::move(*asset));
  }
  if (parts.size() == 4 && parts[0] == "api" && parts[1] == "drafts"
      && (parts[3] == "state" || parts[3] == "picks")) {
    if (x.req.method != "GET")
      return x.reply(json_error(405, "method_not_allowed",
                                "use GET " + x.req.path));
    return parts[3] == "state" ? state(x, parts[2]) : picks(x, parts[2]);
  }
  x.reply(json_error(404, "not_found", "no such endpoint: " + x.req.path));
}

} // namespace

gateway_server::gateway_server(gateway_context& context,
                               std::unique_ptr<http_server> http)
  : context_(&context), http_(std::move(http)) {
}

gateway_server::~gateway_server() {
  stop(std::chrono::milliseconds(0));
}

result<std::unique_ptr<gateway_server>>
gateway_server::start(gateway_context& context) {
  http_server::options opts;
  opts.host = context.options.host;
  opts.port = context.options.port;
  opts.threads = context.options.io_threads;
  opts.max_body_bytes = 16 * 1024;
  opts.max_header_bytes = 8 * 1024;
  opts.max_connections = context.options.max_http_connections;
  opts.idle_timeout = context.options.http_idle_timeout;
  opts.name = "gateway";
  auto http = http_server::start_async(
    opts, [&context](http_request req, http_responder reply) {
      // The request's correlation on the log lines written while routing it
      // (the caller's traceparent and X-Request-Id, or new ones).
      auto span = child_span(parse_traceparent(req.header("traceparent")));
      auto request_id = req.header("x-request-id");
      correlation_scope scope(span.header(), "request_id",
                              request_id.empty() || request_id.size() > 64
                                ? span.span_id
                                : request_id);
      exchange x{context, std::move(req), std::move(reply)};
      route(x);
    });
  if (!http) {
    auto p = http.error();
    if (p.where == "host")
      p.where = "GATEWAY_HOST";
    return p;
  }
  return std::unique_ptr<gateway_server>(new gateway_server(context, std::move(*http)));
}

std::uint16_t gateway_server::port() const {
  return http_->port();
}

void gateway_server::drain(std::chrono::milliseconds grace) {
  auto& context = *context_;
  context.draining = true;
  http_->stop_accepting();
  for (auto& sink : context.live_sinks())
    sink->close(1001, "node shutting down; reconnect with last_seq");
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (context.connections() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

void gateway_server::stop(std::chrono::milliseconds grace) {
  http_->stop(grace);
}

} // namespace draft
