#include "seed_payload.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocol/json_codec.hpp"
#include "protocol/json_writer.hpp"

namespace draft::relay {

namespace {

void write(json::object_writer& o, const pick_made_payload& p) {
  // Exactly seed 003's example.
  o.str("PickID", p.pick_id)
    .str("PlayerID", p.player_id)
    .str("TeamID", p.team_id)
    .num("Overall", p.overall_pick);
}

void write(json::object_writer& o, const pick_started_payload& p) {
  o.str("PickID", p.pick_id)
    .str("TeamID", p.team_id)
    .num("Round", p.round)
    .num("Pick", p.pick)
    .num("Overall", p.overall_pick)
    .time("StartedAt", p.started_at)
    .time("TimeoutAt", p.timeout_at)
    .num("TimePerPickSec", p.time_per_pick_sec);
}

void write(json::object_writer& o, const draft_started_payload& p) {
  o.str("DraftID", p.draft_id)
    .str("DraftType", p.draft_type)
    .time("StartedAt", p.started_at)
    .num("TotalRounds", p.total_rounds)
    .num("TotalPicks", p.total_picks);
}

void write(json::object_writer& o, const draft_paused_payload& p) {
  o.str("DraftID", p.draft_id)
    .time("PausedAt", p.paused_at)
    .str("PickID", p.pick_id)
    .num("Overall", p.overall_pick)
    .num("TimeRemainingSec", p.time_remaining_sec);
}

void write(json::object_writer& o, const draft_resumed_payload& p) {
  o.str("DraftID", p.draft_id)
    .time("ResumedAt", p.resumed_at)
    .str("PickID", p.pick_id)
    .num("Overall", p.overall_pick);
}

void write(json::object_writer& o, const draft_completed_payload& p) {
  o.str("DraftID", p.draft_id)
    .time("CompletedAt", p.completed_at)
    .str("Duration", p.duration)
    .num("TotalPicks", p.total_picks);
}

void write(json::object_writer& o, const pick_undone_payload& p) {
  o.str("PickID", p.pick_id)
    .str("PlayerID", p.player_id)
    .str("TeamID", p.team_id)
    .num("Overall", p.overall_pick)
    .time("UndoneAt", p.undone_at)
    .str("By", p.by);
}

void write(json::object_writer&, const timer_tick_payload&) {
  // Never stored, so never relayed: the claim only reads outbox rows.
}

} // namespace

std::optional<std::string> shape_payload(outbox_event& event,
                                         payload_format format) {
  if (format == payload_format::full)
    return std::nullopt;
  event_type type;
  if (!parse_event_type(event.event_type, type))
    return "unknown event type \"" + event.event_type + "\"";
  auto payload = json::decode_payload(type, event.payload_json);
  if (!payload)
    return "the stored " + event.event_type
           + " payload does not decode: " + payload.error().to_string();
  rapidjson::StringBuffer buffer;
  json::writer_type w(buffer);
  json::object_writer o(w);
  w.StartObject();
  std::visit([&](const auto& p) { write(o, p); }, *payload);
  w.EndObject();
  event.payload_json.assign(buffer.GetString(), buffer.GetSize());
  return std::nullopt;
}

} // namespace draft::relay
