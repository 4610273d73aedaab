#pragma once

// The gateway's metrics that more than one place reads or writes (the admin
// actor samples them for the console's charts).

#include "runtime/metrics.hpp"

namespace draft {

/// gateway_fanout_latency_seconds: outbox created_at -> frame written.
histogram& fanout_latency_histogram();

/// gateway_deliveries_total: frames handed to connections.
counter& deliveries_counter();

/// gateway_events_applied_total: outbox events applied by draft actors.
counter& events_applied_counter();

/// gateway_cluster_refused_total{reason}: cluster messages refused (an
/// unauthenticated sender, a failed hello, a node id claimed from another
/// node's connection, an event not from the draft's owner).
counter& cluster_refusals(const std::string& reason);

} // namespace draft
