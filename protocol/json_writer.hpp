#pragma once

// The one way JSON is written outside the protocol encoders: a writer that
// lets each object read as its list of fields (the codecs, the relay's seed
// payload, the orchestrator's answers). No string concatenation of JSON.

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

  object_writer& real(const char* key, double value) {
    w_.Key(key);
    w_.Double(value);
    return *this;
  }

  /// A string, or null when `value` is empty of meaning (`present` false).
  object_writer& str_or_null(const char* key, bool present,
                             const std::string& value) {
    if (!present) {
      w_.Key(key);
      w_.Null();
      return *this;
    }
    return str(key, value);
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

  /// Text that is JSON already (a stored jsonb value), written as it is.
  object_writer& raw(const char* key, const std::string& json_text) {
    w_.Key(key);
    w_.RawValue(json_text.data(), json_text.size(), rapidjson::kObjectType);
    return *this;
  }

  /// An array of strings.
  template <class Strings>
  object_writer& strings(const char* key, const Strings& items) {
    w_.Key(key);
    w_.StartArray();
    for (const auto& item : items)
      w_.String(item.data(), static_cast<rapidjson::SizeType>(item.size()));
    w_.EndArray();
    return *this;
  }

  object_writer& null(const char* key) {
    w_.Key(key);
    w_.Null();
    return *this;
  }

  /// A nested object: `fill(object_writer&)` writes its members.
  template <class Fill>
  object_writer& object(const char* key, Fill fill) {
    w_.Key(key);
    w_.StartObject();
    fill(*this);
    w_.EndObject();
    return *this;
  }

  /// An array of objects, one per item: `fill(object_writer&, item)`.
  template <class Items, class Fill>
  object_writer& objects(const char* key, const Items& items, Fill fill) {
    w_.Key(key);
    w_.StartArray();
    for (const auto& item : items) {
      w_.StartObject();
      fill(*this, item);
      w_.EndObject();
    }
    w_.EndArray();
    return *this;
  }

private:
  writer_type& w_;
};

/// One JSON object as text: `fill(object_writer&)` writes its members.
template <class Fill>
std::string write_object(Fill fill) {
  rapidjson::StringBuffer buffer;
  writer_type w(buffer);
  object_writer o(w);
  w.StartObject();
  fill(o);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

} // namespace draft::json
