// libFuzzer target: what a WebSocket client sends the gateway, decoded under
// the gateway's limits (GATEWAY_MAX_MESSAGE_BYTES' default, 4096, and depth
// 16) as its sessions do before the socket actor acts on it; every accepted
// message must satisfy what the socket actor relies on.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/json_codec.hpp"

using namespace draft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  json::limits lim;
  lim.max_bytes = 4096;
  auto message = json::decode_client_message(text, lim);
  if (!message)
    return 0;
  if (size > 4096)
    std::abort(); // over the limit must be refused
  if (auto resume = std::get_if<resume_request>(&*message))
    if (resume->last_seq < 0)
      std::abort();
  if (auto ping = std::get_if<ping_request>(&*message))
    if (ping->nonce.size() > 128)
      std::abort();
  return 0;
}
