// draftctl: the admin console on the command line, over the same JSON API as
// the web page (/admin/api/…, docs/admin.md). Readable tables by default,
// the API's JSON with --json.
//
//   draftctl [--url http://127.0.0.1:8080] [--token T] [--json] <command>
//   (or DRAFTCTL_URL and DRAFT_ADMIN_TOKEN)

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "protocol/json_writer.hpp"
#include "runtime/http_client.hpp"
#include "table.hpp"
#include "trace.hpp"

namespace {

using json = rapidjson::Value;

const char* usage_text =
  "usage: draftctl [--url URL] [--token TOKEN] [--json] COMMAND\n"
  "\n"
  "  nodes                          members, their status and process figures\n"
  "  actors [--top mailbox|rate|name] [--kind K] [--limit N]\n"
  "                                 the busiest actors of the cluster\n"
  "  drafts                         draft actors: owner, status, subscribers\n"
  "  draft <id>                     one draft's actors on every node\n"
  "  connections [--draft <id>]     WebSocket connections\n"
  "  outbox                         what the relay has not sent yet\n"
  "  dead-letters                   relay and broadcast dead letters\n"
  "  log-levels                     log level of each component (this node)\n"
  "  disconnect <connection>        close a connection (client resumes)\n"
  "  restart <draft>                restart a draft's owner actor\n"
  "  replay <relay-dead-letter-id>  publish a dead letter again\n"
  "  discard relay|broadcast <id>   mark a dead letter handled\n"
  "  log-level <component|*> <debug|info|warn|error>\n"
  "  trace <event-id> [--relay HOST:PORT]\n"
  "                                 one event's timeline: commit, relay publish\n"
  "                                 and ack, each node's apply and socket writes\n"
  "                                 (relay defaults to 127.0.0.1:8090)\n"
  "\n"
  "URL defaults to $DRAFTCTL_URL or http://127.0.0.1:8080; TOKEN to\n"
  "$DRAFT_ADMIN_TOKEN (a JWT with role admin). Actions need the node started\n"
  "with GATEWAY_ADMIN_ACTIONS=true.\n";

struct cli {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string token;
  bool raw = false;
  std::vector<std::string> args;            // command and its operands
  std::map<std::string, std::string> flags; // --top, --kind, --limit, --draft
};

int fail(const std::string& why) {
  std::fprintf(stderr, "draftctl: %s\n", why.c_str());
  return 1;
}

bool set_url(cli& c, std::string url) {
  if (url.rfind("http://", 0) == 0)
    url = url.substr(7);
  else if (url.find("://") != std::string::npos)
    return false;
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  auto colon = url.rfind(':');
  c.host = colon == std::string::npos ? url : url.substr(0, colon);
  c.port = colon == std::string::npos ? "80" : url.substr(colon + 1);
  return !c.host.empty();
}

std::string text(const json& v) {
  if (v.IsString())
    return v.GetString();
  if (v.IsBool())
    return v.GetBool() ? "true" : "false";
  if (v.IsInt64())
    return std::to_string(v.GetInt64());
  if (v.IsUint64())
    return std::to_string(v.GetUint64());
  if (v.IsDouble()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v.GetDouble());
    return buf;
  }
  return "";
}

std::string field(const json& o, const char* key) {
  return o.IsObject() && o.HasMember(key) ? text(o[key]) : "";
}

std::string detail(const json& actor, const char* key) {
  return actor.HasMember("details") ? field(actor["details"], key) : "";
}

std::string short_id(const std::string& id) {
  return id.size() > 8 ? id.substr(0, 8) : id;
}

// Calls the API; prints an error and returns false on failure.
bool call(const cli& c, const std::string& method, const std::string& path,
          rapidjson::Document& doc, std::string& body) {
  auto res = draft::http_request(c.host, c.port, method, "/admin/api/" + path,
                                 c.token);
  body = res.body;
  if (res.status == 0) {
    fail(res.body);
    return false;
  }
  doc.Parse(res.body.c_str());
  if (res.status != 200) {
    auto message = doc.IsObject() ? field(doc, "message") : res.body;
    fail(message + " (HTTP " + std::to_string(res.status) + ")");
    return false;
  }
  return true;
}

using printer = std::function<draftctl::table(const rapidjson::Document&)>;

draftctl::table print_nodes(const rapidjson::Document& members,
                            const rapidjson::Document& nodes) {
  draftctl::table t({"NODE", "STATUS", "ADDRESS", "HEARTBEAT", "UPTIME",
                     "CPU%", "RSS MB", "ACTORS", "STUCK", "SEES"});
  for (auto& m : members["members"].GetArray()) {
    std::string id = m["id"].GetString();
    std::string cpu, rss, actors, stuck;
    for (auto& n : nodes["nodes"].GetArray()) {
      if (id != n["node"].GetString() || n.HasMember("error"))
        continue;
      cpu = text(n["cpu_percent"]);
      rss = std::to_string(n["rss_bytes"].GetInt64() / 1048576);
      for (auto& kind : n["actors"].GetObject())
        actors += (actors.empty() ? "" : " ") + std::string(kind.name.GetString())
                  + "=" + text(kind.value);
      stuck = text(n["stuck"]);
    }
    std::string sees;
    for (auto& s : m["sees"].GetArray())
      sees += (sees.empty() ? "" : ",") + std::string(s.GetString());
    auto age = m["heartbeat_age_ms"].GetInt64();
    t.add({id, field(m, "status"), field(m, "address"),
           age < 0 ? "never" : std::to_string(age) + "ms",
           m["uptime_sec"].GetInt64() < 0 ? "" : field(m, "uptime_sec") + "s",
           cpu, rss, actors, stuck, sees});
  }
  return t;
}

draftctl::table print_actors(const rapidjson::Document& doc) {
  draftctl::table t({"NODE", "NAME", "KIND", "MAILBOX", "MSGS/S", "HANDLED",
                     "STATE"});
  for (auto& a : doc["actors"].GetArray())
    t.add({field(a, "node"), field(a, "name"), field(a, "kind"),
           field(a, "mailbox"), field(a, "rate"), field(a, "handled"),
           a["stuck"].GetBool() ? "STUCK" : "ok"});
  return t;
}

draftctl::table print_drafts(const rapidjson::Document& doc) {
  struct row {
    std::string owner, status, last_seq, pick;
    long subscribers = 0;
    std::string by_node;
  };
  std::map<std::string, row> drafts;
  for (auto& a : doc["actors"].GetArray()) {
    auto id = std::string(a["name"].GetString()).substr(6); // "draft-"
    auto& r = drafts[id];
    auto subs = detail(a, "subscribers");
    r.subscribers += std::atol(subs.c_str());
    r.by_node += (r.by_node.empty() ? "" : " ") + field(a, "node") + "=" + subs;
    if (detail(a, "role") == "owner" || r.owner.empty()) {
      r.owner = detail(a, "role") == "owner" ? field(a, "node") : "?";
      r.status = detail(a, "status");
      r.last_seq = detail(a, "last_seq");
      r.pick = detail(a, "current_pick");
    }
  }
  draftctl::table t({"DRAFT", "OWNER", "STATUS", "LAST SEQ", "PICK",
                     "SUBSCRIBERS", "BY NODE"});
  for (auto& [id, r] : drafts)
    t.add({id, r.owner, r.status, r.last_seq, r.pick,
           std::to_string(r.subscribers), r.by_node});
  return t;
}

draftctl::table print_draft(const rapidjson::Document& doc) {
  draftctl::table t({"NODE", "ROLE", "STATUS", "LAST SEQ", "HISTORY",
                     "SUBSCRIBERS", "FOLLOWERS", "PICK", "LEFT", "MAILBOX"});
  for (auto& a : doc["actors"].GetArray())
    t.add({field(a, "node"), detail(a, "role"), detail(a, "status"),
           detail(a, "last_seq"), detail(a, "history"),
           detail(a, "subscribers"), detail(a, "followers"),
           detail(a, "current_pick"), detail(a, "time_remaining_sec"),
           field(a, "mailbox")});
  return t;
}

draftctl::table print_connections(const rapidjson::Document& doc) {
  draftctl::table t({"ID", "NODE", "USER", "DRAFT", "QUEUED", "BYTES IN",
                     "BYTES OUT", "AGE"});
  for (auto& c : doc["connections"].GetArray())
    t.add({field(c, "id"), field(c, "node"), field(c, "user"),
           short_id(field(c, "draft_id")), field(c, "queued"),
           field(c, "bytes_in"), field(c, "bytes_out"),
           field(c, "age_sec") + "s"});
  return t;
}

draftctl::table print_dead_letters(const rapidjson::Document& doc) {
  draftctl::table t({"KIND", "ID", "DRAFT", "SEQ", "REASON", "WHEN"});
  for (auto& d : doc["relay"].GetArray())
    t.add({"relay", field(d, "id"), short_id(field(d, "draft_id")),
           field(d, "seq"), field(d, "last_error"), field(d, "dead_at")});
  for (auto& d : doc["broadcast"].GetArray())
    t.add({"broadcast", field(d, "id"), short_id(field(d, "draft_id")),
           field(d, "seq"),
           field(d, "reason") + " (" + field(d, "user") + " on "
             + field(d, "node") + ")",
           field(d, "created_at")});
  return t;
}

draftctl::table print_outbox(const rapidjson::Document& doc) {
  draftctl::table t({"UNSENT", "OLDEST UNSENT", "DEAD", "ROWS"});
  t.add({field(doc, "unsent"), field(doc, "oldest_unsent_age_sec") + "s",
         field(doc, "dead"), field(doc, "rows")});
  return t;
}

draftctl::table print_levels(const rapidjson::Document& doc) {
  draftctl::table t({"COMPONENT", "LEVEL"});
  for (auto& l : doc["levels"].GetObject())
    t.add({l.name.GetString(), l.value.GetString()});
  return t;
}

// GET `path` and print it as a table (or raw JSON).
int show(const cli& c, const std::string& path, const printer& print) {
  rapidjson::Document doc;
  std::string body;
  if (!call(c, "GET", path, doc, body))
    return 1;
  if (c.raw) {
    std::printf("%s\n", body.c_str());
    return 0;
  }
  std::fputs(print(doc).render().c_str(), stdout);
  return 0;
}

int act(const cli& c, const std::string& path) {
  rapidjson::Document doc;
  std::string body;
  if (!call(c, "POST", path, doc, body))
    return 1;
  std::printf("%s\n", c.raw ? body.c_str() : field(doc, "done").c_str());
  return 0;
}

std::string flag(const cli& c, const std::string& name,
                 const std::string& fallback = "") {
  auto it = c.flags.find(name);
  return it == c.flags.end() ? fallback : it->second;
}

int run(const cli& c) {
  auto& a = c.args;
  auto is = [&](const char* name, std::size_t operands) {
    return a[0] == name && a.size() == operands + 1;
  };
  if (is("nodes", 0)) {
    rapidjson::Document members, nodes;
    std::string members_body, nodes_body;
    if (!call(c, "GET", "members", members, members_body)
        || !call(c, "GET", "nodes", nodes, nodes_body))
      return 1;
    if (c.raw)
      std::printf("%s\n", draft::json::write_object([&](draft::json::object_writer& o) {
                             o.raw("members", members_body).raw("nodes", nodes_body);
                           }).c_str());
    else
      std::fputs(print_nodes(members, nodes).render().c_str(), stdout);
    return 0;
  }
  if (is("actors", 0)) {
    std::string path = "actors?top=" + flag(c, "top", "mailbox") + "&limit="
                       + flag(c, "limit", "20");
    if (!flag(c, "kind").empty())
      path += "&kind=" + flag(c, "kind");
    return show(c, path, print_actors);
  }
  if (is("drafts", 0))
    return show(c, "actors?kind=draft&top=name&limit=100000", print_drafts);
  if (is("draft", 1))
    return show(c, "drafts/" + a[1], print_draft);
  if (is("connections", 0))
    return show(c,
                "connections"
                  + (flag(c, "draft").empty() ? "" : "?draft=" + flag(c, "draft")),
                print_connections);
  if (is("outbox", 0))
    return show(c, "outbox", print_outbox);
  if (is("dead-letters", 0))
    return show(c, "dead-letters", print_dead_letters);
  if (is("log-levels", 0))
    return show(c, "log-levels", print_levels);
  if (is("disconnect", 1))
    return act(c, "connections/" + a[1] + "/disconnect");
  if (is("restart", 1))
    return act(c, "drafts/" + a[1] + "/restart");
  if (is("replay", 1))
    return act(c, "dead-letters/relay/" + a[1] + "/replay");
  if (is("discard", 2))
    return act(c, "dead-letters/" + a[1] + "/" + a[2] + "/discard");
  if (is("log-level", 2))
    return act(c, "log-level?component=" + a[1] + "&level=" + a[2]);
  if (is("trace", 1))
    return draftctl::trace_event({c.host, c.port, c.token,
                                  flag(c, "relay", "127.0.0.1:8090")},
                                 a[1], c.raw);
  std::fprintf(stderr, "draftctl: unknown command or wrong operands: %s\n\n%s",
               a[0].c_str(), usage_text);
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  cli c;
  if (auto url = std::getenv("DRAFTCTL_URL"); url && *url && !set_url(c, url))
    return fail(std::string("DRAFTCTL_URL: not an http:// URL: ") + url);
  if (auto token = std::getenv("DRAFT_ADMIN_TOKEN"))
    c.token = token;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--json") {
      c.raw = true;
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(usage_text, stdout);
      return 0;
    } else if (arg.rfind("--", 0) == 0) {
      if (i + 1 >= argc)
        return fail(arg + " needs a value");
      std::string value = argv[++i];
      if (arg == "--url") {
        if (!set_url(c, value))
          return fail("--url: not an http:// URL: " + value);
      } else if (arg == "--token") {
        c.token = value;
      } else if (arg == "--top" || arg == "--kind" || arg == "--limit"
                 || arg == "--draft" || arg == "--relay") {
        c.flags[arg.substr(2)] = value;
      } else {
        return fail("unknown option " + arg);
      }
    } else {
      c.args.push_back(arg);
    }
  }
  if (c.args.empty()) {
    std::fputs(usage_text, stderr);
    return 2;
  }
  if (c.token.empty())
    return fail("no token: pass --token or set DRAFT_ADMIN_TOKEN (a JWT with "
                "role admin; ./dev token --role admin makes one)");
  return run(c);
}
