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

} // namespace draft
