#include "trace.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include <rapidjson/document.h>

#include "protocol/json_writer.hpp"
#include "protocol/time_format.hpp"
#include "runtime/http_client.hpp"
#include "runtime/logger.hpp"
#include "table.hpp"

namespace draftctl {

namespace {

struct step {
  draft::timestamp at = 0;
  std::string process;
  std::string what;
};

bool get(const std::string& host, const std::string& port,
         const std::string& path, const std::string& token,
         rapidjson::Document& doc) {
  auto res = draft::http_request(host, port, "GET", path, token);
  if (res.status != 200)
    return false;
  doc.Parse(res.body.c_str());
  return doc.IsObject();
}

std::string str(const rapidjson::Value& o, const char* key) {
  return o.IsObject() && o.HasMember(key) && o[key].IsString()
           ? o[key].GetString()
           : "";
}

void add(std::vector<step>& steps, const rapidjson::Value& o, const char* key,
         const std::string& process, const std::string& what) {
  if (auto at = draft::parse_rfc3339(str(o, key)))
    steps.push_back({*at, process, what});
}

std::string trace_id_of(const std::string& traceparent) {
  return traceparent.size() >= 35 ? traceparent.substr(3, 32) : "";
}

} // namespace

int trace_event(const trace_target& t, const std::string& event_id, bool raw) {
  std::vector<step> steps;
  std::string trace_id, draft_id, type, seq;
  rapidjson::Document members;
  if (!get(t.host, t.port, "/admin/api/members", t.token, members)
      || !members.HasMember("members")) {
    std::fprintf(stderr, "draftctl: cannot read the members of %s:%s\n",
                 t.host.c_str(), t.port.c_str());
    return 1;
  }
  bool committed = false;
  for (auto& m : members["members"].GetArray()) {
    auto status = str(m, "status");
    if (status != "self" && status != "alive")
      continue;
    auto address = str(m, "address");
    auto host = address.substr(0, address.rfind(':'));
    auto http_port = std::to_string(m["http_port"].GetInt());
    rapidjson::Document answer;
    if (!get(host, http_port, "/admin/api/trace/" + event_id, t.token, answer)
        || !answer["event"].IsObject())
      continue;
    auto& e = answer["event"];
    auto node = str(answer, "node");
    if (!committed) {
      add(steps, e, "committed_at", "database", "commit (outbox row)");
      committed = true;
    }
    trace_id = trace_id_of(str(e, "traceparent"));
    draft_id = str(e, "draft_id");
    type = str(e, "type");
    seq = std::to_string(e["seq"].GetInt64());
    add(steps, e, "applied_at", node, "apply (" + str(e, "role") + ")");
    auto writes = std::to_string(e["writes"].GetUint());
    add(steps, e, "first_write", node, "first socket write");
    add(steps, e, "last_write", node, "last socket write (" + writes + " writes)");
  }
  if (!t.relay.empty()) {
    auto colon = t.relay.rfind(':');
    rapidjson::Document relay;
    if (colon != std::string::npos
        && get(t.relay.substr(0, colon), t.relay.substr(colon + 1),
               "/trace/" + event_id, "", relay)) {
      for (auto& p : relay["publishes"].GetArray()) {
        auto attempt = std::to_string(p["attempt"].GetInt());
        add(steps, p, "publish_started", "relay",
            "publish (attempt " + attempt + ")");
        add(steps, p, "publish_finished", "relay",
            p["acknowledged"].GetBool() ? "broker ack (PubAck/confirm)"
                                        : "publish failed");
        if (trace_id.empty())
          trace_id = trace_id_of(str(p, "traceparent"));
      }
    }
  }
  if (steps.empty()) {
    std::fprintf(stderr,
                 "draftctl: no process remembers event %s (the rings keep the "
                 "newest 4096 events)\n",
                 event_id.c_str());
    return 1;
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](auto& a, auto& b) { return a.at < b.at; });
  auto origin = steps.front().at;
  if (raw) {
    auto out = draft::json::write_object([&](draft::json::object_writer& o) {
      o.str("event_id", event_id)
        .str("trace_id", trace_id)
        .objects("steps", steps, [](draft::json::object_writer& s, auto& step) {
          s.time("at", step.at).str("process", step.process).str("step", step.what);
        });
    });
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("event %s  %s seq %s of draft %s\ntrace %s\n\n", event_id.c_str(),
              type.c_str(), seq.c_str(), draft_id.c_str(),
              trace_id.empty() ? "(none)" : trace_id.c_str());
  table out({"TIME", "+MS", "PROCESS", "STEP"});
  for (auto& s : steps) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.1f", static_cast<double>(s.at - origin) / 1000.0);
    out.add({draft::format_rfc3339(s.at), ms, s.process, s.what});
  }
  std::fputs(out.render().c_str(), stdout);
  return 0;
}

} // namespace draftctl
