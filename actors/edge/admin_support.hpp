#pragma once

// Internal to the admin API (admin_api.cpp): the helpers its endpoints share
// (asking the admin and membership actors, writing JSON) and the read-only
// endpoints (admin_views.cpp). Not for other modules.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "actors/edge/admin_api.hpp"
#include "actors/edge/gateway_context.hpp"
#include "actors/gateway_types.hpp"

namespace draft::admin_detail {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;
using strings = std::vector<std::string>;

// -- shared (admin_support.cpp) ------------------------------------------------

void write_string(json_writer& w, const std::string& key,
                  const std::string& value);
std::int64_t detail_int(const actor_status& s, const std::string& key);
void reply_object(const admin_reply& reply,
                  const std::function<void(json_writer&)>& fill);
void write_actor(json_writer& w, const std::string& node,
                 const actor_report& a);
void with_reports(gateway_context& context, admin_reply reply,
                  std::function<void(std::vector<node_report>)> then,
                  std::string sort, std::int32_t limit, std::string kind,
                  std::string draft);
void with_members(gateway_context& context,
                  std::function<void(std::vector<member_status>)> then,
                  admin_reply reply);
strings live_of(const std::vector<member_status>& members);
std::int32_t limit_of(const admin_request& request, std::int32_t fallback);

// -- the read-only endpoints (admin_views.cpp) ---------------------------------

void members(gateway_context& context, admin_reply reply);
void owners(gateway_context& context, const admin_request& request,
            admin_reply reply);
void nodes(gateway_context& context, admin_reply reply);
void actors(gateway_context& context, const admin_request& request,
            admin_reply reply);
void draft_detail(gateway_context& context, const std::string& requested,
                  admin_reply reply);
void connections(gateway_context& context, const admin_request& request,
                 admin_reply reply);
void database_report(gateway_context& context, const std::string& what,
                     admin_reply reply);
void log_levels(admin_reply reply);

} // namespace draft::admin_detail
