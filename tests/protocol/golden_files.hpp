#pragma once

// The golden messages of protocol/golden/, read by the protocol tests (the
// JavaScript SDK's tests read the same files).

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace draft::testing {

inline std::string golden(const std::string& name) {
  std::ifstream in(std::string(DRAFT_GOLDEN_DIR) + "/" + name);
  if (!in)
    throw std::runtime_error("cannot read golden file " + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace draft::testing
