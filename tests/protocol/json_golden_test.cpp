// Round trips through JSON against golden strings taken from the seed's
// examples (spec 000 §5-6, spec 003's envelope), with the seed's placeholder
// ids ("event-uuid", …) replaced by real UUIDs and our `seq` added.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "protocol/json_codec.hpp"

using namespace draft;

namespace {

// Semantic JSON equality: same members and values, whatever the key order or
// whitespace.
void expect_same_json(const std::string& expected, const std::string& actual) {
  rapidjson::Document a, b;
  a.Parse(expected.c_str());
  b.Parse(actual.c_str());
  ASSERT_FALSE(a.HasParseError()) << expected;
  ASSERT_FALSE(b.HasParseError()) << actual;
  EXPECT_TRUE(a == b) << "expected " << expected << "\n  actual " << actual;
}

template <class Decode>
void expect_round_trip(const std::string& golden, Decode decode) {
  auto decoded = decode(golden);
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  expect_same_json(golden, json::encode(*decoded));
  // Decoding our own output gives back the same value.
  auto again = decode(json::encode(*decoded));
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(*decoded, *again);
}

auto decode_event = [](const std::string& s) { return json::decode_event(s); };

const std::string pick_made = R"({
  "id": "3f1c2a9e-8b7d-4e2f-9a1b-0c2d3e4f5a6b",
  "draft_id": "6e0f5d4c-3b2a-4198-8776-655443322110",
  "type": "PickMade",
  "timestamp": "2023-12-01T10:00:00Z",
  "seq": 7,
  "data": {
    "pick_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "player_id": "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
    "team_id": "c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f",
    "round": 1,
    "pick": 1,
    "overall_pick": 1,
    "player_name": "Patrick Mahomes",
    "team_name": "Team 1",
    "picked_at": "2023-12-01T10:00:00Z",
    "auto_picked": false,
    "by": "manager-of-team-1"
  }
})";

} // namespace

TEST(json_golden, pick_made_matches_the_seed_example) {
  expect_round_trip(pick_made, decode_event);
  auto event = json::decode_event(pick_made);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->type(), event_type::pick_made);
  EXPECT_EQ(event->seq, 7);
  auto& data = caf::get<pick_made_payload>(event->data);
  EXPECT_EQ(data.player_name, "Patrick Mahomes");
  EXPECT_EQ(data.team_name, "Team 1");
  EXPECT_EQ(data.overall_pick, 1);
  EXPECT_EQ(data.picked_at, 1701424800LL * 1'000'000); // 2023-12-01T10:00:00Z
}

TEST(json_golden, pick_made_of_the_seed_alone_reads_as_a_pick_by_request) {
  // Rows written before auto_picked, autopick_source and by existed.
  auto payload = json::decode_payload(event_type::pick_made, R"({
    "pick_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "player_id": "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
    "team_id": "c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f", "round": 1, "pick": 1,
    "overall_pick": 1, "player_name": "Patrick Mahomes", "team_name": "Team 1",
    "picked_at": "2023-12-01T10:00:00Z"})");
  ASSERT_TRUE(payload) << payload.error().to_string();
  auto& p = caf::get<pick_made_payload>(*payload);
  EXPECT_FALSE(p.auto_picked);
  EXPECT_EQ(p.autopick_source, "");
  EXPECT_EQ(p.by, "");
}

TEST(json_golden, pick_made_by_autopick_from_the_queue) {
  expect_round_trip(R"({"id":"11111111-2222-4333-8444-55555555555c",
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"PickMade",
    "timestamp":"2023-12-01T10:01:00Z","seq":9,"data":{
    "pick_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "player_id":"b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
    "team_id":"c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f","round":1,"pick":2,
    "overall_pick":2,"player_name":"Tyler Sutton","team_name":"Team 2",
    "picked_at":"2023-12-01T10:01:00Z","auto_picked":true,
    "autopick_source":"queue"}})",
                    decode_event);
}

TEST(json_golden, pick_undone) {
  const std::string golden = R"({"id":"11111111-2222-4333-8444-55555555555b",
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"PickUndone",
    "timestamp":"2023-12-01T10:01:00Z","seq":9,"data":{
    "pick_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "player_id":"b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
    "team_id":"c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f","overall_pick":1,
    "undone_at":"2023-12-01T10:01:00Z","by":"commish"}})";
  expect_round_trip(golden, decode_event);
  auto undone = json::decode_event(golden);
  ASSERT_TRUE(undone);
  EXPECT_EQ(undone->type(), event_type::pick_undone);
  EXPECT_EQ(caf::get<pick_undone_payload>(undone->data).by, "commish");
}

TEST(json_golden, pick_started) {
  expect_round_trip(R"({"id":"11111111-2222-4333-8444-555555555555",
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"PickStarted",
    "timestamp":"2023-12-01T10:05:00Z","seq":8,"data":{
    "pick_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "team_id":"c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f","round":2,"pick":3,
    "overall_pick":15,"started_at":"2023-12-01T10:05:00Z",
    "timeout_at":"2023-12-01T10:06:00Z","time_per_pick_sec":60}})",
                    decode_event);
}

TEST(json_golden, draft_started) {
  expect_round_trip(R"({"id":"11111111-2222-4333-8444-555555555556",
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"DraftStarted",
    "timestamp":"2023-12-01T10:00:00.250Z","seq":1,"data":{
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","draft_type":"snake",
    "started_at":"2023-12-01T10:00:00.250Z","total_rounds":15,
    "total_picks":180}})",
                    decode_event);
}

TEST(json_golden, draft_paused) {
  expect_round_trip(R"({"id":"11111111-2222-4333-8444-555555555557",
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"DraftPaused",
    "timestamp":"2023-12-01T10:07:00Z","seq":12,"data":{
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110",
    "paused_at":"2023-12-01T10:07:00Z",
    "pick_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","overall_pick":15,
    "time_remaining_sec":41}})",
                    decode_event);
}

TEST(json_golden, draft_resumed) {
  expect_round_trip(R"({"id":"11111111-2222-4333-8444-555555555558",
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"DraftResumed",
    "timestamp":"2023-12-01T10:09:00.123456Z","seq":13,"data":{
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110",
    "resumed_at":"2023-12-01T10:09:00.123456Z",
    "pick_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","overall_pick":15}})",
                    decode_event);
}

TEST(json_golden, draft_completed) {
  expect_round_trip(R"({"id":"11111111-2222-4333-8444-555555555559",
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"DraftCompleted",
    "timestamp":"2023-12-01T12:30:00Z","seq":363,"data":{
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110",
    "completed_at":"2023-12-01T12:30:00Z","duration":"2h30m0s",
    "total_picks":180}})",
                    decode_event);
}

TEST(json_golden, timer_tick) {
  expect_round_trip(R"({"id":"11111111-2222-4333-8444-55555555555a",
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"TimerTick",
    "timestamp":"2023-12-01T10:05:15Z","seq":8,"data":{
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110",
    "pick_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "team_id":"c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f","overall_pick":15,
    "server_time":"2023-12-01T10:05:15Z","timeout_at":"2023-12-01T10:06:00Z",
    "time_remaining_sec":45}})",
                    decode_event);
}

TEST(json_golden, relay_envelope_keeps_the_payload_verbatim) {
  const std::string golden = R"({
    "eventId": "3f1c2a9e-8b7d-4e2f-9a1b-0c2d3e4f5a6b",
    "eventType": "PickMade",
    "draftId": "6e0f5d4c-3b2a-4198-8776-655443322110",
    "timestamp": "2024-01-01T00:00:00Z",
    "payload": {
        "PickID": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        "PlayerID": "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
        "TeamID": "c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f",
        "Overall": 1
    }
})";
  expect_round_trip(golden,
                    [](const std::string& s) { return json::decode_envelope(s); });
  auto envelope = json::decode_envelope(golden);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->seq, 0);
  EXPECT_EQ(envelope->payload_json,
            R"({"PickID":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",)"
            R"("PlayerID":"b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",)"
            R"("TeamID":"c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f","Overall":1})");
}

TEST(json_golden, state_sync_body) {
  expect_round_trip(R"({
  "draft_id": "6e0f5d4c-3b2a-4198-8776-655443322110",
  "status": "IN_PROGRESS",
  "current_pick": {
    "pick_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "team_id": "c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f",
    "round": 2,
    "pick": 3,
    "overall_pick": 15,
    "started_at": "2023-12-01T10:05:00Z",
    "timeout_at": "2023-12-01T10:06:00Z",
    "time_remaining_sec": 45
  },
  "total_picks": 180,
  "completed_picks": 14,
  "last_seq": 30
})",
                    [](const std::string& s) { return json::decode_snapshot(s); });
}

TEST(json_golden, state_sync_body_without_a_current_pick) {
  expect_round_trip(R"({"draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110",
    "status":"NOT_STARTED","current_pick":null,"total_picks":180,
    "completed_picks":0,"last_seq":0})",
                    [](const std::string& s) { return json::decode_snapshot(s); });
}

TEST(json_golden, client_messages) {
  auto decode = [](const std::string& s) {
    return json::decode_client_message(s);
  };
  expect_round_trip(R"({"type":"resume","last_seq":42})", decode);
  expect_round_trip(R"({"type":"ping","nonce":"n-1"})", decode);
  auto resume = decode(R"({"type":"resume","last_seq":42})");
  ASSERT_TRUE(resume);
  EXPECT_EQ(caf::get<resume_request>(*resume).last_seq, 42);
}

TEST(json_golden, pong) {
  expect_round_trip(R"({"type":"pong","nonce":"n-1",
    "server_time":"2023-12-01T10:05:15.500Z"})",
                    [](const std::string& s) { return json::decode_pong(s); });
}

TEST(json_golden, payload_alone_as_stored_in_the_outbox) {
  // PostgreSQL's jsonb prints keys in its own order with spaces.
  auto payload = json::decode_payload(
    event_type::draft_completed,
    R"({"duration": "1h0m0s", "draft_id": "6e0f5d4c-3b2a-4198-8776-655443322110", "total_picks": 24, "completed_at": "2023-12-01T11:00:00+00:00"})");
  ASSERT_TRUE(payload) << payload.error().to_string();
  expect_same_json(R"({"draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110",
    "completed_at":"2023-12-01T11:00:00Z","duration":"1h0m0s",
    "total_picks":24})",
                   json::encode_payload(*payload));
}

TEST(json_golden, uuids_are_normalised_to_lower_case) {
  auto event = json::decode_event(
    R"({"id":"3F1C2A9E-8B7D-4E2F-9A1B-0C2D3E4F5A6B",
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"DraftResumed",
    "timestamp":"2023-12-01T10:09:00Z","seq":13,"data":{
    "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110",
    "resumed_at":"2023-12-01T10:09:00Z",
    "pick_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","overall_pick":15}})");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->id, "3f1c2a9e-8b7d-4e2f-9a1b-0c2d3e4f5a6b");
}
