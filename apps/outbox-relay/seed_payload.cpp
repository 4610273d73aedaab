#include "seed_payload.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocol/json_codec.hpp"
#include "protocol/json_fields.hpp"

namespace draft::relay {

std::optional<std::string> shape_payload(outbox_event& event,
                                         payload_format format) {
  if (format == payload_format::full)
    return std::nullopt;
  event_type type;
  if (!parse_event_type(event.event_type, type))
    return "unknown event type \"" + event.event_type + "\"";
  auto payload = json::decode_payload(type, event.payload_json);
  if (!payload)
    return "the stored " + event.event_type
           + " payload does not decode: " + payload.error().to_string();
  rapidjson::StringBuffer buffer;
  json::writer_type w(buffer);
  json::object_writer o(w);
  w.StartObject();
  std::visit([&](const auto& p) { json::write_seed_fields(o, p); }, *payload);
  w.EndObject();
  event.payload_json.assign(buffer.GetString(), buffer.GetSize());
  return std::nullopt;
}

} // namespace draft::relay
