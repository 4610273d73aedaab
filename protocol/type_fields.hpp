#pragma once

// The field lists of the client protocol's types (protocol/types.hpp, which
// includes this at its end): for each, its JSON names, kinds and bounds in
// the order the JSON is written (protocol/fields.hpp). Adding a field to a
// payload is its member there and its line here.

#include <cstdint>

#include "protocol/fields.hpp"

namespace draft {

// -- bounds of the numbers in payloads: generous for any real draft, tight
//    enough to refuse nonsense ------------------------------------------------

namespace bounds {
constexpr std::int32_t max_round = 1000;
constexpr std::int32_t max_pick_in_round = 1000;
constexpr std::int32_t max_overall = 1000000;
constexpr std::int32_t max_clock_sec = 86400;
constexpr std::int64_t max_seq = INT64_MAX;
} // namespace bounds

// -- field lists (protocol/fields.hpp): JSON name, kind and bounds, in the
//    order the JSON is written ------------------------------------------------

constexpr auto describe(const pick_made_payload*) {
  using namespace fields;
  using T = pick_made_payload;
  return make_record<T>(
    "draft::pick_made_payload",
    uuid("pick_id", &T::pick_id).as("PickID"),
    uuid("player_id", &T::player_id).as("PlayerID"),
    uuid("team_id", &T::team_id).as("TeamID"),
    count("round", &T::round, 1, bounds::max_round),
    count("pick", &T::pick, 1, bounds::max_pick_in_round),
    count("overall_pick", &T::overall_pick, 1, bounds::max_overall).as("Overall"),
    text("player_name", &T::player_name),
    text("team_name", &T::team_name),
    time("picked_at", &T::picked_at),
    // Ours, optional: rows written before them read as a pick by request.
    flag("auto_picked", &T::auto_picked),
    optional_text("autopick_source", &T::autopick_source, 16),
    optional_text("by", &T::by, max_by_bytes));
}

constexpr auto describe(const pick_undone_payload*) {
  using namespace fields;
  using T = pick_undone_payload;
  return make_record<T>(
    "draft::pick_undone_payload",
    uuid("pick_id", &T::pick_id).as("PickID"),
    uuid("player_id", &T::player_id).as("PlayerID"),
    uuid("team_id", &T::team_id).as("TeamID"),
    count("overall_pick", &T::overall_pick, 1, bounds::max_overall).as("Overall"),
    time("undone_at", &T::undone_at).as("UndoneAt"),
    text("by", &T::by, max_by_bytes).as("By"));
}

constexpr auto describe(const pick_started_payload*) {
  using namespace fields;
  using T = pick_started_payload;
  return make_record<T>(
    "draft::pick_started_payload",
    uuid("pick_id", &T::pick_id).as("PickID"),
    uuid("team_id", &T::team_id).as("TeamID"),
    count("round", &T::round, 1, bounds::max_round).as("Round"),
    count("pick", &T::pick, 1, bounds::max_pick_in_round).as("Pick"),
    count("overall_pick", &T::overall_pick, 1, bounds::max_overall).as("Overall"),
    time("started_at", &T::started_at).as("StartedAt"),
    time("timeout_at", &T::timeout_at).as("TimeoutAt"),
    count("time_per_pick_sec", &T::time_per_pick_sec, 1, bounds::max_clock_sec)
      .as("TimePerPickSec"));
}

constexpr auto describe(const draft_started_payload*) {
  using namespace fields;
  using T = draft_started_payload;
  return make_record<T>(
    "draft::draft_started_payload",
    uuid("draft_id", &T::draft_id).as("DraftID"),
    text("draft_type", &T::draft_type).as("DraftType"),
    time("started_at", &T::started_at).as("StartedAt"),
    count("total_rounds", &T::total_rounds, 1, bounds::max_round).as("TotalRounds"),
    count("total_picks", &T::total_picks, 1, bounds::max_overall).as("TotalPicks"));
}

constexpr auto describe(const draft_paused_payload*) {
  using namespace fields;
  using T = draft_paused_payload;
  return make_record<T>(
    "draft::draft_paused_payload",
    uuid("draft_id", &T::draft_id).as("DraftID"),
    time("paused_at", &T::paused_at).as("PausedAt"),
    uuid("pick_id", &T::pick_id).as("PickID"),
    count("overall_pick", &T::overall_pick, 1, bounds::max_overall).as("Overall"),
    count("time_remaining_sec", &T::time_remaining_sec, 0, bounds::max_clock_sec)
      .as("TimeRemainingSec"));
}

constexpr auto describe(const draft_resumed_payload*) {
  using namespace fields;
  using T = draft_resumed_payload;
  return make_record<T>(
    "draft::draft_resumed_payload",
    uuid("draft_id", &T::draft_id).as("DraftID"),
    time("resumed_at", &T::resumed_at).as("ResumedAt"),
    uuid("pick_id", &T::pick_id).as("PickID"),
    count("overall_pick", &T::overall_pick, 1, bounds::max_overall).as("Overall"));
}

constexpr auto describe(const draft_completed_payload*) {
  using namespace fields;
  using T = draft_completed_payload;
  return make_record<T>(
    "draft::draft_completed_payload",
    uuid("draft_id", &T::draft_id).as("DraftID"),
    time("completed_at", &T::completed_at).as("CompletedAt"),
    duration("duration", &T::duration).as("Duration"),
    count("total_picks", &T::total_picks, 1, bounds::max_overall).as("TotalPicks"));
}

constexpr auto describe(const timer_tick_payload*) {
  using namespace fields;
  using T = timer_tick_payload;
  return make_record<T>(
    "draft::timer_tick_payload",
    uuid("draft_id", &T::draft_id),
    uuid("pick_id", &T::pick_id),
    uuid("team_id", &T::team_id),
    count("overall_pick", &T::overall_pick, 1, bounds::max_overall),
    time("server_time", &T::server_time),
    time("timeout_at", &T::timeout_at),
    count("time_remaining_sec", &T::time_remaining_sec, 0, bounds::max_clock_sec));
}

constexpr auto describe(const current_pick*) {
  using namespace fields;
  using T = current_pick;
  return make_record<T>(
    "draft::current_pick",
    uuid("pick_id", &T::pick_id),
    uuid("team_id", &T::team_id),
    count("round", &T::round, 1, bounds::max_round),
    count("pick", &T::pick, 1, bounds::max_pick_in_round),
    count("overall_pick", &T::overall_pick, 1, bounds::max_overall),
    time("started_at", &T::started_at),
    time("timeout_at", &T::timeout_at),
    count("time_remaining_sec", &T::time_remaining_sec, 0, bounds::max_clock_sec));
}

// The rest are written by hand in JSON (nested, renamed or variant members);
// their lists give equality and `inspect`.

constexpr auto describe(const draft_event*) {
  using namespace fields;
  using T = draft_event;
  return make_record<T>(
    "draft::draft_event",
    member("id", &T::id),
    member("draft_id", &T::draft_id),
    member("timestamp", &T::time),
    member("seq", &T::seq),
    member("data", &T::data));
}

constexpr auto describe(const relay_envelope*) {
  using namespace fields;
  using T = relay_envelope;
  return make_record<T>(
    "draft::relay_envelope",
    member("eventId", &T::event_id),
    member("eventType", &T::type),
    member("draftId", &T::draft_id),
    member("timestamp", &T::time),
    member("payload", &T::payload_json),
    member("seq", &T::seq));
}

constexpr auto describe(const draft_snapshot*) {
  using namespace fields;
  using T = draft_snapshot;
  return make_record<T>(
    "draft::draft_snapshot",
    member("draft_id", &T::draft_id),
    member("status", &T::status),
    member("current_pick", &T::pick),
    member("total_picks", &T::total_picks),
    member("completed_picks", &T::completed_picks),
    member("last_seq", &T::last_seq));
}

constexpr auto describe(const resume_request*) {
  using T = resume_request;
  return fields::make_record<T>(
    "draft::resume_request",
    fields::member("last_seq", &T::last_seq));
}

constexpr auto describe(const ping_request*) {
  using T = ping_request;
  return fields::make_record<T>(
    "draft::ping_request",
    fields::member("nonce", &T::nonce));
}

constexpr auto describe(const pong_reply*) {
  using T = pong_reply;
  return fields::make_record<T>(
    "draft::pong_reply",
    fields::member("nonce", &T::nonce),
    fields::member("server_time", &T::server_time));
}

constexpr auto describe(const presence_counts*) {
  using T = presence_counts;
  return fields::make_record<T>(
    "draft::presence_counts",
    fields::member("teams", &T::teams),
    fields::member("viewers", &T::viewers));
}

} // namespace draft
