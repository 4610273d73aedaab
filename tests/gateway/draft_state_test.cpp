// The draft actor's state rules, deterministic: no actors, no clock.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "actors/draft_state.hpp"
#include "protocol/json_codec.hpp"

using namespace draft;

namespace {

const std::string draft_id = "6e0f5d4c-3b2a-4198-8776-655443322110";
const std::string pick_id = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const std::string team_id = "c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f";
const timestamp t0 = 1701424800LL * 1'000'000;

outbox_row row(std::int64_t seq, const event_payload& payload) {
  return {draft_id, seq, "00000000-0000-4000-8000-00000000000" + std::to_string(seq % 10),
          static_cast<event_type>(payload.index()), t0 + seq,
          json::encode_payload(payload), "", ""};
}

draft_model fresh() {
  draft_model m;
  draft_load l;
  l.found = true;
  l.snapshot.draft_id = draft_id;
  l.snapshot.total_picks = 4;
  m.load(l);
  return m;
}

} // namespace

TEST(draft_model, follows_a_draft_through_its_lifecycle) {
  auto m = fresh();
  EXPECT_EQ(m.status(), draft_status::not_started);
  EXPECT_EQ(m.tick_frame(t0), nullptr);
  m.apply(row(1, draft_started_payload{draft_id, "snake", t0, 2, 4}));
  m.apply(row(2, pick_started_payload{pick_id, team_id, 1, 1, 1, t0,
                                      t0 + 60'000'000, 60}));
  EXPECT_EQ(m.status(), draft_status::in_progress);
  EXPECT_EQ(m.last_seq(), 2);
  auto s = m.snapshot(t0 + 15'000'000);
  ASSERT_TRUE(s.pick);
  EXPECT_EQ(s.pick->time_remaining_sec, 45); // from the server clock
  m.apply(row(3, draft_paused_payload{draft_id, t0 + 20'000'000, pick_id, 1, 40}));
  EXPECT_EQ(m.status(), draft_status::paused);
  EXPECT_EQ(m.snapshot(t0 + 99'000'000).pick->time_remaining_sec, 40); // frozen
  EXPECT_EQ(m.tick_frame(t0), nullptr); // no ticks while paused
  m.apply(row(4, draft_resumed_payload{draft_id, t0, pick_id, 1}));
  m.apply(row(5, pick_made_payload{pick_id, team_id, team_id, 1, 1, 1, "P",
                                   "T", t0, false, "", "m"}));
  EXPECT_EQ(m.snapshot(t0).completed_picks, 1);
  EXPECT_FALSE(m.snapshot(t0).pick);
  m.apply(row(6, draft_completed_payload{draft_id, t0, "1m0s", 4}));
  EXPECT_EQ(m.status(), draft_status::completed);
  EXPECT_EQ(m.snapshot(t0).completed_picks, 4);
}

TEST(draft_model, frames_carry_the_seed_format_plus_seq) {
  auto r = row(7, pick_started_payload{pick_id, team_id, 1, 2, 2, t0,
                                       t0 + 1'000'000, 30});
  auto f = encode_row(r);
  EXPECT_EQ(f->seq, 7);
  EXPECT_EQ(f->created_at, r.created_at);
  auto decoded = json::decode_event(f->text);
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(decoded->seq, 7);
  EXPECT_EQ(decoded->type(), event_type::pick_started);
}

TEST(draft_model, a_canonical_stored_payload_is_spliced_not_encoded_again) {
  // As jsonb prints the encoder's payload: its own key order, spaces.
  auto r = row(8, draft_resumed_payload{draft_id, t0, pick_id, 15});
  r.payload_json = R"({"pick_id": ")" + pick_id + R"(", "draft_id": ")"
                   + draft_id
                   + R"(", "resumed_at": "2023-12-01T10:00:00Z", "overall_pick": 15})";
  auto f = encode_row(r);
  EXPECT_NE(f->text.find(R"("data":{"pick_id":")" + pick_id + R"(","draft_id")"),
            std::string::npos)
    << f->text; // the stored order, without the spaces
  auto decoded = json::decode_event(f->text);
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(decoded->seq, 8);
  EXPECT_EQ(std::get<draft_resumed_payload>(decoded->data).overall_pick, 15);
}

TEST(draft_model, a_payload_in_another_form_is_encoded_from_its_values) {
  auto r = row(9, draft_resumed_payload{draft_id, t0, pick_id, 15});
  r.payload_json = R"({"pick_id": "A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D", )"
                   R"("draft_id": ")" + draft_id
                   + R"(", "resumed_at": "2023-12-01T10:00:00+00:00", )"
                     R"("overall_pick": 15, "note": "not ours"})";
  auto f = encode_row(r);
  EXPECT_EQ(f->text, json::encode(draft_event{
                       r.event_id, draft_id, r.created_at, 9,
                       draft_resumed_payload{draft_id, t0, pick_id, 15}}));
}

TEST(draft_model, a_forwarded_row_brings_its_frame_and_still_moves_the_state) {
  auto m = fresh();
  auto r = row(1, draft_started_payload{draft_id, "snake", t0, 2, 4});
  r.frame_text = "the owner's frame";
  auto f = m.apply(r);
  EXPECT_EQ(f->text, "the owner's frame");
  EXPECT_EQ(f->seq, 1);
  EXPECT_EQ(m.status(), draft_status::in_progress);
}

TEST(draft_model, an_undecodable_payload_is_still_delivered_in_order) {
  outbox_row bad{draft_id, 3, "00000000-0000-4000-8000-000000000003",
                 event_type::pick_made, t0, R"({"odd": true})", "", ""};
  auto f = encode_row(bad);
  rapidjson::Document doc;
  doc.Parse(f->text.c_str());
  ASSERT_TRUE(doc.IsObject()) << f->text;
  EXPECT_EQ(doc["seq"].GetInt(), 3);
  EXPECT_TRUE(doc["data"]["odd"].GetBool());
  auto m = fresh();
  m.apply(bad);
  EXPECT_EQ(m.last_seq(), 3); // the sequence moves on
}

TEST(draft_model, snapshot_and_tick_frames) {
  auto m = fresh();
  m.apply(row(1, draft_started_payload{draft_id, "snake", t0, 2, 4}));
  m.apply(row(2, pick_started_payload{pick_id, team_id, 1, 1, 1, t0,
                                      t0 + 30'000'000, 30}));
  rapidjson::Document snap;
  snap.Parse(m.snapshot_frame(t0)->text.c_str());
  EXPECT_STREQ(snap["type"].GetString(), "StateSnapshot");
  EXPECT_EQ(snap["last_seq"].GetInt(), 2);
  auto tick = json::decode_event(m.tick_frame(t0 + 10'000'000)->text);
  ASSERT_TRUE(tick) << tick.error().to_string();
  EXPECT_EQ(tick->type(), event_type::timer_tick);
  EXPECT_EQ(tick->seq, 2); // the draft's last seq: ticks never advance it
  EXPECT_EQ(std::get<timer_tick_payload>(tick->data).time_remaining_sec, 20);
}

TEST(draft_model, an_undo_takes_a_pick_back_and_reopens_a_completed_draft) {
  auto m = fresh();
  const std::string second = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5e";
  m.apply(row(1, draft_started_payload{draft_id, "linear", t0, 1, 2}));
  m.apply(row(2, pick_started_payload{pick_id, team_id, 1, 1, 1, t0,
                                      t0 + 60'000'000, 60}));
  m.apply(row(3, pick_made_payload{pick_id, team_id, team_id, 1, 1, 1, "P",
                                   "T", t0, false, "", "m"}));
  m.apply(row(4, pick_started_payload{second, team_id, 1, 2, 2, t0,
                                      t0 + 60'000'000, 60}));
  m.apply(row(5, pick_made_payload{second, team_id, team_id, 1, 2, 2, "Q",
                                   "T", t0, false, "", "m"}));
  m.apply(row(6, draft_completed_payload{draft_id, t0, "1m0s", 2}));
  ASSERT_EQ(m.status(), draft_status::completed);
  m.apply(row(7, pick_undone_payload{second, team_id, team_id, 2, t0, "c"}));
  EXPECT_EQ(m.snapshot(t0).completed_picks, 1);
  EXPECT_FALSE(m.snapshot(t0).pick);
  m.apply(row(8, draft_resumed_payload{draft_id, t0, second, 2}));
  m.apply(row(9, pick_started_payload{second, team_id, 1, 2, 2, t0,
                                      t0 + 30'000'000, 60}));
  EXPECT_EQ(m.status(), draft_status::in_progress);
  auto s = m.snapshot(t0 + 10'000'000);
  ASSERT_TRUE(s.pick);
  EXPECT_EQ(s.pick->overall_pick, 2);
  EXPECT_EQ(s.pick->time_remaining_sec, 20);
  EXPECT_NE(m.tick_frame(t0), nullptr); // the clock ticks again
}

TEST(draft_model, an_undo_while_paused_keeps_the_draft_paused) {
  auto m = fresh();
  m.apply(row(1, draft_started_payload{draft_id, "linear", t0, 2, 4}));
  m.apply(row(2, pick_started_payload{pick_id, team_id, 1, 1, 1, t0,
                                      t0 + 60'000'000, 60}));
  m.apply(row(3, pick_made_payload{pick_id, team_id, team_id, 1, 1, 1, "P",
                                   "T", t0, false, "", "m"}));
  m.apply(row(4, pick_started_payload{team_id, team_id, 1, 2, 2, t0,
                                      t0 + 60'000'000, 60}));
  m.apply(row(5, draft_paused_payload{draft_id, t0 + 50'000'000, team_id, 2, 10}));
  m.apply(row(6, pick_undone_payload{pick_id, team_id, team_id, 1, t0, "c"}));
  // The PickStarted after the undo carries the whole clock, still paused.
  m.apply(row(7, pick_started_payload{pick_id, team_id, 1, 1, 1, t0 + 70'000'000,
                                      t0 + 130'000'000, 60}));
  EXPECT_EQ(m.status(), draft_status::paused);
  auto s = m.snapshot(t0 + 500'000'000);
  ASSERT_TRUE(s.pick);
  EXPECT_EQ(s.pick->overall_pick, 1);
  EXPECT_EQ(s.pick->time_remaining_sec, 60);
  EXPECT_EQ(s.completed_picks, 0);
  EXPECT_EQ(m.tick_frame(t0), nullptr);
}
