// libFuzzer target: what a gateway sends its clients, as every C++ client
// reads it — the full decoder (tests, draft-bots) and the header-only peek
// (draft-loadgen) — through the client session's seq rule. A frame both
// accept must mean the same to the seq rule either way.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/client_session.hpp"
#include "protocol/json_codec.hpp"

using namespace draft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto full = json::decode_server_message(text);
  auto header = json::peek_server_frame(text);
  if (!full)
    return 0;
  client_session by_message, by_header;
  by_message.resume_from(0);
  by_header.resume_from(0);
  std::string reply;
  auto seen = by_message.take(*full, reply);
  if (!header)
    return 0; // the peek may refuse what it cannot place; never the reverse of a verdict
  std::string header_reply;
  auto peeked = by_header.take(*header, header_reply);
  if (seen != peeked || reply != header_reply
      || by_message.sequence().last_seq() != by_header.sequence().last_seq())
    std::abort();
  return 0;
}
