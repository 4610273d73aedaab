// The C++ clients' seq rule (protocol/client_sequence.hpp) on decoded server
// frames: the golden messages shared with the SDK, then a sequence with a
// repeat and a gap.

#include <fstream>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/client_sequence.hpp"
#include "protocol/json_codec.hpp"

using namespace draft;
using verdict = client_sequence::verdict;

namespace {

std::string golden(const std::string& name) {
  std::ifstream in(std::string(DRAFT_GOLDEN_DIR) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json::server_message decoded(const std::string& text) {
  auto m = json::decode_server_message(text);
  EXPECT_TRUE(m) << m.error().to_string() << ": " << text;
  return m ? *m : json::server_message{pong_reply{}};
}

// An event frame as the gateway writes it, at `seq`.
std::string event_at(std::int64_t seq) {
  auto event = json::decode_event(golden("pick_made.json"));
  EXPECT_TRUE(event);
  event->seq = seq;
  return json::encode(*event);
}

} // namespace

TEST(client_sequence, every_server_frame_decodes_to_its_kind) {
  auto snapshot = decoded(golden("state_snapshot_message.json"));
  ASSERT_TRUE(std::holds_alternative<json::snapshot_message>(snapshot));
  auto presence = decoded(golden("presence_changed.json"));
  ASSERT_TRUE(std::holds_alternative<json::presence_message>(presence));
  EXPECT_FALSE(std::get<json::presence_message>(presence).presence.teams.empty());
  EXPECT_TRUE(std::holds_alternative<pong_reply>(decoded(golden("pong.json"))));
  EXPECT_TRUE(std::holds_alternative<draft_event>(decoded(golden("timer_tick.json"))));
  EXPECT_TRUE(std::holds_alternative<draft_event>(decoded(golden("pick_made.json"))));
  EXPECT_FALSE(json::decode_server_message(R"({"type":"Nonsense"})"));
  EXPECT_FALSE(json::decode_server_message(R"({"seq":1})"));
}

TEST(client_sequence, applies_in_order_drops_repeats_and_stops_at_a_gap) {
  client_sequence s;
  auto body = json::decode_snapshot(golden("state_sync.json"));
  ASSERT_TRUE(body);
  body->last_seq = 5;
  auto snapshot = json::encode_snapshot_message(*body, presence_counts{});
  EXPECT_EQ(s.take(decoded(snapshot)), verdict::snapshot);
  EXPECT_EQ(s.last_seq(), 5);
  EXPECT_EQ(s.take(decoded(event_at(6))), verdict::applied);
  EXPECT_EQ(s.take(decoded(event_at(6))), verdict::duplicate);
  EXPECT_EQ(s.take(decoded(event_at(9))), verdict::gap);
  EXPECT_EQ(s.last_seq(), 6); // nothing applied past the gap
  EXPECT_EQ(s.missing(), 2u);
  EXPECT_EQ(s.duplicates(), 1u);
  EXPECT_EQ(s.resume_message(), R"({"type":"resume","last_seq":6})");
  EXPECT_EQ(s.take(decoded(event_at(7))), verdict::applied); // the resume's replay
  EXPECT_EQ(s.take(decoded(json::encode(pong_reply{"n", 5}))), verdict::other);
  EXPECT_EQ(s.last_seq(), 7);
}

TEST(client_sequence, a_frame_header_gives_the_same_verdicts) {
  client_sequence full, peeked;
  auto body = json::decode_snapshot(golden("state_sync.json"));
  ASSERT_TRUE(body);
  body->last_seq = 5;
  std::vector<std::string> frames{json::encode_snapshot_message(*body, {}),
                                  event_at(6), event_at(6), event_at(8),
                                  golden("timer_tick.json"),
                                  golden("presence_changed.json"),
                                  golden("pong.json"), event_at(7)};
  for (auto& f : frames) {
    auto header = json::peek_server_frame(f);
    ASSERT_TRUE(header) << f;
    EXPECT_EQ(full.take(decoded(f)), peeked.take(*header)) << f;
  }
  EXPECT_EQ(peeked.last_seq(), 7);
  auto header = json::peek_server_frame(golden("pick_made.json"));
  ASSERT_TRUE(header);
  EXPECT_EQ(header->time, json::decode_event(golden("pick_made.json"))->time);
}
