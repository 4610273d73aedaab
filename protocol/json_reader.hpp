#pragma once

// Internal to the JSON codec: a bounded parser and a reader that pulls typed,
// validated fields out of an object and remembers the first problem.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "protocol/json_codec.hpp"
#include "protocol/result.hpp"
#include "protocol/time_format.hpp"

namespace draft::json {

/// Parses `text` into `doc`, enforcing size, depth and UTF-8 validity, and
/// requiring a JSON object at the root.
std::optional<problem> parse_object(std::string_view text, const limits& lim,
                                    rapidjson::Document& doc);

/// Reads fields of one JSON object. Each getter returns false and records a
/// problem (the first one wins) when the field is missing or invalid.
class object_reader {
public:
  /// `path` prefixes field names in problems ("data" gives "data.round").
  object_reader(const rapidjson::Value& object, std::string path);

  bool string(const char* key, std::string& out, std::size_t max_length = 200);
  bool optional_string(const char* key, std::string& out,
                       std::size_t max_length = 200);
  /// `out` stays as it is when `key` is absent or null.
  bool optional_bool(const char* key, bool& out);
  bool uuid(const char* key, std::string& out);
  bool int32(const char* key, std::int32_t& out, std::int32_t min,
             std::int32_t max);
  bool int64(const char* key, std::int64_t& out, std::int64_t min,
             std::int64_t max);
  bool time(const char* key, timestamp& out);
  bool duration(const char* key, std::string& out);
  /// A nested object; `out` is left null on failure.
  bool object(const char* key, const rapidjson::Value*& out);
  /// True if `key` is absent or JSON null.
  bool is_null(const char* key) const;

  /// Full path of a field, for nested readers and problems.
  std::string path_of(const char* key) const;

  /// Records a problem about `key` unless one is recorded already.
  bool fail(const char* key, std::string message);

  const std::optional<problem>& error() const { return error_; }

  /// True while every member of the object was read by a getter and each
  /// read kept its value as written (no UUID lower-cased, no time in
  /// another form, no optional member absent, null or empty): the object
  /// then says exactly what the encoder writes for the values read, in
  /// some order and spacing. Meaningful once every field has been read.
  bool canonical() const {
    return canonical_ && members_read_ == object_.MemberCount();
  }

private:
  const rapidjson::Value* find(const char* key, const char* expected);
  /// The member `key`, or null when absent (the read is not canonical).
  const rapidjson::Value* find_optional(const char* key);

  const rapidjson::Value& object_;
  std::string path_;
  std::optional<problem> error_;
  rapidjson::SizeType members_read_ = 0;
  bool canonical_ = true;
};

/// Calls `f(c, in_string)` for each byte `c` of the JSON text `text`, telling
/// whether it is part of a string (its quotes: the opening one outside, the
/// closing one inside), escapes included. No validation.
template <class F>
void each_byte(std::string_view text, F f) {
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    bool inside = in_string;
    if (!in_string) {
      in_string = c == '"';
    } else if (escaped) {
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == '"') {
      in_string = false;
    }
    f(c, inside);
  }
}

/// True if a string anywhere in `v` holds a lone UTF-16 surrogate (from a
/// `\uD800`–`\uDFFF` escape without its pair): not valid UTF-8.
bool has_unpaired_surrogate(const rapidjson::Value& v);

/// A short name of a JSON value's type, for "got a string" messages.
const char* type_name(const rapidjson::Value& value);

/// True for Go duration syntax: one or more number+unit groups (h, m, s, ms,
/// us, ns), e.g. "1h2m3.5s"; "0s" too.
bool is_go_duration(std::string_view text);

} // namespace draft::json
