#pragma once

// The payload the relay publishes. Seed 003 documents its envelope's payload
// with Go-style names (`{"PickID", "PlayerID", "TeamID", "Overall"}` for a
// PickMade); `seed` (the default) publishes exactly that shape, mapped from
// the stored payload; `full` publishes the stored payload as the gateway's
// clients see it. The mapping of every type is in docs/relay.md.

#include <optional>
#include <string>

#include "relay_types.hpp"

namespace draft::relay {

/// RELAY_PAYLOAD: which payload the envelope carries.
enum class payload_format { seed, full };

/// Rewrites `event.payload_json` into `format`. Returns what is wrong when
/// the stored payload does not decode as its type (the row is then retried
/// and dead-lettered like a failed publish, never published half-right).
std::optional<std::string> shape_payload(outbox_event& event,
                                         payload_format format);

} // namespace draft::relay
