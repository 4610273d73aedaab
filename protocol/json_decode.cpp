#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocol/json_codec.hpp"
#include "protocol/json_fields.hpp"

namespace draft::json {

namespace {

using namespace bounds;

// The rules a field list cannot say: across fields, or a closed set.
void check(object_reader& r, const pick_made_payload& p) {
  if (p.auto_picked && p.autopick_source != "queue"
      && p.autopick_source != "rank")
    r.fail("autopick_source", "expected \"queue\" or \"rank\" for an "
                              "autopick");
  else if (!p.auto_picked && !p.autopick_source.empty())
    r.fail("autopick_source", "only an autopick (auto_picked true) has one");
}

void check(object_reader& r, const draft_started_payload& p) {
  if (p.draft_type != "snake" && p.draft_type != "linear")
    r.fail("draft_type", "expected \"snake\" or \"linear\"");
}

template <class Payload>
void check(object_reader&, const Payload&) {}

template <class Payload>
std::optional<problem> read_payload(const rapidjson::Value& object,
                                    const std::string& path,
                                    event_payload& out, bool& canonical) {
  object_reader r(object, path);
  Payload p;
  read_fields(r, p);
  check(r, p);
  if (r.error())
    return r.error();
  canonical = r.canonical();
  out = std::move(p);
  return std::nullopt;
}

std::optional<problem> read_payload(event_type type,
                                    const rapidjson::Value& object,
                                    const std::string& path,
                                    event_payload& out, bool& canonical) {
  switch (type) {
    case event_type::pick_made:
      return read_payload<pick_made_payload>(object, path, out, canonical);
    case event_type::pick_started:
      return read_payload<pick_started_payload>(object, path, out, canonical);
    case event_type::draft_started:
      return read_payload<draft_started_payload>(object, path, out, canonical);
    case event_type::draft_paused:
      return read_payload<draft_paused_payload>(object, path, out, canonical);
    case event_type::draft_resumed:
      return read_payload<draft_resumed_payload>(object, path, out, canonical);
    case event_type::draft_completed:
      return read_payload<draft_completed_payload>(object, path, out,
                                                   canonical);
    case event_type::timer_tick:
      return read_payload<timer_tick_payload>(object, path, out, canonical);
    case event_type::pick_undone:
      return read_payload<pick_undone_payload>(object, path, out, canonical);
  }
  return problem{path, "unknown event type"};
}

std::optional<problem> read_payload(event_type type,
                                    const rapidjson::Value& object,
                                    const std::string& path,
                                    event_payload& out) {
  bool canonical = false;
  return read_payload(type, object, path, out, canonical);
}

const char* known_types_text
  = "one of PickMade, PickStarted, DraftStarted, DraftPaused, DraftResumed, "
    "DraftCompleted, TimerTick, PickUndone";

bool read_event_type(object_reader& r, const char* key, event_type& out) {
  std::string name;
  if (!r.string(key, name, 64))
    return false;
  if (!parse_event_type(name, out))
    return r.fail(key, std::string("unknown event type \"") + name
                         + "\"; expected " + known_types_text);
  return true;
}

} // namespace

// Parses `text` (bounded) and reads the object with `read`.
template <class Read>
auto parsed(std::string_view text, const limits& lim, Read read)
  -> decltype(read(std::declval<const rapidjson::Value&>())) {
  rapidjson::Document doc;
  if (auto p = parse_object(text, lim, doc))
    return *p;
  return read(doc);
}

static result<draft_event> read_event(const rapidjson::Value& doc) {
  object_reader r(doc, "");
  draft_event event;
  event_type type{};
  const rapidjson::Value* data = nullptr;
  r.uuid("id", event.id);
  r.uuid("draft_id", event.draft_id);
  bool type_ok = read_event_type(r, "type", type);
  r.time("timestamp", event.time);
  // TimerTick carries the draft's last seq, which is 0 before any event.
  std::int64_t min_seq = type_ok && !is_outbox_event(type) ? 0 : 1;
  r.int64("seq", event.seq, min_seq, max_seq);
  r.object("data", data);
  if (r.error())
    return *r.error();
  if (auto p = read_payload(type, *data, "data", event.data))
    return *p;
  return event;
}

result<draft_event> decode_event(std::string_view text, const limits& lim) {
  return parsed(text, lim, read_event);
}

result<event_payload> decode_payload(event_type type, std::string_view text,
                                     const limits& lim) {
  bool canonical = false;
  return decode_payload(type, text, canonical, lim);
}

result<event_payload> decode_payload(event_type type, std::string_view text,
                                     bool& canonical, const limits& lim) {
  canonical = false;
  rapidjson::Document doc;
  if (auto p = parse_object(text, lim, doc))
    return problem{"data", p->message};
  event_payload out;
  if (auto p = read_payload(type, doc, "data", out, canonical))
    return *p;
  return out;
}

void compact_json(std::string_view json_text, std::string& out) {
  out.reserve(out.size() + json_text.size());
  each_byte(json_text, [&](char c, bool in_string) {
    if (in_string || (c != ' ' && c != '\n' && c != '\t' && c != '\r'))
      out.push_back(c);
  });
}

result<relay_envelope> decode_envelope(std::string_view text,
                                       const limits& lim) {
  rapidjson::Document doc;
  if (auto p = parse_object(text, lim, doc))
    return *p;
  object_reader r(doc, "");
  relay_envelope envelope;
  const rapidjson::Value* payload = nullptr;
  r.uuid("eventId", envelope.event_id);
  if (read_event_type(r, "eventType", envelope.type)
      && !is_outbox_event(envelope.type))
    r.fail("eventType", "TimerTick is never relayed; expected an outbox event "
                        "type");
  r.uuid("draftId", envelope.draft_id);
  r.time("timestamp", envelope.time);
  r.object("payload", payload);
  if (!r.is_null("seq"))
    r.int64("seq", envelope.seq, 1, max_seq);
  if (r.error())
    return *r.error();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  payload->Accept(writer);
  envelope.payload_json.assign(buffer.GetString(), buffer.GetSize());
  return envelope;
}

static result<draft_snapshot> read_snapshot(const rapidjson::Value& doc) {
  object_reader r(doc, "");
  draft_snapshot snapshot;
  std::string status;
  r.uuid("draft_id", snapshot.draft_id);
  if (r.string("status", status, 32)
      && !parse_draft_status(status, snapshot.status))
    r.fail("status", "unknown status \"" + status
                       + "\"; expected one of NOT_STARTED, IN_PROGRESS, "
                         "PAUSED, COMPLETED");
  r.int32("total_picks", snapshot.total_picks, 0, max_overall);
  r.int32("completed_picks", snapshot.completed_picks, 0, max_overall);
  r.int64("last_seq", snapshot.last_seq, 0, max_seq);
  const rapidjson::Value* pick = nullptr;
  if (!r.is_null("current_pick") && r.object("current_pick", pick)) {
    object_reader pr(*pick, r.path_of("current_pick"));
    current_pick cp;
    read_fields(pr, cp);
    if (pr.error())
      return *pr.error();
    snapshot.pick = std::move(cp);
  }
  if (r.error())
    return *r.error();
  if (snapshot.completed_picks > snapshot.total_picks)
    return problem{"completed_picks", "must not exceed total_picks"};
  return snapshot;
}

result<draft_snapshot> decode_snapshot(std::string_view text, const limits& lim) {
  return parsed(text, lim, read_snapshot);
}

result<client_message> decode_client_message(std::string_view text,
                                             const limits& lim) {
  rapidjson::Document doc;
  if (auto p = parse_object(text, lim, doc))
    return *p;
  object_reader r(doc, "");
  std::string type;
  if (!r.string("type", type, 32))
    return *r.error();
  if (type == "resume") {
    resume_request resume;
    if (!r.int64("last_seq", resume.last_seq, 0, max_seq))
      return *r.error();
    return client_message{resume};
  }
  if (type == "ping") {
    ping_request ping;
    if (!r.optional_string("nonce", ping.nonce, 128))
      return *r.error();
    return client_message{ping};
  }
  return problem{"type", "unknown message type \"" + type
                           + "\"; expected \"resume\" or \"ping\""};
}

static result<pong_reply> read_pong(const rapidjson::Value& doc) {
  object_reader r(doc, "");
  std::string type;
  pong_reply reply;
  if (r.string("type", type, 32) && type != "pong")
    r.fail("type", "expected \"pong\"");
  r.optional_string("nonce", reply.nonce, 128);
  r.time("server_time", reply.server_time);
  if (r.error())
    return *r.error();
  return reply;
}

result<pong_reply> decode_pong(std::string_view text, const limits& lim) {
  return parsed(text, lim, read_pong);
}

namespace {

// `{"teams": [{"team_id", "connections"}], "viewers"}` members of `object`.
std::optional<problem> read_presence(const rapidjson::Value& object,
                                     const std::string& path,
                                     presence_counts& out) {
  object_reader r(object, path);
  r.int32("viewers", out.viewers, 0, INT32_MAX);
  auto teams = object.FindMember("teams");
  if (teams == object.MemberEnd() || !teams->value.IsArray())
    r.fail("teams", "is required (an array of {team_id, connections})");
  else
    for (auto& t : teams->value.GetArray()) {
      if (!t.IsObject()) {
        r.fail("teams", "expected objects {team_id, connections}");
        break;
      }
      object_reader tr(t, r.path_of("teams"));
      std::string team;
      std::int32_t connections = 0;
      tr.string("team_id", team, 64);
      tr.int32("connections", connections, 1, INT32_MAX);
      if (tr.error())
        return tr.error();
      out.teams[team] = connections;
    }
  return r.error();
}

} // namespace

// A server frame's "type", if it is a string.
static std::optional<std::string_view> frame_type(const rapidjson::Value& doc) {
  auto type = doc.FindMember("type");
  if (type == doc.MemberEnd() || !type->value.IsString())
    return std::nullopt;
  return std::string_view(type->value.GetString(), type->value.GetStringLength());
}

result<frame_header> peek_server_frame(std::string_view text,
                                       const limits& lim) {
  rapidjson::Document doc;
  if (auto p = parse_object(text, lim, doc))
    return *p;
  frame_header h;
  auto type = frame_type(doc);
  if (!type)
    return problem{"type", "is required (a string)"};
  h.type.assign(type->data(), type->size());
  auto number = [&](const char* key, std::int64_t& out) {
    auto it = doc.FindMember(key);
    if (it != doc.MemberEnd() && it->value.IsInt64())
      out = it->value.GetInt64();
  };
  number("seq", h.seq);
  number("last_seq", h.last_seq);
  auto time = doc.FindMember("timestamp");
  if (time != doc.MemberEnd() && time->value.IsString())
    if (auto t = parse_rfc3339(std::string_view(time->value.GetString(),
                                                time->value.GetStringLength())))
      h.time = *t;
  return h;
}

result<server_message> decode_server_message(std::string_view text,
                                             const limits& lim) {
  rapidjson::Document doc;
  if (auto p = parse_object(text, lim, doc))
    return *p;
  auto type = frame_type(doc);
  if (!type)
    return problem{"type", "is required (a string)"};
  auto name = *type;
  if (name == "StateSnapshot") {
    auto snapshot = read_snapshot(doc);
    if (!snapshot)
      return snapshot.error();
    snapshot_message m{std::move(*snapshot), {}};
    auto presence = doc.FindMember("presence");
    if (presence != doc.MemberEnd() && presence->value.IsObject())
      if (auto p = read_presence(presence->value, "presence", m.presence))
        return *p;
    return server_message{std::move(m)};
  }
  if (name == "PresenceChanged") {
    presence_message m;
    object_reader r(doc, "");
    r.uuid("draft_id", m.draft_id);
    r.time("server_time", m.server_time);
    if (r.error())
      return *r.error();
    if (auto p = read_presence(doc, "", m.presence))
      return *p;
    return server_message{std::move(m)};
  }
  if (name == "pong") {
    auto pong = read_pong(doc);
    if (!pong)
      return pong.error();
    return server_message{std::move(*pong)};
  }
  auto event = read_event(doc);
  if (!event)
    return event.error();
  return server_message{std::move(*event)};
}

} // namespace draft::json
