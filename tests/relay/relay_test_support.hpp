#pragma once

// Shared by the relay tests: outbox rows written the orchestrator's way, a
// drain loop, and the per-draft order check of published envelopes.

#include <string>
#include <vector>

#include "relay_types.hpp"
#include "relay_worker.hpp"

namespace draft::relay {

/// Three drafts, `per_draft` events each, appended interleaved through
/// draft_append_event. Returns the draft ids.
std::vector<std::string> write_events(const std::string& url, int per_draft);

/// The trace context write_events gives the event `event_id`.
std::string traceparent_of(const std::string& event_id);

/// Runs rounds until nothing is claimable (bounded).
void drain(const std::string& url, event_publisher& p, const relay_config& rc);

/// Checks envelopes: per draft, every seq in order, ids as in the outbox.
void expect_in_order(const std::string& url,
                     const std::vector<std::string>& bodies, int per_draft);

} // namespace draft::relay
