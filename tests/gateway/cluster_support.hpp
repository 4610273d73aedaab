#pragma once

// What the cluster tests ask the nodes' admin API.

#include <map>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gateway_fixture.hpp"
#include "support/http_client.hpp"

namespace draft::testing {

/// GET /admin/api/<path> on `port` with an admin token, parsed.
inline rapidjson::Document admin_get(int port, const std::string& path) {
  rapidjson::Document doc;
  auto res = http_call(port, "GET", "/admin/api/" + path, "", admin_token());
  doc.Parse(res.body.c_str());
  if (res.status != 200 || !doc.IsObject())
    doc.SetNull();
  return doc;
}

/// Member id -> status ("self", "alive", "down") as node `port` sees it.
inline std::map<std::string, std::string> member_statuses(int port) {
  std::map<std::string, std::string> out;
  auto doc = admin_get(port, "members");
  if (doc.IsObject())
    for (auto& m : doc["members"].GetArray())
      out[m["id"].GetString()] = m["status"].GetString();
  return out;
}

/// True if node `port` sees exactly the `live` members alive (or self).
inline bool sees_live(int port, const std::vector<std::string>& live) {
  std::vector<std::string> seen;
  for (auto& [id, status] : member_statuses(port))
    if (status != "down")
      seen.push_back(id);
  return seen == live;
}

/// True once each of `nodes` sees exactly `live` (polled for `seconds`).
inline bool all_see(gateway_fixture& f, const std::vector<int>& nodes,
             const std::vector<std::string>& live, int seconds = 20) {
  return gateway_fixture::eventually(
    [&] {
      for (int n : nodes)
        if (!sees_live(f.gateway_port(n), live))
          return false;
      return true;
    },
    seconds);
}

/// True once every draft's outbox holds at least `rows` events (4: started,
/// a pick made, the next pick on the clock) — the drafts are under way.
/// `f` is anything with an `outbox(draft_id)` (polled for `seconds`).
template <class Fixture>
bool drafts_under_way(Fixture& f, const std::vector<std::string>& drafts,
                      std::size_t rows = 4, int seconds = 30) {
  return gateway_fixture::eventually(
    [&] {
      for (auto& d : drafts)
        if (f.outbox(d).size() < rows)
          return false;
      return true;
    },
    seconds);
}

/// Draft id -> owner node id, by the view of node `port`.
inline std::map<std::string, std::string>
owners(int port, const std::vector<std::string>& drafts) {
  std::string list;
  for (auto& d : drafts)
    list += (list.empty() ? "" : ",") + d;
  std::map<std::string, std::string> out;
  auto doc = admin_get(port, "owners?drafts=" + list);
  if (doc.IsObject())
    for (auto& m : doc["owners"].GetObject())
      out[m.name.GetString()] = m.value.GetString();
  return out;
}

/// A detail of the draft actor on node `node` ("n1", …), as the admin API
/// of `port` reports it ("" if absent).
inline std::string draft_detail(int port, const std::string& draft_id,
                                const std::string& node, const std::string& key) {
  auto doc = admin_get(port, "drafts/" + draft_id);
  if (!doc.IsObject())
    return "";
  for (auto& a : doc["actors"].GetArray())
    if (node == a["node"].GetString()) {
      auto& details = a["details"];
      return details.HasMember(key.c_str()) ? details[key.c_str()].GetString()
                                            : "";
    }
  return "";
}

/// Node index (0-based) of node id "n<k>".
inline int node_index(const std::string& id) {
  return std::stoi(id.substr(1)) - 1;
}

} // namespace draft::testing
