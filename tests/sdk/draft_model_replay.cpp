// Feeds an event log (one server event message per line, on stdin) to the
// gateway's draft_model and prints, after each event, the state-sync body it
// holds at that event's time — for tests/sdk/model_agreement.test.mjs, which
// feeds the same log to the SDK's reducer and compares.
#include <iostream>
#include <string>

#include "actors/draft_state.hpp"
#include "protocol/json_codec.hpp"

int main() {
  draft::draft_model model;
  bool loaded = false;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty())
      continue;
    auto event = draft::json::decode_event(line);
    if (!event) {
      std::cerr << "draft-model-replay: " << event.error().to_string() << "\n";
      return 1;
    }
    if (!loaded) {
      draft::draft_load start;
      start.found = true;
      start.snapshot.draft_id = event->draft_id;
      model.load(start);
      loaded = true;
    }
    model.apply({event->draft_id, event->seq, event->id, event->type(), event->time,
                 draft::json::encode_payload(event->data), "", ""});
    std::cout << draft::json::encode(model.snapshot(event->time)) << "\n";
  }
  return 0;
}
