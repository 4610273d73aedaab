#include "actors/draft_state.hpp"

#include "protocol/json_codec.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"
#include "runtime/random_uuid.hpp"

namespace draft {

namespace {

// How each event's frame came to be: "spliced" (the stored payload sent as
// it is), "encoded" (from its decoded values), "as_stored" (undecodable),
// "forwarded" (encoded by the owner's node).
counter& frames_made(const char* how) {
  return default_metrics().get_counter(
    "gateway_event_frames_total",
    "Event frames made on this node, by how: spliced from the stored "
    "payload, encoded from its values, as stored (undecodable), or "
    "forwarded by the owner's node.",
    {{"how", how}});
}

std::int32_t seconds_left(timestamp until, timestamp now) {
  if (until <= now)
    return 0;
  return static_cast<std::int32_t>((until - now + 999'999) / 1'000'000);
}

} // namespace

frame_ptr encode_row(const outbox_row& row) {
  bool canonical = false;
  auto payload = json::decode_payload(row.type, row.payload_json, canonical);
  return encode_row(row, payload, canonical);
}

frame_ptr encode_row(const outbox_row& row,
                     const result<event_payload>& payload, bool canonical) {
  auto f = std::make_shared<frame>();
  f->seq = row.seq;
  f->created_at = row.created_at;
  if (payload && !canonical) {
    static auto& encoded = frames_made("encoded");
    encoded.inc();
    f->text = json::encode(
      draft_event{row.event_id, row.draft_id, row.created_at, row.seq, *payload});
    return f;
  }
  if (payload) {
    // Canonical: the stored payload (valid JSON, the column is jsonb) as it
    // is, without jsonb's spaces.
    static auto& spliced = frames_made("spliced");
    spliced.inc();
    thread_local std::string data;
    data.clear();
    json::compact_json(row.payload_json, data);
    f->text = json::encode_with_data(row.event_id, row.draft_id, row.type,
                                     row.created_at, row.seq, data);
    return f;
  }
  static auto& as_stored = frames_made("as_stored");
  as_stored.inc();
  logger::get("draft").error("undecodable outbox payload; delivered as stored",
                             {{"draft_id", row.draft_id},
                              {"event_id", row.event_id},
                              {"seq", row.seq},
                              {"error", payload.error().to_string()}});
  default_metrics()
    .get_counter("gateway_undecodable_events_total",
                 "Outbox payloads that failed validation.")
    .inc();
  f->text = json::encode_with_data(row.event_id, row.draft_id, row.type,
                                   row.created_at, row.seq, row.payload_json);
  return f;
}

void draft_model::load(const draft_load& loaded) {
  snapshot_ = loaded.snapshot;
  paused_remaining_sec_ = loaded.paused_remaining_sec;
  loaded_ = true;
}

frame_ptr draft_model::apply(const outbox_row& row) {
  snapshot_.last_seq = row.seq;
  bool canonical = false;
  auto payload = json::decode_payload(row.type, row.payload_json, canonical);
  frame_ptr encoded;
  if (row.frame_text.empty()) {
    encoded = encode_row(row, payload, canonical);
  } else {
    // Forwarded by the owner, which encoded it: sent as it came.
    static auto& forwarded = frames_made("forwarded");
    forwarded.inc();
    auto f = std::make_shared<frame>();
    f->seq = row.seq;
    f->created_at = row.created_at;
    f->text = row.frame_text;
    encoded = std::move(f);
  }
  if (!payload)
    return encoded; // state unchanged; the owner's encode_row logged it
  std::visit(
    [this](const auto& p) {
      using type = std::decay_t<decltype(p)>;
      if constexpr (std::is_same_v<type, draft_started_payload>) {
        snapshot_.status = draft_status::in_progress;
        snapshot_.total_picks = p.total_picks;
      } else if constexpr (std::is_same_v<type, pick_started_payload>) {
        // A PickStarted while paused (after an undo) keeps the draft paused
        // with the whole new clock waiting.
        if (snapshot_.status == draft_status::paused)
          paused_remaining_sec_ = seconds_left(p.timeout_at, p.started_at);
        else
          snapshot_.status = draft_status::in_progress;
        snapshot_.pick = current_pick{p.pick_id,     p.team_id,
                                      p.round,       p.pick,
                                      p.overall_pick, p.started_at,
                                      p.timeout_at,  0};
      } else if constexpr (std::is_same_v<type, pick_made_payload>) {
        ++snapshot_.completed_picks;
        snapshot_.pick = std::nullopt; // until the next PickStarted
      } else if constexpr (std::is_same_v<type, pick_undone_payload>) {
        if (snapshot_.completed_picks > 0)
          --snapshot_.completed_picks;
        snapshot_.pick = std::nullopt; // the PickStarted for the slot follows
      } else if constexpr (std::is_same_v<type, draft_paused_payload>) {
        snapshot_.status = draft_status::paused;
        paused_remaining_sec_ = p.time_remaining_sec;
      } else if constexpr (std::is_same_v<type, draft_resumed_payload>) {
        snapshot_.status = draft_status::in_progress;
      } else if constexpr (std::is_same_v<type, draft_completed_payload>) {
        snapshot_.status = draft_status::completed;
        snapshot_.pick = std::nullopt;
        snapshot_.completed_picks = p.total_picks;
      }
    },
    *payload);
  return encoded;
}

draft_snapshot draft_model::snapshot(timestamp now) const {
  auto out = snapshot_;
  if (out.pick)
    out.pick->time_remaining_sec
      = out.status == draft_status::paused
          ? paused_remaining_sec_
          : seconds_left(out.pick->timeout_at, now);
  return out;
}

frame_ptr draft_model::snapshot_frame(timestamp now,
                                      const presence_counts& presence) const {
  auto f = std::make_shared<frame>();
  f->text = json::encode_snapshot_message(snapshot(now), presence);
  f->seq = snapshot_.last_seq;
  return f;
}

frame_ptr draft_model::tick_frame(timestamp now) const {
  if (snapshot_.status != draft_status::in_progress || !snapshot_.pick)
    return nullptr;
  auto& p = *snapshot_.pick;
  auto f = std::make_shared<frame>();
  f->seq = snapshot_.last_seq;
  f->text = json::encode(draft_event{
    random_uuid(), snapshot_.draft_id, now, snapshot_.last_seq,
    timer_tick_payload{snapshot_.draft_id, p.pick_id, p.team_id,
                       p.overall_pick, now, p.timeout_at,
                       seconds_left(p.timeout_at, now)}});
  return f;
}

} // namespace draft
