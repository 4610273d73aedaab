#include "admin_api.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "actors/gateway_messages.hpp"
#include "ask.hpp"
#include "protocol/time_format.hpp"
#include "protocol/uuid.hpp"
#include "protocol/wire_types.hpp"
#include "runtime/ownership.hpp"

namespace draft {

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(json_writer& w, const std::string& key,
                  const std::string& value) {
  w.Key(key.c_str());
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

// The members as this node sees them (just itself on a single node).
void with_members(gateway_context& context,
                  std::function<void(std::vector<member_status>)> then,
                  admin_reply reply) {
  if (!context.membership) {
    member_status me;
    me.id = context.options.node_id;
    me.address = "";
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

std::vector<std::string> live_of(const std::vector<member_status>& members) {
  std::vector<std::string> live;
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
      rapidjson::StringBuffer out;
      json_writer w(out);
      w.StartObject();
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
      w.EndObject();
      reply({200, out.GetString()});
    },
    reply);
}

// GET owners?drafts=a,b: the owner of each draft by this node's view.
void owners(gateway_context& context, const admin_request& request,
            admin_reply reply) {
  std::vector<std::string> drafts;
  auto it = request.query.find("drafts");
  std::string list = it == request.query.end() ? "" : it->second;
  for (std::size_t start = 0; start <= list.size() && !list.empty();) {
    auto comma = list.find(',', start);
    auto id = normalize_uuid(list.substr(start, comma - start));
    if (!is_uuid(id))
      return reply(json_error(400, "invalid_id",
                              "drafts must be a comma-separated list of "
                              "draft ids (UUIDs)"));
    drafts.push_back(id);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (drafts.empty())
    return reply(json_error(400, "missing_drafts",
                            "name drafts with ?drafts=<id>,<id>"));
  auto node = context.options.node_id;
  with_members(
    context,
    [reply, node, drafts](std::vector<member_status> members) {
      auto live = live_of(members);
      rapidjson::StringBuffer out;
      json_writer w(out);
      w.StartObject();
      write_string(w, "node", node);
      w.Key("live");
      w.StartArray();
      for (auto& id : live)
        w.String(id.c_str());
      w.EndArray();
      w.Key("owners");
      w.StartObject();
      for (auto& d : drafts)
        write_string(w, d, owner_of(d, live));
      w.EndObject();
      w.EndObject();
      reply({200, out.GetString()});
    },
    reply);
}

void write_status(json_writer& w, const actor_status& s) {
  w.StartObject();
  write_string(w, "name", s.name);
  write_string(w, "kind", s.kind);
  w.Key("mailbox");
  w.Uint64(s.mailbox_size);
  w.Key("handled");
  w.Uint64(s.messages_handled);
  w.Key("details");
  w.StartObject();
  for (auto& [k, v] : s.details)
    write_string(w, k, v);
  w.EndObject();
  w.EndObject();
}

// GET drafts/{id}: the draft actor on this node (loaded if needed).
void draft_detail(gateway_context& context, const std::string& requested,
                  admin_reply reply) {
  auto draft_id = normalize_uuid(requested);
  if (!is_uuid(draft_id))
    return reply(json_error(400, "invalid_id", "the draft id must be a UUID"));
  auto& system = context.system;
  auto node = context.options.node_id;
  ask<caf::actor>(
    system, context.directory,
    [&system, reply, node](caf::actor draft) {
      ask<actor_status>(
        system, draft,
        [reply, node](actor_status s) {
          rapidjson::StringBuffer out;
          json_writer w(out);
          w.StartObject();
          write_string(w, "node", node);
          w.Key("actor");
          write_status(w, s);
          w.EndObject();
          reply({200, out.GetString()});
        },
        [reply](const caf::error&) {
          reply(json_error(503, "stuck", "the draft actor did not answer"));
        },
        status_atom::value);
    },
    [reply, draft_id](const caf::error& err) {
      reply(err == caf::sec::invalid_argument
              ? json_error(404, "unknown_draft", "no draft with id " + draft_id)
              : json_error(503, "unavailable", "the draft could not be loaded"));
    },
    caf::get_atom::value, draft_id);
}

} // namespace

void handle_admin_api(gateway_context& context, admin_request request,
                      admin_reply reply) {
  if (request.token.empty())
    return reply(json_error(401, "unauthorized",
                            "the admin API needs a JWT with role admin in "
                            "'Authorization: Bearer <token>' or ?token="));
  auto claims = context.verifier.verify(request.token);
  if (!claims)
    return reply(json_error(401, std::string("token_")
                                   + to_string(claims.error().code),
                            claims.error().message));
  if (claims->user_role != role::admin)
    return reply(json_error(403, "forbidden",
                            "the admin API needs a token with role admin"));
  auto& parts = request.parts;
  if (request.method == "GET" && parts == std::vector<std::string>{"members"})
    return members(context, reply);
  if (request.method == "GET" && parts == std::vector<std::string>{"owners"})
    return owners(context, request, reply);
  if (request.method == "GET" && parts.size() == 2 && parts[0] == "drafts")
    return draft_detail(context, parts[1], reply);
  std::string path = "/admin/api";
  for (auto& p : parts)
    path += "/" + p;
  reply(json_error(404, "not_found",
                   "no such admin endpoint: " + request.method + " " + path));
}

} // namespace draft
