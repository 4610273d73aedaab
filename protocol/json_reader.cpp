#include "protocol/json_reader.hpp"

#include <rapidjson/error/en.h>

#include "protocol/uuid.hpp"

namespace draft::json {

namespace {

// Deepest nesting of objects and arrays in `text`, without building anything:
// RapidJSON's DOM would otherwise allocate (and recurse) on hostile input.
int nesting_depth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  each_byte(text, [&](char c, bool in_string) {
    if (in_string)
      return;
    if (c == '{' || c == '[')
      deepest = std::max(deepest, ++depth);
    else if (c == '}' || c == ']')
      --depth;
  });
  return deepest;
}

std::string range_text(std::int64_t min, std::int64_t max) {
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

} // namespace

namespace {

// RapidJSON checks raw bytes (kParseValidateEncodingFlag) but turns a lone
// UTF-16 surrogate escape ("\udd1c") into the bytes of a surrogate, which
// is not UTF-8: such a document would be re-encoded as invalid JSON. Those
// bytes are the only way a surrogate gets in (ED A0..BF).
bool holds_surrogate(const char* s, rapidjson::SizeType n) {
  for (rapidjson::SizeType i = 0; i + 1 < n; ++i)
    if (static_cast<unsigned char>(s[i]) == 0xED
        && static_cast<unsigned char>(s[i + 1]) >= 0xA0)
      return true;
  return false;
}

} // namespace

bool has_unpaired_surrogate(const rapidjson::Value& v) {
  if (v.IsString())
    return holds_surrogate(v.GetString(), v.GetStringLength());
  if (v.IsArray()) {
    for (auto& item : v.GetArray())
      if (has_unpaired_surrogate(item))
        return true;
  } else if (v.IsObject()) {
    for (auto& m : v.GetObject())
      if (has_unpaired_surrogate(m.name) || has_unpaired_surrogate(m.value))
        return true;
  }
  return false;
}

std::optional<problem> parse_object(std::string_view text, const limits& lim,
                                    rapidjson::Document& doc) {
  if (text.size() > lim.max_bytes)
    return problem{"document", "larger than the limit of "
                                 + std::to_string(lim.max_bytes) + " bytes"};
  if (nesting_depth(text) > lim.max_depth)
    return problem{"document", "nested deeper than "
                                 + std::to_string(lim.max_depth) + " levels"};
  // Not kParseFullPrecisionFlag: in RapidJSON 1.1 it has undefined behaviour
  // on inputs like "0e-150" (found by fuzz_client_message). The default is
  // exact for every integer and for numbers of up to 17 digits; longer ones
  // may come back with other last digits (docs/protocol.md §5).
  constexpr unsigned flags = rapidjson::kParseValidateEncodingFlag
                             | rapidjson::kParseIterativeFlag;
  doc.Parse<flags>(text.data(), text.size());
  if (doc.HasParseError()) {
    if (doc.GetParseError() == rapidjson::kParseErrorStringInvalidEncoding)
      return problem{"document", "invalid UTF-8 in a string at offset "
                                   + std::to_string(doc.GetErrorOffset())};
    return problem{"document",
                   std::string("malformed JSON at offset ")
                     + std::to_string(doc.GetErrorOffset()) + ": "
                     + rapidjson::GetParseError_En(doc.GetParseError())};
  }
  if (!doc.IsObject())
    return problem{"document", std::string("expected a JSON object, got ")
                                 + type_name(doc)};
  if (has_unpaired_surrogate(doc))
    return problem{"document", "a string holds an unpaired UTF-16 surrogate "
                               "escape (\\uD800-\\uDFFF without its pair)"};
  return std::nullopt;
}

const char* type_name(const rapidjson::Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "a boolean";
    case rapidjson::kObjectType:
      return "an object";
    case rapidjson::kArrayType:
      return "an array";
    case rapidjson::kStringType:
      return "a string";
    case rapidjson::kNumberType:
      return value.IsInt64() || value.IsUint64() ? "an integer"
                                                 : "a fractional number";
  }
  return "an unknown value";
}

bool is_go_duration(std::string_view text) {
  if (text.empty())
    return false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
      ++pos, ++digits;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
        ++pos, ++digits;
    }
    if (digits == 0)
      return false;
    auto rest = text.substr(pos);
    if (rest.rfind("ms", 0) == 0 || rest.rfind("us", 0) == 0
        || rest.rfind("ns", 0) == 0)
      pos += 2;
    else if (!rest.empty() && (rest[0] == 'h' || rest[0] == 'm' || rest[0] == 's'))
      pos += 1;
    else
      return false;
  }
  return true;
}

object_reader::object_reader(const rapidjson::Value& object, std::string path)
  : object_(object), path_(std::move(path)) {
}

std::string object_reader::path_of(const char* key) const {
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

bool object_reader::fail(const char* key, std::string message) {
  if (!error_)
    error_ = problem{path_of(key), std::move(message)};
  return false;
}

bool object_reader::is_null(const char* key) const {
  auto it = object_.FindMember(key);
  return it == object_.MemberEnd() || it->value.IsNull();
}

const rapidjson::Value* object_reader::find(const char* key,
                                            const char* expected) {
  auto it = object_.FindMember(key);
  if (it == object_.MemberEnd()) {
    fail(key, std::string("is required (") + expected + ")");
    return nullptr;
  }
  ++members_read_;
  return &it->value;
}

const rapidjson::Value* object_reader::find_optional(const char* key) {
  auto it = object_.FindMember(key);
  if (it == object_.MemberEnd())
    return nullptr;
  ++members_read_;
  if (it->value.IsNull()) {
    canonical_ = false; // the encoder never writes null for these
    return nullptr;
  }
  return &it->value;
}

bool object_reader::string(const char* key, std::string& out,
                           std::size_t max_length) {
  auto v = find(key, "a non-empty string");
  if (!v)
    return false;
  if (!v->IsString())
    return fail(key, std::string("expected a string, got ") + type_name(*v));
  if (v->GetStringLength() == 0)
    return fail(key, "must not be empty");
  if (v->GetStringLength() > max_length)
    return fail(key, "longer than " + std::to_string(max_length) + " bytes");
  out.assign(v->GetString(), v->GetStringLength());
  return true;
}

bool object_reader::optional_string(const char* key, std::string& out,
                                    std::size_t max_length) {
  auto found = find_optional(key); // absent: as the encoder writes ""
  if (!found) {
    out.clear();
    return true;
  }
  auto& v = *found;
  if (!v.IsString())
    return fail(key, std::string("expected a string, got ") + type_name(v));
  if (v.GetStringLength() > max_length)
    return fail(key, "longer than " + std::to_string(max_length) + " bytes");
  if (v.GetStringLength() == 0)
    canonical_ = false; // the encoder leaves an empty one out
  out.assign(v.GetString(), v.GetStringLength());
  return true;
}

bool object_reader::optional_bool(const char* key, bool& out) {
  auto found = find_optional(key);
  if (!found) {
    canonical_ = false; // the encoder writes false
    return true;
  }
  auto& v = *found;
  if (!v.IsBool())
    return fail(key, std::string("expected true or false, got ") + type_name(v));
  out = v.GetBool();
  return true;
}

bool object_reader::uuid(const char* key, std::string& out) {
  auto v = find(key, "a UUID");
  if (!v)
    return false;
  if (!v->IsString())
    return fail(key, std::string("expected a UUID string, got ") + type_name(*v));
  std::string_view text(v->GetString(), v->GetStringLength());
  if (!is_uuid(text))
    return fail(key, "expected a UUID like 8-4-4-4-12 hex digits");
  out = normalize_uuid(text);
  if (out != text)
    canonical_ = false;
  return true;
}

bool object_reader::int32(const char* key, std::int32_t& out, std::int32_t min,
                          std::int32_t max) {
  std::int64_t wide = 0;
  if (!int64(key, wide, min, max))
    return false;
  out = static_cast<std::int32_t>(wide);
  return true;
}

bool object_reader::int64(const char* key, std::int64_t& out, std::int64_t min,
                          std::int64_t max) {
  auto v = find(key, range_text(min, max).c_str());
  if (!v)
    return false;
  if (!v->IsInt64())
    return fail(key, "expected " + range_text(min, max) + ", got "
                       + (v->IsUint64() ? "a larger integer" : type_name(*v)));
  auto n = v->GetInt64();
  if (n < min || n > max)
    return fail(key, "expected " + range_text(min, max) + ", got "
                       + std::to_string(n));
  out = n;
  return true;
}

bool object_reader::time(const char* key, timestamp& out) {
  auto v = find(key, "an RFC 3339 timestamp");
  if (!v)
    return false;
  if (!v->IsString())
    return fail(key, std::string("expected an RFC 3339 timestamp string, got ")
                       + type_name(*v));
  auto parsed = parse_rfc3339({v->GetString(), v->GetStringLength()});
  if (!parsed)
    return fail(key, "expected an RFC 3339 timestamp like "
                     "2023-12-01T10:00:00Z");
  out = *parsed;
  // The encoder's form (UTC, "Z", the shortest of none, 3 or 6 digits).
  if (canonical_
      && format_rfc3339(out)
           != std::string_view(v->GetString(), v->GetStringLength()))
    canonical_ = false;
  return true;
}

bool object_reader::duration(const char* key, std::string& out) {
  if (!string(key, out, 64))
    return false;
  if (!is_go_duration(out))
    return fail(key, "expected a duration like 1h2m3s");
  return true;
}

bool object_reader::object(const char* key, const rapidjson::Value*& out) {
  out = nullptr;
  auto v = find(key, "an object");
  if (!v)
    return false;
  if (!v->IsObject())
    return fail(key, std::string("expected an object, got ") + type_name(*v));
  out = v;
  return true;
}

} // namespace draft::json
