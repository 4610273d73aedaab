// Outbox payloads as PostgreSQL's jsonb gives them back: when one says
// exactly what the encoder writes (json::decode_payload's `canonical`) the
// gateway sends it as stored (json::compact_json), so the test is that
// "canonical" is never claimed for a payload whose values the encoder would
// write differently, and that the compacted text is the encoder's JSON.

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "golden_files.hpp"
#include "protocol/json_codec.hpp"

using namespace draft;
using draft::testing::golden;

namespace {

std::string compact_value(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  v.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// An object printed the way jsonb prints it: keys shorter first, then by
// their bytes; a space after each ':' and ','.
std::string as_jsonb(const std::string& object_text) {
  rapidjson::Document doc;
  doc.Parse(object_text.c_str());
  EXPECT_TRUE(doc.IsObject()) << object_text;
  std::vector<std::pair<std::string, std::string>> members;
  for (auto& m : doc.GetObject())
    members.emplace_back(compact_value(m.name), compact_value(m.value));
  std::sort(members.begin(), members.end(), [](auto& a, auto& b) {
    return a.first.size() != b.first.size() ? a.first.size() < b.first.size()
                                            : a.first < b.first;
  });
  std::string out = "{";
  for (auto& [key, value] : members) {
    if (out.size() > 1)
      out += ", ";
    out += key + ": " + value;
  }
  return out + "}";
}

bool same_json(const std::string& a, const std::string& b) {
  rapidjson::Document x, y;
  x.Parse(a.c_str());
  y.Parse(b.c_str());
  return !x.HasParseError() && !y.HasParseError() && x == y;
}

// The payload of a golden event, as the encoder writes it.
std::pair<event_type, std::string> golden_payload(const std::string& name) {
  auto event = json::decode_event(golden(name));
  EXPECT_TRUE(event) << name;
  return {event->type(), json::encode_payload(event->data)};
}

// `payload` with `edit` applied to its DOM, printed as jsonb would.
template <class Edit>
std::string edited(const std::string& payload, Edit edit) {
  rapidjson::Document doc;
  doc.Parse(payload.c_str());
  edit(doc);
  return as_jsonb(compact_value(doc));
}

} // namespace

TEST(stored_payload, every_event_the_encoder_wrote_is_canonical_as_jsonb_prints_it) {
  for (auto name : {"pick_made.json", "pick_made_autopick.json",
                    "pick_started.json", "pick_undone.json",
                    "draft_started.json", "draft_paused.json",
                    "draft_resumed.json", "draft_completed.json"}) {
    auto [type, encoded] = golden_payload(name);
    auto stored = as_jsonb(encoded);
    ASSERT_NE(stored, encoded) << name; // jsonb's order and spacing differ
    bool canonical = false;
    auto payload = json::decode_payload(type, stored, canonical);
    ASSERT_TRUE(payload) << name << ": " << payload.error().to_string();
    EXPECT_TRUE(canonical) << name << ": " << stored;
    std::string spliced;
    json::compact_json(stored, spliced);
    EXPECT_TRUE(same_json(spliced, encoded)) << spliced << "\n" << encoded;
    EXPECT_EQ(spliced.find(", "), std::string::npos) << spliced;
    EXPECT_EQ(spliced.find(": "), std::string::npos) << spliced;
  }
}

TEST(stored_payload, a_value_the_encoder_would_write_otherwise_is_not_canonical) {
  auto [type, encoded] = golden_payload("pick_made.json");
  auto set = [](const char* key, auto value) {
    return [=](rapidjson::Document& d) {
      rapidjson::Value v;
      if constexpr (std::is_same_v<decltype(value), std::nullptr_t>)
        v.SetNull();
      else
        v.SetString(value, d.GetAllocator());
      if (d.HasMember(key))
        d[key] = v;
      else
        d.AddMember(rapidjson::StringRef(key), v, d.GetAllocator());
    };
  };
  std::vector<std::pair<const char*, std::string>> cases = {
    {"an upper-case UUID",
     edited(encoded, set("pick_id", "A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D"))},
    {"a time with an offset",
     edited(encoded, set("picked_at", "2023-12-01T10:00:00+00:00"))},
    {"a time with zero fractions",
     edited(encoded, set("picked_at", "2023-12-01T10:00:00.000Z"))},
    {"a member the protocol does not have", edited(encoded, set("extra", "x"))},
    {"an optional text null", edited(encoded, set("by", nullptr))},
    {"an optional text empty", edited(encoded, set("by", ""))},
    {"a flag left out", edited(encoded, [](rapidjson::Document& d) {
       d.RemoveMember("auto_picked");
     })},
  };
  for (auto& [what, stored] : cases) {
    bool canonical = true;
    auto payload = json::decode_payload(type, stored, canonical);
    ASSERT_TRUE(payload) << what << ": " << payload.error().to_string();
    EXPECT_FALSE(canonical) << what << ": " << stored;
  }
  // A payload that does not decode is never canonical either.
  bool canonical = true;
  EXPECT_FALSE(json::decode_payload(type, R"({"odd": true})", canonical));
  EXPECT_FALSE(canonical);
}

TEST(stored_payload, compacting_keeps_strings_as_they_are) {
  std::string out = "x";
  json::compact_json(R"({"a": "two  words, \"quoted: \\\" \"", "b": [1, 2]})",
                     out);
  EXPECT_EQ(out, R"(x{"a":"two  words, \"quoted: \\\" \"","b":[1,2]})");
}
