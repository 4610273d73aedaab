#include "protocol/uuid.hpp"

#include <cctype>

namespace draft {

bool is_uuid(std::string_view text) {
  if (text.size() != 36)
    return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? text[i] != '-'
                      : !std::isxdigit(static_cast<unsigned char>(text[i])))
      return false;
  }
  return true;
}

std::string normalize_uuid(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace draft
