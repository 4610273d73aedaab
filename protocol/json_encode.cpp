#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocol/json_codec.hpp"
#include "protocol/json_fields.hpp"

namespace draft::json {

namespace {

void write_payload(writer_type& w, const event_payload& payload) {
  object_writer o(w);
  w.StartObject();
  std::visit([&](const auto& p) { write_fields(o, p); }, payload);
  w.EndObject();
}

std::string take(rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

} // namespace

namespace {

// An event's members before its "data" (the key is written, its value next).
void write_envelope(writer_type& w, const std::string& id,
                    const std::string& draft_id, event_type type,
                    timestamp time, std::int64_t seq) {
  object_writer o(w);
  o.str("id", id)
    .str("draft_id", draft_id)
    .str("type", to_string(type))
    .time("timestamp", time)
    .num("seq", seq);
  w.Key("data");
}

} // namespace

std::string encode(const draft_event& event) {
  rapidjson::StringBuffer buffer;
  writer_type w(buffer);
  w.StartObject();
  write_envelope(w, event.id, event.draft_id, event.type(), event.time,
                 event.seq);
  write_payload(w, event.data);
  w.EndObject();
  return take(buffer);
}

std::string encode_with_data(const std::string& id, const std::string& draft_id,
                             event_type type, timestamp time, std::int64_t seq,
                             std::string_view data_json) {
  rapidjson::StringBuffer buffer;
  writer_type w(buffer);
  w.StartObject();
  write_envelope(w, id, draft_id, type, time, seq);
  w.RawValue(data_json.data(), data_json.size(), rapidjson::kObjectType);
  w.EndObject();
  return take(buffer);
}

std::string encode_payload(const event_payload& payload) {
  rapidjson::StringBuffer buffer;
  writer_type w(buffer);
  write_payload(w, payload);
  return take(buffer);
}

std::string encode(const relay_envelope& envelope) {
  rapidjson::StringBuffer buffer;
  writer_type w(buffer);
  object_writer o(w);
  w.StartObject();
  o.str("eventId", envelope.event_id)
    .str("eventType", to_string(envelope.type))
    .str("draftId", envelope.draft_id)
    .time("timestamp", envelope.time);
  w.Key("payload");
  const auto& payload = envelope.payload_json.empty() ? std::string("{}")
                                                      : envelope.payload_json;
  w.RawValue(payload.data(), payload.size(), rapidjson::kObjectType);
  if (envelope.seq != 0)
    o.num("seq", envelope.seq);
  w.EndObject();
  return take(buffer);
}

namespace {

void write_presence_members(writer_type& w, const presence_counts& presence) {
  object_writer o(w);
  w.Key("teams");
  w.StartArray();
  for (const auto& [team, connections] : presence.teams) {
    w.StartObject();
    o.str("team_id", team).num("connections", connections);
    w.EndObject();
  }
  w.EndArray();
  o.num("viewers", presence.viewers);
}

// The snapshot's members, in the order of the examples; the caller opens
// and closes the object.
void write_snapshot_members(writer_type& w, const draft_snapshot& snapshot) {
  object_writer o(w);
  o.str("draft_id", snapshot.draft_id)
    .str("status", to_string(snapshot.status));
  w.Key("current_pick");
  if (snapshot.pick) {
    w.StartObject();
    write_fields(o, *snapshot.pick);
    w.EndObject();
  } else {
    w.Null();
  }
  o.num("total_picks", snapshot.total_picks)
    .num("completed_picks", snapshot.completed_picks)
    .num("last_seq", snapshot.last_seq);
}

} // namespace

std::string encode(const draft_snapshot& snapshot) {
  rapidjson::StringBuffer buffer;
  writer_type w(buffer);
  w.StartObject();
  write_snapshot_members(w, snapshot);
  w.EndObject();
  return take(buffer);
}

std::string encode(const presence_counts& presence) {
  rapidjson::StringBuffer buffer;
  writer_type w(buffer);
  w.StartObject();
  write_presence_members(w, presence);
  w.EndObject();
  return take(buffer);
}

std::string encode_snapshot_message(const draft_snapshot& snapshot,
                                    const presence_counts& presence) {
  rapidjson::StringBuffer buffer;
  writer_type w(buffer);
  object_writer o(w);
  w.StartObject();
  o.str("type", "StateSnapshot");
  write_snapshot_members(w, snapshot);
  w.Key("presence");
  w.StartObject();
  write_presence_members(w, presence);
  w.EndObject();
  w.EndObject();
  return take(buffer);
}

std::string encode_presence_changed(const std::string& draft_id,
                                    const presence_counts& presence,
                                    timestamp server_time) {
  rapidjson::StringBuffer buffer;
  writer_type w(buffer);
  object_writer o(w);
  w.StartObject();
  o.str("type", "PresenceChanged").str("draft_id", draft_id);
  write_presence_members(w, presence);
  o.time("server_time", server_time);
  w.EndObject();
  return take(buffer);
}

std::string encode(const pong_reply& reply) {
  rapidjson::StringBuffer buffer;
  writer_type w(buffer);
  object_writer o(w);
  w.StartObject();
  o.str("type", "pong").str("nonce", reply.nonce).time("server_time",
                                                       reply.server_time);
  w.EndObject();
  return take(buffer);
}

std::string encode(const client_message& message) {
  rapidjson::StringBuffer buffer;
  writer_type w(buffer);
  object_writer o(w);
  w.StartObject();
  if (auto resume = std::get_if<resume_request>(&message))
    o.str("type", "resume").num("last_seq", resume->last_seq);
  else if (auto ping = std::get_if<ping_request>(&message))
    o.str("type", "ping").str("nonce", ping->nonce);
  w.EndObject();
  return take(buffer);
}

} // namespace draft::json
