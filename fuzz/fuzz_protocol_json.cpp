// libFuzzer target: every JSON decoder in protocol/. The first byte picks the
// decoder, the rest is the document. Beyond "never crash": whatever decodes
// must encode to JSON that decodes again to the same value (an envelope's
// payload text aside, see below); a stored payload called canonical must be,
// compacted, the encoder's JSON.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <type_traits>

#include <rapidjson/document.h>

#include "protocol/json_codec.hpp"

using namespace draft;

namespace {

template <class Value, class Decode>
void round_trip(std::string_view text, Decode decode) {
  auto first = decode(text);
  if (!first)
    return;
  auto again = decode(json::encode(*first));
  if (!again)
    std::abort(); // our own output did not read back at all
  if constexpr (std::is_same_v<Value, relay_envelope>) {
    // The payload is carried as JSON text; RapidJSON 1.1 reads numbers of
    // more than 17 digits inexactly, so only its being an object is checked.
    auto a = *first, b = *again;
    a.payload_json = b.payload_json = "";
    if (!(a == b))
      std::abort();
  } else if (!(*again == *first)) {
    std::abort(); // our own output did not read back the same
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      round_trip<draft_event>(text, [](auto t) { return json::decode_event(t); });
      break;
    case 1:
      round_trip<relay_envelope>(text,
                                 [](auto t) { return json::decode_envelope(t); });
      break;
    case 2:
      round_trip<draft_snapshot>(text,
                                 [](auto t) { return json::decode_snapshot(t); });
      break;
    case 3:
      round_trip<client_message>(
        text, [](auto t) { return json::decode_client_message(t); });
      break;
    case 4:
      round_trip<pong_reply>(text, [](auto t) { return json::decode_pong(t); });
      break;
    default: {
      // A stored payload of each type (the outbox column).
      // One the decoder calls canonical is sent as stored (compacted) by
      // the gateway: it must be the encoder's JSON, member for member.
      auto type = static_cast<event_type>((data[0] / 6) % 8);
      bool canonical = false;
      if (auto p = json::decode_payload(type, text, canonical)) {
        auto encoded = json::encode_payload(*p);
        auto again = json::decode_payload(type, encoded);
        if (!again || !(*again == *p))
          std::abort();
        if (canonical) {
          std::string spliced;
          json::compact_json(text, spliced);
          rapidjson::Document a, b;
          a.Parse(spliced.c_str(), spliced.size());
          b.Parse(encoded.c_str(), encoded.size());
          if (a.HasParseError() || !(a == b))
            std::abort();
        }
      }
    }
  }
  return 0;
}
