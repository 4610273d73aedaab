// libFuzzer target: request-target and percent decoding (every server parses
// the URL of every request with these).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "runtime/http_server.hpp"

using namespace draft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string target(reinterpret_cast<const char*>(data), size);
  std::string path;
  std::map<std::string, std::string> query;
  if (parse_request_target(target, path, query)) {
    for (auto& part : split_path(path))
      if (part.empty())
        std::abort(); // split_path never yields an empty segment
  }
  std::string out;
  if (percent_decode(target, out, true) && out.size() > target.size())
    std::abort(); // decoding never grows the text
  (void) bearer_of(target);
  return 0;
}
