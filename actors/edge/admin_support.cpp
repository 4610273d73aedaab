// What the admin API's endpoints share (admin_support.hpp).

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

namespace draft::admin_detail {

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


std::int32_t limit_of(const admin_request& request, std::int32_t fallback) {
  auto it = request.query.find("limit");
  if (it == request.query.end())
    return fallback;
  std::int64_t v = 0;
  return parse_integer(it->second, 1, 100000, v) ? static_cast<std::int32_t>(v)
                                                 : -1;
}


} // namespace draft::admin_detail
