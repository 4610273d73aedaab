// Each decoder refuses malformed input with an error that names the field and
// what was expected. The table gives the exact error for every case.

#include <functional>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocol/json_codec.hpp"

using namespace draft;

namespace {

const char* absent = "<absent>";

// `base` with the member at dotted `path` replaced by the JSON `value` (or
// removed when `value` is `absent`).
std::string with(const std::string& base, const std::string& path,
                 const std::string& value) {
  rapidjson::Document doc;
  doc.Parse(base.c_str());
  rapidjson::Value* node = &doc;
  std::string rest = path;
  for (auto dot = rest.find('.'); dot != std::string::npos;
       dot = rest.find('.')) {
    node = &(*node)[rest.substr(0, dot).c_str()];
    rest = rest.substr(dot + 1);
  }
  rapidjson::Value key(rest.c_str(), doc.GetAllocator());
  node->RemoveMember(key);
  if (value != absent) {
    rapidjson::Document v(&doc.GetAllocator());
    v.Parse(value.c_str());
    node->AddMember(key, rapidjson::Value(v, doc.GetAllocator()),
                    doc.GetAllocator());
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return buffer.GetString();
}

const std::string pick_made = R"({"id":"3f1c2a9e-8b7d-4e2f-9a1b-0c2d3e4f5a6b",
  "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"PickMade",
  "timestamp":"2023-12-01T10:00:00Z","seq":7,"data":{
  "pick_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
  "player_id":"b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
  "team_id":"c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f","round":1,"pick":1,
  "overall_pick":1,"player_name":"Patrick Mahomes","team_name":"Team 1",
  "picked_at":"2023-12-01T10:00:00Z"}})";

const std::string draft_started = R"({"id":"11111111-2222-4333-8444-555555555556",
  "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"DraftStarted",
  "timestamp":"2023-12-01T10:00:00Z","seq":1,"data":{
  "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","draft_type":"snake",
  "started_at":"2023-12-01T10:00:00Z","total_rounds":15,"total_picks":180}})";

const std::string completed = R"({"id":"11111111-2222-4333-8444-555555555559",
  "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"DraftCompleted",
  "timestamp":"2023-12-01T12:30:00Z","seq":363,"data":{
  "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110",
  "completed_at":"2023-12-01T12:30:00Z","duration":"2h30m0s",
  "total_picks":180}})";

const std::string undone = R"({"id":"11111111-2222-4333-8444-55555555555b",
  "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"PickUndone",
  "timestamp":"2023-12-01T10:01:00Z","seq":9,"data":{
  "pick_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
  "player_id":"b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
  "team_id":"c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f","overall_pick":1,
  "undone_at":"2023-12-01T10:01:00Z","by":"commish"}})";

const std::string tick = R"({"id":"11111111-2222-4333-8444-55555555555a",
  "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110","type":"TimerTick",
  "timestamp":"2023-12-01T10:05:15Z","seq":8,"data":{
  "draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110",
  "pick_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
  "team_id":"c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f","overall_pick":15,
  "server_time":"2023-12-01T10:05:15Z","timeout_at":"2023-12-01T10:06:00Z",
  "time_remaining_sec":45}})";

const std::string envelope = R"({"eventId":"3f1c2a9e-8b7d-4e2f-9a1b-0c2d3e4f5a6b",
  "eventType":"PickMade","draftId":"6e0f5d4c-3b2a-4198-8776-655443322110",
  "timestamp":"2024-01-01T00:00:00Z","payload":{"Overall":1}})";

const std::string snapshot = R"({"draft_id":"6e0f5d4c-3b2a-4198-8776-655443322110",
  "status":"IN_PROGRESS","current_pick":{
  "pick_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
  "team_id":"c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f","round":2,"pick":3,
  "overall_pick":15,"started_at":"2023-12-01T10:05:00Z",
  "timeout_at":"2023-12-01T10:06:00Z","time_remaining_sec":45},
  "total_picks":180,"completed_picks":14,"last_seq":30})";

using decoder = std::function<std::string(const std::string&)>;

template <class F>
decoder error_of(F decode) {
  return [decode](const std::string& text) -> std::string {
    auto r = decode(text);
    return r ? std::string("<accepted>") : r.error().to_string();
  };
}

const decoder event = error_of([](auto& s) { return json::decode_event(s); });
const decoder relay = error_of([](auto& s) { return json::decode_envelope(s); });
const decoder state = error_of([](auto& s) { return json::decode_snapshot(s); });
const decoder client
  = error_of([](auto& s) { return json::decode_client_message(s); });

struct malformed_case {
  const char* name;
  decoder decode;
  std::string input;
  std::string expected_error;
};

std::string nested(int depth) {
  return std::string(static_cast<size_t>(depth), '[')
         + std::string(static_cast<size_t>(depth), ']');
}

const std::string max_seq = "9223372036854775807";

std::vector<malformed_case> cases() {
  return {
    {"empty", event, "",
     "document: malformed JSON at offset 0: The document is empty."},
    {"not_json", event, "hello",
     "document: malformed JSON at offset 0: Invalid value."},
    {"array_root", event, "[]", "document: expected a JSON object, got an array"},
    {"truncated", event, R"({"id":)",
     "document: malformed JSON at offset 6: Invalid value."},
    {"trailing_garbage", event, "{} x",
     "document: malformed JSON at offset 3: The document root must not be "
     "followed by other values."},
    {"too_deep", event, R"({"data":)" + nested(16) + "}",
     "document: nested deeper than 16 levels"},
    {"oversized", event,
     R"({"pad":")" + std::string(70000, 'x') + R"("})",
     "document: larger than the limit of 65536 bytes"},
    {"invalid_utf8", event, "{\"id\":\"\xff\xfe\"}",
     "document: invalid UTF-8 in a string at offset 7"},
    // Found by fuzz_protocol_json: RapidJSON turns a lone surrogate escape
    // into bytes that are not UTF-8, which our encoder would then emit.
    {"lone_low_surrogate", relay,
     R"({"eventId":"3f1c2a9e-8b7d-4e2f-9a1b-0c2d3e4f5a6b","eventType":"PickMade",)"
     R"("draftId":"6e0f5d4c-3b2a-4198-8776-655443322110","timestamp":)"
     R"("2024-01-01T00:00:00Z","payload":{"PlayerID":"x\udd1cy"}})",
     "document: a string holds an unpaired UTF-16 surrogate escape "
     "(\\uD800-\\uDFFF without its pair)"},
    {"lone_high_surrogate_in_a_key", client, R"({"type":"ping","\ud800":1})",
     "document: malformed JSON at offset 16: The surrogate pair in string is "
     "invalid."},
    {"missing_id", event, with(pick_made, "id", absent), "id: is required (a UUID)"},
    {"id_not_string", event, with(pick_made, "id", "123"),
     "id: expected a UUID string, got an integer"},
    {"id_placeholder", event, with(pick_made, "id", R"("event-uuid")"),
     "id: expected a UUID like 8-4-4-4-12 hex digits"},
    {"draft_id_braced", event,
     with(pick_made, "draft_id", R"("{6e0f5d4c-3b2a-4198-8776-655443322110}")"),
     "draft_id: expected a UUID like 8-4-4-4-12 hex digits"},
    {"unknown_type", event, with(pick_made, "type", R"("PickRevoked")"),
     "type: unknown event type \"PickRevoked\"; expected one of PickMade, "
     "PickStarted, DraftStarted, DraftPaused, DraftResumed, DraftCompleted, "
     "TimerTick, PickUndone"},
    {"missing_type", event, with(pick_made, "type", absent),
     "type: is required (a non-empty string)"},
    {"timestamp_words", event, with(pick_made, "timestamp", R"("yesterday")"),
     "timestamp: expected an RFC 3339 timestamp like 2023-12-01T10:00:00Z"},
    {"timestamp_number", event, with(pick_made, "timestamp", "1701424800"),
     "timestamp: expected an RFC 3339 timestamp string, got an integer"},
    {"timestamp_no_zone", event,
     with(pick_made, "timestamp", R"("2023-12-01T10:00:00")"),
     "timestamp: expected an RFC 3339 timestamp like 2023-12-01T10:00:00Z"},
    {"seq_zero", event, with(pick_made, "seq", "0"),
     "seq: expected an integer from 1 to " + max_seq + ", got 0"},
    {"seq_string", event, with(pick_made, "seq", R"("7")"),
     "seq: expected an integer from 1 to " + max_seq + ", got a string"},
    {"seq_too_large", event, with(pick_made, "seq", "18446744073709551615"),
     "seq: expected an integer from 1 to " + max_seq + ", got a larger integer"},
    {"missing_data", event, with(pick_made, "data", absent),
     "data: is required (an object)"},
    {"data_array", event, with(pick_made, "data", "[]"),
     "data: expected an object, got an array"},
    {"missing_round", event, with(pick_made, "data.round", absent),
     "data.round: is required (an integer from 1 to 1000)"},
    {"fractional_round", event, with(pick_made, "data.round", "1.5"),
     "data.round: expected an integer from 1 to 1000, got a fractional number"},
    {"round_zero", event, with(pick_made, "data.round", "0"),
     "data.round: expected an integer from 1 to 1000, got 0"},
    {"empty_player_name", event, with(pick_made, "data.player_name", R"("")"),
     "data.player_name: must not be empty"},
    {"null_team_name", event, with(pick_made, "data.team_name", "null"),
     "data.team_name: expected a string, got null"},
    {"impossible_date", event,
     with(pick_made, "data.picked_at", R"("2023-02-30T10:00:00Z")"),
     "data.picked_at: expected an RFC 3339 timestamp like "
     "2023-12-01T10:00:00Z"},
    {"bad_player_uuid", event,
     with(pick_made, "data.player_id", R"("b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6g")"),
     "data.player_id: expected a UUID like 8-4-4-4-12 hex digits"},
    {"bool_overall", event, with(pick_made, "data.overall_pick", "true"),
     "data.overall_pick: expected an integer from 1 to 1000000, got a boolean"},
    {"auto_picked_string", event, with(pick_made, "data.auto_picked", R"("yes")"),
     "data.auto_picked: expected true or false, got a string"},
    {"autopick_source_unknown", event,
     with(with(pick_made, "data.auto_picked", "true"), "data.autopick_source",
          R"("random")"),
     "data.autopick_source: expected \"queue\" or \"rank\" for an autopick"},
    {"autopick_without_source", event, with(pick_made, "data.auto_picked", "true"),
     "data.autopick_source: expected \"queue\" or \"rank\" for an autopick"},
    {"source_without_autopick", event,
     with(pick_made, "data.autopick_source", R"("rank")"),
     "data.autopick_source: only an autopick (auto_picked true) has one"},
    {"by_number", event, with(pick_made, "data.by", "7"),
     "data.by: expected a string, got an integer"},
    {"undone_without_by", event, with(undone, "data.by", absent),
     "data.by: is required (a non-empty string)"},
    {"undone_overall_zero", event, with(undone, "data.overall_pick", "0"),
     "data.overall_pick: expected an integer from 1 to 1000000, got 0"},
    {"undone_bad_time", event, with(undone, "data.undone_at", R"("now")"),
     "data.undone_at: expected an RFC 3339 timestamp like 2023-12-01T10:00:00Z"},
    {"unknown_draft_type", event,
     with(draft_started, "data.draft_type", R"("auction")"),
     "data.draft_type: expected \"snake\" or \"linear\""},
    {"bad_duration", event, with(completed, "data.duration", R"("forever")"),
     "data.duration: expected a duration like 1h2m3s"},
    {"negative_remaining", event, with(tick, "data.time_remaining_sec", "-1"),
     "data.time_remaining_sec: expected an integer from 0 to 86400, got -1"},
    {"envelope_timer_tick", relay, with(envelope, "eventType", R"("TimerTick")"),
     "eventType: TimerTick is never relayed; expected an outbox event type"},
    {"envelope_payload_string", relay, with(envelope, "payload", R"("{}")"),
     "payload: expected an object, got a string"},
    {"envelope_missing_draft", relay, with(envelope, "draftId", absent),
     "draftId: is required (a UUID)"},
    {"envelope_seq_negative", relay, with(envelope, "seq", "-3"),
     "seq: expected an integer from 1 to " + max_seq + ", got -3"},
    {"state_unknown_status", state, with(snapshot, "status", R"("RUNNING")"),
     "status: unknown status \"RUNNING\"; expected one of NOT_STARTED, "
     "IN_PROGRESS, PAUSED, COMPLETED"},
    {"state_remaining_string", state,
     with(snapshot, "current_pick.time_remaining_sec", R"("45")"),
     "current_pick.time_remaining_sec: expected an integer from 0 to 86400, "
     "got a string"},
    {"state_current_pick_array", state, with(snapshot, "current_pick", "[]"),
     "current_pick: expected an object, got an array"},
    {"state_completed_exceeds_total", state,
     with(snapshot, "completed_picks", "181"),
     "completed_picks: must not exceed total_picks"},
    {"client_unknown_type", client, R"({"type":"subscribe"})",
     "type: unknown message type \"subscribe\"; expected \"resume\" or "
     "\"ping\""},
    {"client_resume_without_seq", client, R"({"type":"resume"})",
     "last_seq: is required (an integer from 0 to " + max_seq + ")"},
    {"client_resume_negative", client, R"({"type":"resume","last_seq":-1})",
     "last_seq: expected an integer from 0 to " + max_seq + ", got -1"},
    {"client_ping_nonce_number", client, R"({"type":"ping","nonce":5})",
     "nonce: expected a string, got an integer"},
    {"client_type_missing", client, R"({"last_seq":1})",
     "type: is required (a non-empty string)"},
    {"client_not_object", client, R"("resume")",
     "document: expected a JSON object, got a string"},
  };
}

class malformed : public testing::TestWithParam<malformed_case> {};

} // namespace

TEST_P(malformed, is_refused_with_the_exact_error) {
  auto& c = GetParam();
  EXPECT_EQ(c.decode(c.input), c.expected_error) << "input: " << c.input;
}

INSTANTIATE_TEST_SUITE_P(decoders, malformed, testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

TEST(malformed_table, covers_at_least_thirty_cases) {
  EXPECT_GE(cases().size(), 30u);
}

TEST(malformed_table, the_base_documents_are_valid) {
  // Otherwise a case could pass for the wrong reason.
  for (auto& [decode, text] :
       std::vector<std::pair<decoder, std::string>>{{event, pick_made},
                                                    {event, draft_started},
                                                    {event, completed},
                                                    {event, tick},
                                                    {relay, envelope},
                                                    {state, snapshot}})
    EXPECT_EQ(decode(text), "<accepted>") << text;
}
