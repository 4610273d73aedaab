// Round trips through JSON against golden messages (protocol/golden/) taken
// from the seed's examples (spec 000 §5-6, spec 003's envelope), with the
// seed's placeholder ids ("event-uuid", …) replaced by real UUIDs and our
// `seq` added; and the gateway's presence messages against theirs.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "golden_files.hpp"
#include "protocol/json_codec.hpp"

using namespace draft;
using draft::testing::golden;

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

const std::string pick_made = golden("pick_made.json");

} // namespace

TEST(json_golden, pick_made_matches_the_seed_example) {
  expect_round_trip(pick_made, decode_event);
  auto event = json::decode_event(pick_made);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->type(), event_type::pick_made);
  EXPECT_EQ(event->seq, 7);
  auto& data = std::get<pick_made_payload>(event->data);
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
  auto& p = std::get<pick_made_payload>(*payload);
  EXPECT_FALSE(p.auto_picked);
  EXPECT_EQ(p.autopick_source, "");
  EXPECT_EQ(p.by, "");
}

TEST(json_golden, pick_made_by_autopick_from_the_queue) {
  expect_round_trip(golden("pick_made_autopick.json"),
                    decode_event);
}

TEST(json_golden, pick_undone) {
  const std::string text = golden("pick_undone.json");
  expect_round_trip(text, decode_event);
  auto undone = json::decode_event(text);
  ASSERT_TRUE(undone);
  EXPECT_EQ(undone->type(), event_type::pick_undone);
  EXPECT_EQ(std::get<pick_undone_payload>(undone->data).by, "commish");
}

TEST(json_golden, pick_started) {
  expect_round_trip(golden("pick_started.json"),
                    decode_event);
}

TEST(json_golden, draft_started) {
  expect_round_trip(golden("draft_started.json"),
                    decode_event);
}

TEST(json_golden, draft_paused) {
  expect_round_trip(golden("draft_paused.json"),
                    decode_event);
}

TEST(json_golden, draft_resumed) {
  expect_round_trip(golden("draft_resumed.json"),
                    decode_event);
}

TEST(json_golden, draft_completed) {
  expect_round_trip(golden("draft_completed.json"),
                    decode_event);
}

TEST(json_golden, timer_tick) {
  expect_round_trip(golden("timer_tick.json"),
                    decode_event);
}

TEST(json_golden, relay_envelope_keeps_the_payload_verbatim) {
  const std::string text = golden("relay_envelope.json");
  expect_round_trip(text,
                    [](const std::string& s) { return json::decode_envelope(s); });
  auto envelope = json::decode_envelope(text);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->seq, 0);
  EXPECT_EQ(envelope->payload_json,
            R"({"PickID":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",)"
            R"("PlayerID":"b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",)"
            R"("TeamID":"c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f","Overall":1})");
}

TEST(json_golden, state_sync_body) {
  expect_round_trip(golden("state_sync.json"),
                    [](const std::string& s) { return json::decode_snapshot(s); });
}

TEST(json_golden, state_sync_body_without_a_current_pick) {
  expect_round_trip(golden("state_sync_no_pick.json"),
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
  EXPECT_EQ(std::get<resume_request>(*resume).last_seq, 42);
}

TEST(json_golden, pong) {
  expect_round_trip(golden("pong.json"),
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

TEST(json_golden, snapshot_message_with_presence) {
  auto body = json::decode_snapshot(golden("state_snapshot_message.json"));
  ASSERT_TRUE(body) << body.error().to_string();
  presence_counts room;
  room.teams["c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f"] = 2;
  room.viewers = 3;
  expect_same_json(golden("state_snapshot_message.json"),
                   json::encode_snapshot_message(*body, room));
}

TEST(json_golden, presence_changed) {
  presence_counts room;
  room.teams["d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70"] = 2;
  room.teams["c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f"] = 1;
  room.viewers = 5;
  auto at = parse_rfc3339("2023-12-01T10:05:15.500Z");
  ASSERT_TRUE(at);
  expect_same_json(golden("presence_changed.json"),
                   json::encode_presence_changed(
                     "6e0f5d4c-3b2a-4198-8776-655443322110", room, *at));
}
