#include "protocol/types.hpp"

#include <cstring>

namespace draft {

namespace {

constexpr const char* event_type_names[] = {
  "PickMade",     "PickStarted",    "DraftStarted", "DraftPaused",
  "DraftResumed", "DraftCompleted", "TimerTick",    "PickUndone",
};

constexpr const char* draft_status_names[] = {
  "NOT_STARTED",
  "IN_PROGRESS",
  "PAUSED",
  "COMPLETED",
};

template <class Enum, size_t N>
bool parse_name(const char* const (&names)[N], const std::string& name,
                Enum& out) {
  for (size_t i = 0; i < N; ++i) {
    if (name == names[i]) {
      out = static_cast<Enum>(i);
      return true;
    }
  }
  return false;
}

} // namespace

const char* to_string(event_type type) {
  return event_type_names[static_cast<size_t>(type)];
}

bool parse_event_type(const std::string& name, event_type& out) {
  return parse_name(event_type_names, name, out);
}

const char* to_string(draft_status status) {
  return draft_status_names[static_cast<size_t>(status)];
}

bool parse_draft_status(const std::string& name, draft_status& out) {
  return parse_name(draft_status_names, name, out);
}

} // namespace draft
