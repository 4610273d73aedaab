// libFuzzer target: the cluster configuration file, parsed and validated.

#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/cluster_config.hpp"
#include "runtime/config.hpp"

using namespace draft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = config::from_text(text, "fuzz.conf");
  if (parsed)
    (void) read_cluster_config(*parsed);
  return 0;
}
