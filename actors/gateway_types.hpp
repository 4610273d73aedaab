#pragma once

// The gateway's own vocabulary, beside the client protocol's
// (protocol/types.hpp): what its actors tell each other and the admin
// console — outbox rows, a loaded draft, statuses and node reports — with
// the field list of each (protocol/fields.hpp), CAF's `inspect` made from
// those lists, the atoms, and the CAF type-id block that registers every
// type that may cross a node. A type missing from the block still compiles
// but travels between nodes as an empty message:
// tests/actors/wire_types_test.cpp sends each one across two actor systems
// to catch that.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/none.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

#include "protocol/fields.hpp"
#include "protocol/types.hpp"

namespace draft {

/// What every actor answers to a `status` request, for the admin console.
struct actor_status {
  std::string name;
  std::string kind;
  std::uint64_t mailbox_size = 0;
  std::uint64_t messages_handled = 0;
  std::map<std::string, std::string> details;
};

/// The detail `key` of a status ("" if absent).
inline std::string detail(const actor_status& s, const std::string& key) {
  auto it = s.details.find(key);
  return it == s.details.end() ? std::string() : it->second;
}

/// One cluster member as a node sees it (cluster view of the admin console
/// and the cluster tests).
struct member_status {
  std::string id;
  std::string address;              ///< host:cluster_port
  std::uint16_t http_port = 0;
  std::string status;               ///< "self", "alive" or "down"
  std::int64_t heartbeat_age_ms = -1; ///< since last heard; -1 never heard
  std::int64_t started_at = 0;      ///< the member's start (µs since epoch)
  std::vector<std::string> sees;    ///< the live members the member sees
};

/// One actor as a node's admin actor last saw it (admin console).
struct actor_report {
  actor_status status;
  double rate = 0;    ///< messages handled per second over the last interval
  bool stuck = false; ///< it did not answer the last status request in time
};

/// One sample of a node's activity, for the console's charts.
struct activity_sample {
  std::int64_t at = 0;           ///< µs since the epoch
  double events_per_sec = 0;     ///< outbox events applied by draft actors
  double deliveries_per_sec = 0; ///< frames handed to connections
  double fanout_p50_ms = 0;      ///< outbox commit -> socket write
  double fanout_p99_ms = 0;
};

/// What one node's admin actor reports about its node.
struct node_report {
  std::string node;
  std::string error;          ///< set when the node did not answer
  std::int64_t pid = 0;
  std::int64_t started_at = 0; ///< µs since the epoch
  double cpu_percent = 0;     ///< process CPU over the last interval
  std::int64_t rss_bytes = 0;
  std::map<std::string, std::uint64_t> actor_counts; ///< by kind
  std::uint64_t stuck = 0;
  std::vector<actor_report> actors; ///< as asked: filtered, sorted, limited
  std::vector<activity_sample> samples; ///< oldest first
};

/// One outbox row as the gateway's poller routes it to a draft actor. The
/// payload stays the row's JSON text; the draft actor decodes it once.
struct outbox_row {
  std::string draft_id;
  std::int64_t seq = 0;
  std::string event_id;
  event_type type = event_type::pick_made;
  timestamp created_at = 0;
  std::string payload_json;
  std::string traceparent; ///< the writer's W3C trace context; "" if none
  /// The client frame, on a row the owner's draft actor forwards to a
  /// follower (encoded once per cluster); "" on a row read from PostgreSQL.
  std::string frame_text;
};

/// A draft's state as loaded from PostgreSQL when its actor is spawned.
struct draft_load {
  bool found = false;
  draft_snapshot snapshot;
  std::int32_t paused_remaining_sec = 0; ///< clock left when PAUSED
  std::string draft_type;
};

/// A broadcast that could not be delivered (seed §8), kept for operators.
struct dead_letter {
  std::string draft_id;
  std::string connection_id;
  std::string user;
  std::int64_t seq = 0;
  std::string reason;
};


// -- field lists -----------------------------------------------------------------

constexpr auto describe(const actor_status*) {
  using namespace fields;
  using T = actor_status;
  return make_record<T>(
    "draft::actor_status",
    member("name", &T::name),
    member("kind", &T::kind),
    member("mailbox_size", &T::mailbox_size),
    member("messages_handled", &T::messages_handled),
    member("details", &T::details));
}

constexpr auto describe(const member_status*) {
  using namespace fields;
  using T = member_status;
  return make_record<T>(
    "draft::member_status",
    member("id", &T::id),
    member("address", &T::address),
    member("http_port", &T::http_port),
    member("status", &T::status),
    member("heartbeat_age_ms", &T::heartbeat_age_ms),
    member("started_at", &T::started_at),
    member("sees", &T::sees));
}

constexpr auto describe(const actor_report*) {
  using namespace fields;
  using T = actor_report;
  return make_record<T>(
    "draft::actor_report",
    member("status", &T::status),
    member("rate", &T::rate),
    member("stuck", &T::stuck));
}

constexpr auto describe(const activity_sample*) {
  using namespace fields;
  using T = activity_sample;
  return make_record<T>(
    "draft::activity_sample",
    member("at", &T::at),
    member("events_per_sec", &T::events_per_sec),
    member("deliveries_per_sec", &T::deliveries_per_sec),
    member("fanout_p50_ms", &T::fanout_p50_ms),
    member("fanout_p99_ms", &T::fanout_p99_ms));
}

constexpr auto describe(const node_report*) {
  using namespace fields;
  using T = node_report;
  return make_record<T>(
    "draft::node_report",
    member("node", &T::node),
    member("error", &T::error),
    member("pid", &T::pid),
    member("started_at", &T::started_at),
    member("cpu_percent", &T::cpu_percent),
    member("rss_bytes", &T::rss_bytes),
    member("actor_counts", &T::actor_counts),
    member("stuck", &T::stuck),
    member("actors", &T::actors),
    member("samples", &T::samples));
}

constexpr auto describe(const outbox_row*) {
  using namespace fields;
  using T = outbox_row;
  return make_record<T>(
    "draft::outbox_row",
    member("draft_id", &T::draft_id),
    member("seq", &T::seq),
    member("event_id", &T::event_id),
    member("type", &T::type),
    member("created_at", &T::created_at),
    member("payload_json", &T::payload_json),
    member("traceparent", &T::traceparent),
    member("frame_text", &T::frame_text));
}

constexpr auto describe(const draft_load*) {
  using namespace fields;
  using T = draft_load;
  return make_record<T>(
    "draft::draft_load",
    member("found", &T::found),
    member("snapshot", &T::snapshot),
    member("paused_remaining_sec", &T::paused_remaining_sec),
    member("draft_type", &T::draft_type));
}

constexpr auto describe(const dead_letter*) {
  using namespace fields;
  using T = dead_letter;
  return make_record<T>(
    "draft::dead_letter",
    member("draft_id", &T::draft_id),
    member("connection_id", &T::connection_id),
    member("user", &T::user),
    member("seq", &T::seq),
    member("reason", &T::reason));
}

// -- CAF inspection (0.17 form), from the field lists -----------------------

template <class Inspector, class T>
std::enable_if_t<has_fields_v<T>, typename Inspector::result_type>
inspect(Inspector& f, T& x) {
  auto r = describe(static_cast<const T*>(nullptr));
  return std::apply(
    [&](const auto&... d) {
      return f(caf::meta::type_name(r.name), x.*(d.member)...);
    },
    r.list);
}

/// A `std::optional` of one of ours (CAF 0.17 knows only `caf::optional`):
/// a presence flag, then the value if there is one.
template <class T>
struct optional_value {
  bool& present;
  T& value;
  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f,
                                                 optional_value& x) {
    return x.present ? f(x.value) : f();
  }
};

template <class Inspector, class T>
std::enable_if_t<has_fields_v<T>, typename Inspector::result_type>
inspect(Inspector& f, std::optional<T>& x) {
  bool present = x.has_value();
  T value = present ? *x : T{};
  optional_value<T> wrapped{present, value};
  return f(present, wrapped, caf::meta::load_callback([&]() -> caf::error {
             if (present)
               x = std::move(value);
             else
               x.reset();
             return caf::none;
           }));
}

} // namespace draft

// -- the type-id block ------------------------------------------------------------

CAF_BEGIN_TYPE_ID_BLOCK(draft_gateway, caf::first_custom_type_id)

  // Atoms (at most 10 characters in CAF 0.17).
  CAF_ADD_ATOM(draft_gateway, draft, event_atom, "event")
  CAF_ADD_ATOM(draft_gateway, draft, frame_atom, "frame")
  CAF_ADD_ATOM(draft_gateway, draft, replay_atom, "replay")
  CAF_ADD_ATOM(draft_gateway, draft, trim_atom, "trim")
  CAF_ADD_ATOM(draft_gateway, draft, subscribe_atom, "subscribe")
  CAF_ADD_ATOM(draft_gateway, draft, unsubscribe_atom, "unsubscr")
  CAF_ADD_ATOM(draft_gateway, draft, tick_atom, "tick")
  CAF_ADD_ATOM(draft_gateway, draft, state_atom, "state")
  CAF_ADD_ATOM(draft_gateway, draft, status_atom, "status")
  CAF_ADD_ATOM(draft_gateway, draft, load_atom, "load")
  CAF_ADD_ATOM(draft_gateway, draft, fetch_atom, "fetch")
  CAF_ADD_ATOM(draft_gateway, draft, picks_atom, "picks")
  CAF_ADD_ATOM(draft_gateway, draft, dead_atom, "dead")
  CAF_ADD_ATOM(draft_gateway, draft, poll_atom, "poll")
  CAF_ADD_ATOM(draft_gateway, draft, register_atom, "register")
  CAF_ADD_ATOM(draft_gateway, draft, unregister_atom, "unregister")
  CAF_ADD_ATOM(draft_gateway, draft, ready_atom, "ready")
  CAF_ADD_ATOM(draft_gateway, draft, idle_atom, "idle")
  CAF_ADD_ATOM(draft_gateway, draft, slow_atom, "slow")
  CAF_ADD_ATOM(draft_gateway, draft, closed_atom, "closed")
  CAF_ADD_ATOM(draft_gateway, draft, shutdown_atom, "shutdown")
  CAF_ADD_ATOM(draft_gateway, draft, expire_atom, "expire")
  CAF_ADD_ATOM(draft_gateway, draft, heartbeat_atom, "heartbeat")
  CAF_ADD_ATOM(draft_gateway, draft, hello_atom, "hello")
  CAF_ADD_ATOM(draft_gateway, draft, members_atom, "members")
  CAF_ADD_ATOM(draft_gateway, draft, owner_atom, "owner")
  CAF_ADD_ATOM(draft_gateway, draft, follow_atom, "follow")
  CAF_ADD_ATOM(draft_gateway, draft, unfollow_atom, "unfollow")
  CAF_ADD_ATOM(draft_gateway, draft, presence_atom, "presence")
  CAF_ADD_ATOM(draft_gateway, draft, admin_atom, "admin")
  CAF_ADD_ATOM(draft_gateway, draft, report_atom, "report")
  CAF_ADD_ATOM(draft_gateway, draft, restart_atom, "restart")
  CAF_ADD_ATOM(draft_gateway, draft, level_atom, "level")
  CAF_ADD_ATOM(draft_gateway, draft, actors_atom, "actors")
  CAF_ADD_ATOM(draft_gateway, draft, cluster_atom, "cluster")
  CAF_ADD_ATOM(draft_gateway, draft, socket_atom, "socket")

  // Protocol types that cross nodes (a draft's state, who is in its room).
  CAF_ADD_TYPE_ID(draft_gateway, (draft::event_type))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::draft_status))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::current_pick))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::draft_snapshot))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::presence_counts))

  // The gateway's own.
  CAF_ADD_TYPE_ID(draft_gateway, (draft::actor_status))
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<draft::actor_status>) )
  CAF_ADD_TYPE_ID(draft_gateway, (draft::outbox_row))
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<draft::outbox_row>) )
  CAF_ADD_TYPE_ID(draft_gateway, (draft::draft_load))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::dead_letter))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::member_status))
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<draft::member_status>) )
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<std::string>) )
  CAF_ADD_TYPE_ID(draft_gateway, (draft::actor_report))
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<draft::actor_report>) )
  CAF_ADD_TYPE_ID(draft_gateway, (draft::activity_sample))
  CAF_ADD_TYPE_ID(draft_gateway, (draft::node_report))
  CAF_ADD_TYPE_ID(draft_gateway, (std::vector<draft::node_report>) )

CAF_END_TYPE_ID_BLOCK(draft_gateway)
