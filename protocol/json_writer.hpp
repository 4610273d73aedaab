#pragma once

// Internal to the JSON codecs (and the relay's seed payload): a writer that
// lets each payload read as its list of fields.

#include <cstdint>
#include <string>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocol/time_format.hpp"

namespace draft::json {

using writer_type = rapidjson::Writer<rapidjson::StringBuffer>;

/// Writes one member per call, in the order of the calls.
class object_writer {
public:
  explicit object_writer(writer_type& w) : w_(w) {
  }

  object_writer& str(const char* key, const std::string& value) {
    w_.Key(key);
    w_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    return *this;
  }

  object_writer& num(const char* key, std::int64_t value) {
    w_.Key(key);
    w_.Int64(value);
    return *this;
  }

  object_writer& boolean(const char* key, bool value) {
    w_.Key(key);
    w_.Bool(value);
    return *this;
  }

  /// Written only when non-empty (optional members).
  object_writer& optional_str(const char* key, const std::string& value) {
    return value.empty() ? *this : str(key, value);
  }

  object_writer& time(const char* key, timestamp value) {
    return str(key, format_rfc3339(value));
  }

private:
  writer_type& w_;
};

} // namespace draft::json
