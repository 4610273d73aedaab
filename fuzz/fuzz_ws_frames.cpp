// libFuzzer target: the bytes a WebSocket client sends, read by the
// gateway's frame parser (runtime/ws_frames.hpp) under its limits. The same
// bytes fed whole and in two parts (split where the input's first byte says)
// must give the same events; no message over the limit or not UTF-8 may come
// out, and nothing may stay held after a close or an error.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "runtime/ws_frames.hpp"

using namespace draft::ws;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  std::size_t split = data[0] % size;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (split > bytes.size())
    split = bytes.size();
  client_reader whole(4096, 4009), parts(4096, 4009);
  std::vector<client_event> a, b;
  whole.feed(bytes, a);
  parts.feed(bytes.substr(0, split), b);
  parts.feed(bytes.substr(split), b);
  if (a.size() != b.size())
    std::abort();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].kind != b[i].kind || a[i].data != b[i].data || a[i].code != b[i].code)
      std::abort();
    if (a[i].kind == client_event::message
        && (a[i].data.size() > 4096 || !valid_utf8(a[i].data)))
      std::abort();
    if (a[i].kind == client_event::ping && a[i].data.size() > 125)
      std::abort();
  }
  if (whole.done() && whole.held() != 0)
    std::abort();
  return 0;
}
