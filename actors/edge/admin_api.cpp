#include "actors/edge/admin_api.hpp"

#include "actors/event_traces.hpp"

#include <algorithm>
#include <cstdlib>

#include <caf/all.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "actors/gateway_messages.hpp"
#include "actors/edge/ask.hpp"
#include "protocol/time_format.hpp"
#include "protocol/uuid.hpp"
#include "actors/gateway_types.hpp"
#include "runtime/config.hpp"
#include "runtime/logger.hpp"

namespace draft {

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;
using strings = std::vector<std::string>;

void write_string(json_writer& w, const std::string& key,
                  const std::string& value) {
  w.Key(key.c_str());
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

std::int64_t detail_int(const actor_status& s, const std::string& key) {
  return std::atoll(detail(s, key).c_str());
}

// Replies 200 with the JSON object whose members `fill` writes.
void reply_object(const admin_reply& reply,
                  const std::function<void(json_writer&)>& fill) {
  rapidjson::StringBuffer out;
  json_writer w(out);
  w.StartObject();
  fill(w);
  w.EndObject();
  reply({200, out.GetString()});
}

void write_actor(json_writer& w, const std::string& node,
                 const actor_report& a) {
  w.StartObject();
  write_string(w, "node", node);
  write_string(w, "name", a.status.name);
  write_string(w, "kind", a.status.kind);
  w.Key("mailbox");
  w.Uint64(a.status.mailbox_size);
  w.Key("handled");
  w.Uint64(a.status.messages_handled);
  w.Key("rate");
  w.Double(a.rate);
  w.Key("stuck");
  w.Bool(a.stuck);
  w.Key("details");
  w.StartObject();
  for (auto& [k, v] : a.status.details)
    write_string(w, k, v);
  w.EndObject();
  w.EndObject();
}

// Asks this node's admin actor for every node's report.
void with_reports(gateway_context& context, admin_reply reply,
                  std::function<void(std::vector<node_report>)> then,
                  std::string sort, std::int32_t limit, std::string kind,
                  std::string draft) {
  ask<std::vector<node_report>>(
    context.system, context.admin, std::move(then),
    [reply](const caf::error&) {
      reply(json_error(503, "unavailable", "the admin actor did not answer"));
    },
    cluster_atom::value, report_atom::value, std::move(sort), limit,
    std::move(kind), std::move(draft));
}

// The members as this node sees them (just itself on a single node).
void with_members(gateway_context& context,
                  std::function<void(std::vector<member_status>)> then,
                  admin_reply reply) {
  if (!context.membership) {
    member_status me;
    me.id = context.options.node_id;
    me.http_port = context.options.port;
    me.status = "self";
    me.heartbeat_age_ms = 0;
    me.sees = {me.id};
    return then({me});
  }
  ask<std::vector<member_status>>(
    context.system, context.membership, std::move(then),
    [reply](const caf::error&) {
      reply(json_error(503, "unavailable", "the membership actor did not "
                                           "answer"));
    },
    members_atom::value);
}

strings live_of(const std::vector<member_status>& members) {
  strings live;
  for (auto& m : members)
    if (m.status != "down")
      live.push_back(m.id);
  std::sort(live.begin(), live.end());
  return live;
}

void members(gateway_context& context, admin_reply reply) {
  auto node = context.options.node_id;
  with_members(
    context,
    [reply, node](std::vector<member_status> members) {
      reply_object(reply, [&](json_writer& w) {
        write_string(w, "node", node);
        w.Key("members");
        w.StartArray();
        auto now = now_utc();
        for (auto& m : members) {
          w.StartObject();
          write_string(w, "id", m.id);
          write_string(w, "address", m.address);
          w.Key("http_port");
          w.Int(m.http_port);
          write_string(w, "status", m.status);
          w.Key("heartbeat_age_ms");
          w.Int64(m.heartbeat_age_ms);
          w.Key("uptime_sec");
          w.Int64(m.started_at > 0 ? (now - m.started_at) / 1'000'000 : -1);
          w.Key("sees");
          w.StartArray();
          for (auto& id : m.sees)
            w.String(id.c_str());
          w.EndArray();
          w.EndObject();
        }
        w.EndArray();
      });
    },
    reply);
}

// GET owners?drafts=a,b: the owner of each draft, as this node's directory
// says (only the directory computes ownership).
void owners(gateway_context& context, const admin_request& request,
            admin_reply reply) {
  strings drafts;
  auto it = request.query.find("drafts");
  for (auto& item : split_list(it == request.query.end() ? "" : it->second)) {
    auto id = normalize_uuid(item);
    if (!is_uuid(id))
      return reply(json_error(400, "invalid_id",
                              "drafts must be a comma-separated list of "
                              "draft ids (UUIDs)"));
    drafts.push_back(id);
  }
  if (drafts.empty())
    return reply(json_error(400, "missing_drafts",
                            "name drafts with ?drafts=<id>,<id>"));
  auto node = context.options.node_id;
  auto& system = context.system;
  auto directory = context.directory;
  with_members(
    context,
    [reply, node, drafts, &system, directory](std::vector<member_status> members) {
      auto live = live_of(members);
      ask<std::vector<std::string>>(
        system, directory,
        [reply, node, drafts, live](std::vector<std::string> owners) {
          reply_object(reply, [&](json_writer& w) {
            write_string(w, "node", node);
            w.Key("live");
            w.StartArray();
            for (auto& id : live)
              w.String(id.c_str());
            w.EndArray();
            w.Key("owners");
            w.StartObject();
            for (std::size_t i = 0; i < drafts.size() && i < owners.size(); ++i)
              write_string(w, drafts[i], owners[i]);
            w.EndObject();
          });
        },
        [reply](const caf::error&) {
          reply(json_error(503, "unavailable", "the draft directory did not "
                                               "answer"));
        },
        owner_atom::value, drafts);
    },
    reply);
}

// GET nodes: per node process figures, actors by kind and the sample ring.
void nodes(gateway_context& context, admin_reply reply) {
  with_reports(
    context, reply,
    [reply](std::vector<node_report> reports) {
      auto now = now_utc();
      reply_object(reply, [&](json_writer& w) {
        w.Key("nodes");
        w.StartArray();
        for (auto& r : reports) {
          w.StartObject();
          write_string(w, "node", r.node);
          if (!r.error.empty()) {
            write_string(w, "error", r.error);
            w.EndObject();
            continue;
          }
          w.Key("pid");
          w.Int64(r.pid);
          w.Key("uptime_sec");
          w.Int64((now - r.started_at) / 1'000'000);
          w.Key("cpu_percent");
          w.Double(r.cpu_percent);
          w.Key("rss_bytes");
          w.Int64(r.rss_bytes);
          w.Key("stuck");
          w.Uint64(r.stuck);
          w.Key("actors");
          w.StartObject();
          for (auto& [kind, n] : r.actor_counts) {
            w.Key(kind.c_str());
            w.Uint64(n);
          }
          w.EndObject();
          w.Key("samples");
          w.StartArray();
          for (auto& s : r.samples) {
            w.StartObject();
            write_string(w, "at", format_rfc3339(s.at));
            w.Key("events_per_sec");
            w.Double(s.events_per_sec);
            w.Key("deliveries_per_sec");
            w.Double(s.deliveries_per_sec);
            w.Key("fanout_p50_ms");
            w.Double(s.fanout_p50_ms);
            w.Key("fanout_p99_ms");
            w.Double(s.fanout_p99_ms);
            w.EndObject();
          }
          w.EndArray();
          w.EndObject();
        }
        w.EndArray();
      });
    },
    "name", 0, "-", "");
}

std::int32_t limit_of(const admin_request& request, std::int32_t fallback) {
  auto it = request.query.find("limit");
  if (it == request.query.end())
    return fallback;
  std::int64_t v = 0;
  return parse_integer(it->second, 1, 100000, v) ? static_cast<std::int32_t>(v)
                                                 : -1;
}

// GET actors?top=mailbox|rate|name&limit=N&kind=K: the top actors of the
// cluster.
void actors(gateway_context& context, const admin_request& request,
            admin_reply reply) {
  auto it = request.query.find("top");
  std::string top = it == request.query.end() ? "mailbox" : it->second;
  if (top != "mailbox" && top != "rate" && top != "name")
    return reply(json_error(400, "invalid_top",
                            "top must be mailbox, rate or name"));
  auto limit = limit_of(request, 20);
  if (limit < 0)
    return reply(json_error(400, "invalid_limit",
                            "limit must be an integer from 1 to 100000"));
  auto kind_it = request.query.find("kind");
  std::string kind = kind_it == request.query.end() ? "" : kind_it->second;
  with_reports(
    context, reply,
    [reply, top, limit](std::vector<node_report> reports) {
      std::vector<std::pair<std::string, actor_report>> all;
      for (auto& r : reports)
        for (auto& a : r.actors)
          all.emplace_back(r.node, a);
      std::stable_sort(all.begin(), all.end(), [&](auto& a, auto& b) {
        if (top == "rate")
          return a.second.rate > b.second.rate;
        if (top == "mailbox")
          return a.second.status.mailbox_size > b.second.status.mailbox_size;
        return a.second.status.name < b.second.status.name;
      });
      if (all.size() > static_cast<std::size_t>(limit))
        all.resize(static_cast<std::size_t>(limit));
      reply_object(reply, [&](json_writer& w) {
        write_string(w, "top", top);
        w.Key("actors");
        w.StartArray();
        for (auto& [node, a] : all)
          write_actor(w, node, a);
        w.EndArray();
      });
    },
    top, limit, kind, "");
}

// GET drafts/{id}: the draft's actors on every node, its owner and its
// subscribers by node.
void draft_detail(gateway_context& context, const std::string& requested,
                  admin_reply reply) {
  auto draft_id = normalize_uuid(requested);
  if (!is_uuid(draft_id))
    return reply(json_error(400, "invalid_id", "the draft id must be a UUID"));
  auto& system = context.system;
  auto directory = context.directory;
  with_reports(
    context, reply,
    [reply, draft_id, &system, directory](std::vector<node_report> reports) {
      std::int64_t total = 0;
      bool found = false;
      for (auto& r : reports)
        for (auto& a : r.actors) {
          total += detail_int(a.status, "subscribers");
          found = true;
        }
      if (!found)
        return reply(json_error(404, "no_draft_actor",
                                "no node runs an actor for draft " + draft_id
                                  + " (one is started when a client connects)"));
      ask<std::string>(
        system, directory,
        [reply, draft_id, reports, total](const std::string& owner) {
          reply_object(reply, [&](json_writer& w) {
            write_string(w, "draft_id", draft_id);
            write_string(w, "owner", owner);
            w.Key("actors");
            w.StartArray();
            for (auto& r : reports)
              for (auto& a : r.actors)
                write_actor(w, r.node, a);
            w.EndArray();
            w.Key("subscribers_by_node");
            w.StartObject();
            for (auto& r : reports)
              for (auto& a : r.actors) {
                w.Key(r.node.c_str());
                w.Int64(detail_int(a.status, "subscribers"));
              }
            w.EndObject();
            w.Key("subscribers");
            w.Int64(total);
          });
        },
        [reply](const caf::error&) {
          reply(json_error(503, "unavailable", "the draft directory did not "
                                               "answer"));
        },
        owner_atom::value, draft_id);
    },
    "name", 0, "draft", draft_id);
}

// GET connections?draft=ID&limit=N: WebSocket connections on every node.
void connections(gateway_context& context, const admin_request& request,
                 admin_reply reply) {
  std::string draft;
  if (auto it = request.query.find("draft"); it != request.query.end()) {
    draft = normalize_uuid(it->second);
    if (!is_uuid(draft))
      return reply(json_error(400, "invalid_id", "draft must be a UUID"));
  }
  auto limit = limit_of(request, 1000);
  if (limit < 0)
    return reply(json_error(400, "invalid_limit",
                            "limit must be an integer from 1 to 100000"));
  with_reports(
    context, reply,
    [reply](std::vector<node_report> reports) {
      auto now = now_utc();
      reply_object(reply, [&](json_writer& w) {
        w.Key("connections");
        w.StartArray();
        std::size_t n = 0;
        for (auto& r : reports)
          for (auto& a : r.actors) {
            auto& s = a.status;
            w.StartObject();
            write_string(w, "id", detail(s, "connection"));
            write_string(w, "node", r.node);
            write_string(w, "user", detail(s, "user"));
            write_string(w, "draft_id", detail(s, "draft_id"));
            w.Key("queued");
            w.Int64(detail_int(s, "queued"));
            w.Key("bytes_in");
            w.Int64(detail_int(s, "bytes_in"));
            w.Key("bytes_out");
            w.Int64(detail_int(s, "bytes_out"));
            w.Key("age_sec");
            w.Int64((now - detail_int(s, "opened_at")) / 1'000'000);
            w.Key("mailbox");
            w.Uint64(s.mailbox_size);
            w.Key("stuck");
            w.Bool(a.stuck);
            w.EndObject();
            ++n;
          }
        w.EndArray();
        w.Key("count");
        w.Uint64(n);
      });
    },
    "name", limit, "socket", draft);
}

// GET outbox | dead-letters: from PostgreSQL.
void database_report(gateway_context& context, const std::string& what,
                     admin_reply reply) {
  ask<std::string>(
    context.system, context.database,
    [reply](std::string json) { reply({200, std::move(json)}); },
    [reply](const caf::error&) {
      reply(json_error(503, "unavailable", "the database is unreachable"));
    },
    report_atom::value, what);
}

void log_levels(admin_reply reply) {
  reply_object(reply, [&](json_writer& w) {
    w.Key("levels");
    w.StartObject();
    for (auto& [component, level] : logger::levels())
      write_string(w, component, to_string(level));
    w.EndObject();
  });
}

// -- actions ------------------------------------------------------------------

void done(admin_reply reply, bool ok, const std::string& what,
          const std::string& not_found) {
  if (ok)
    reply({200, "{\"ok\":true,\"done\":" + json_quoted(what) + "}"});
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

} // namespace

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
    return reply({200, "{\"node\":" + json_quoted(context.options.node_id)
                         + ",\"event\":"
                         + gateway_traces().json_of(normalize_uuid(parts[1]))
                         + "}"});
  }
  std::string path = "/admin/api";
  for (auto& p : parts)
    path += "/" + p;
  reply(json_error(404, "not_found", "no such admin endpoint: GET " + path));
}

} // namespace draft
