#include "actors/edge/room_page.hpp"

#include <cstring>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace draft {

namespace {

struct room_asset {
  const char* path;
  const char* content_type;
  const char* text;
};

#include "room_assets.inc"

const room_asset* find(const std::string& path) {
  for (auto& a : room_assets)
    if (path == a.path)
      return &a;
  return nullptr;
}

// The page runs only its own scripts, talks to the gateways it is given
// (WebSocket, and HTTP for the picks API on the node it is connected to)
// and the orchestrator, and may not be framed.
std::string content_policy(const gateway_options& o) {
  std::string connect = "'self'";
  for (auto& url : o.room_urls) {
    connect += " " + url;
    if (url.rfind("wss://", 0) == 0)
      connect += " https://" + url.substr(6);
    else if (url.rfind("ws://", 0) == 0)
      connect += " http://" + url.substr(5);
  }
  if (!o.room_orchestrator_url.empty())
    connect += " " + o.room_orchestrator_url;
  return "default-src 'none'; script-src 'self'; style-src 'self'; "
         "connect-src " + connect + "; img-src 'self' data:; "
         "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
}

// The page's configuration as JSON, safe inside a <script> data block.
std::string room_config(const gateway_options& o, const std::string& draft_id) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("draftId");
  w.String(draft_id.c_str());
  w.Key("gateways");
  w.StartArray();
  for (auto& url : o.room_urls)
    w.String(url.c_str());
  w.EndArray();
  w.Key("orchestrator");
  w.String(o.room_orchestrator_url.c_str());
  w.EndObject();
  std::string out;
  for (const char* c = buffer.GetString(); *c; ++c)
    if (*c == '<')
      out += "\\u003c"; // no "</script>" can end the block early
    else
      out += *c;
  return out;
}

} // namespace

http_response room_page(const gateway_options& options, const std::string& draft_id) {
  std::string page = find("/room/room.html")->text;
  const std::string marker = "@ROOM_CONFIG@";
  page.replace(page.find(marker), marker.size(), room_config(options, draft_id));
  return {200, std::move(page), "text/html; charset=utf-8",
          {{"Content-Security-Policy", content_policy(options)},
           {"X-Frame-Options", "DENY"},
           {"Referrer-Policy", "no-referrer"},
           {"Cache-Control", "no-store"}}};
}

std::optional<http_response> room_asset(const std::string& path) {
  auto* a = find(path);
  if (!a || path == "/room/room.html")
    return std::nullopt;
  return http_response{200, a->text, a->content_type,
                       {{"Cache-Control", "no-cache"},
                        {"X-Content-Type-Options", "nosniff"}}};
}

} // namespace draft
