// The admin API's read-only endpoints: members, owners, nodes, actors, a
// draft, connections, the database reports, log levels.

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


} // namespace draft::admin_detail
