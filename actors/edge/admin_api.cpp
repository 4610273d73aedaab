#include "actors/edge/admin_api.hpp"
#include "protocol/json_writer.hpp"

#include <algorithm>
#include <cstdlib>

#include <caf/all.hpp>

#include "actors/edge/admin_support.hpp"
#include "actors/edge/ask.hpp"
#include "actors/event_traces.hpp"
#include "actors/gateway_messages.hpp"
#include "protocol/time_format.hpp"
#include "protocol/uuid.hpp"
#include "runtime/config.hpp"
#include "runtime/logger.hpp"

namespace draft {

namespace admin_detail {

// -- actions ------------------------------------------------------------------

void done(admin_reply reply, bool ok, const std::string& what,
          const std::string& not_found) {
  if (ok)
    reply({200, json::write_object([&](json::object_writer& o) {
             o.boolean("ok", true).str("done", what);
           })});
  else
    reply(json_error(404, "not_found", not_found));
}

template <class... Ts>
void act(gateway_context& context, admin_reply reply, std::string what,
         std::string not_found, Ts... xs) {
  ask<bool>(
    context.system, context.admin,
    [reply, what, not_found](bool ok) { done(reply, ok, what, not_found); },
    [reply](const caf::error&) {
      reply(json_error(503, "unavailable", "the admin actor did not answer"));
    },
    cluster_atom::value, xs...);
}

void dead_letter_action(gateway_context& context, const strings& parts,
                        const std::string& by, admin_reply reply) {
  // dead-letters/{relay|broadcast}/{id}/{replay|discard}
  auto& kind = parts[1];
  auto& action = parts[3];
  std::int64_t id = 0;
  bool id_ok = parse_integer(parts[2], 1, INT64_MAX, id);
  if (kind != "relay" && kind != "broadcast")
    return reply(json_error(400, "invalid_kind",
                            "dead letters are 'relay' or 'broadcast'"));
  if (!id_ok)
    return reply(json_error(400, "invalid_id",
                            "a dead letter id is a positive integer"));
  if (action != "discard" && !(action == "replay" && kind == "relay"))
    return reply(json_error(400, "invalid_action",
                            kind == "relay"
                              ? "relay dead letters can be replayed or discarded"
                              : "broadcast dead letters can only be discarded "
                                "(the client resumes by itself)"));
  logger::get("admin").warn("dead letter action",
                            {{"kind", kind}, {"id", static_cast<std::int64_t>(id)},
                             {"action", action}, {"by", by}});
  ask<bool>(
    context.system, context.database,
    [reply, kind, action, id](bool ok) {
      done(reply, ok, action + " " + kind + " dead letter " + std::to_string(id),
           "no " + kind + " dead letter " + std::to_string(id));
    },
    [reply](const caf::error&) {
      reply(json_error(503, "unavailable", "the database is unreachable"));
    },
    dead_atom::value, kind, static_cast<std::int64_t>(id), action, by);
}

void action(gateway_context& context, const admin_request& request,
            const std::string& by, admin_reply reply) {
  auto& parts = request.parts;
  if (parts.size() == 3 && parts[0] == "connections" && parts[2] == "disconnect")
    return act(context, reply, "disconnected " + parts[1],
               "no connection " + parts[1]
                 + " on any live node that allows actions",
               shutdown_atom::value, parts[1], by, std::string("admin"));
  if (parts.size() == 3 && parts[0] == "drafts" && parts[2] == "restart") {
    auto id = normalize_uuid(parts[1]);
    if (!is_uuid(id))
      return reply(json_error(400, "invalid_id", "the draft id must be a UUID"));
    return act(context, reply, "restarted the actor of draft " + id,
               "no node that allows actions owns a running actor for draft "
                 + id,
               restart_atom::value, id, by, std::string("admin"));
  }
  if (parts.size() == 4 && parts[0] == "dead-letters")
    return dead_letter_action(context, parts, by, reply);
  if (parts == strings{"log-level"}) {
    auto c = request.query.find("component");
    auto l = request.query.find("level");
    log_level parsed;
    if (c == request.query.end() || l == request.query.end()
        || !parse_log_level(l->second, parsed))
      return reply(json_error(400, "invalid_level",
                              "use ?component=<name or *>&level=debug|info|"
                              "warn|error"));
    return act(context, reply,
               "set " + c->second + " to " + l->second + " on every node",
               "no component '" + c->second
                 + "' on some node, or a node is read-only (GET "
                   "/admin/api/log-levels lists the components)",
               level_atom::value, c->second, l->second, by, std::string("admin"));
  }
  reply(json_error(404, "not_found", "no such admin action: POST /admin/api/"
                                       + [&] {
                                           std::string p;
                                           for (auto& s : parts)
                                             p += (p.empty() ? "" : "/") + s;
                                           return p;
                                         }()));
}


} // namespace admin_detail

using namespace admin_detail;

std::optional<http_response> admin_refusal(gateway_context& context,
                                           const std::string& token,
                                           std::string* subject) {
  if (token.empty())
    return json_error(401, "unauthorized",
                      "the admin console needs a JWT with role admin in "
                      "'Authorization: Bearer <token>' or ?token=");
  auto claims = context.verifier.verify(token);
  if (!claims)
    return json_error(401, std::string("token_") + to_string(claims.error().code),
                      claims.error().message);
  if (claims->user_role != role::admin)
    return json_error(403, "forbidden",
                      "the admin console needs a token with role admin");
  if (subject)
    *subject = claims->subject;
  return std::nullopt;
}

void handle_admin_api(gateway_context& context, admin_request request,
                      admin_reply reply) {
  std::string by;
  if (auto refused = admin_refusal(context, request.token, &by))
    return reply(*refused);
  auto& parts = request.parts;
  if (request.method == "POST") {
    if (!context.options.admin_actions)
      return reply(json_error(403, "actions_disabled",
                              "admin actions are off on this node (read-only); "
                              "start it with GATEWAY_ADMIN_ACTIONS=true"));
    return action(context, request, by.empty() ? "unknown" : by, reply);
  }
  if (request.method != "GET")
    return reply(json_error(405, "method_not_allowed",
                            "the admin API takes GET (and POST for actions)"));
  if (parts == strings{"members"})
    return members(context, reply);
  if (parts == strings{"owners"})
    return owners(context, request, reply);
  if (parts == strings{"nodes"})
    return nodes(context, reply);
  if (parts == strings{"actors"})
    return actors(context, request, reply);
  if (parts.size() == 2 && parts[0] == "drafts")
    return draft_detail(context, parts[1], reply);
  if (parts == strings{"connections"})
    return connections(context, request, reply);
  if (parts == strings{"outbox"})
    return database_report(context, "outbox", reply);
  if (parts == strings{"dead-letters"})
    return database_report(context, "dead-letters", reply);
  if (parts == strings{"log-levels"})
    return log_levels(reply);
  if (parts.size() == 2 && parts[0] == "trace") {
    // This node's part of one event's timeline (draftctl trace).
    if (!is_uuid(parts[1]))
      return reply(json_error(400, "invalid_id",
                              "the event id must be a UUID, got \"" + parts[1]
                                + "\""));
    auto id = normalize_uuid(parts[1]);
    return reply({200, json::write_object([&](json::object_writer& o) {
                    o.str("node", context.options.node_id);
                    gateway_traces().write(o, "event", id);
                  })});
  }
  std::string path = "/admin/api";
  for (auto& p : parts)
    path += "/" + p;
  reply(json_error(404, "not_found", "no such admin endpoint: GET " + path));
}

} // namespace draft
