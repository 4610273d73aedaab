#pragma once

// How the gateway reads draft_outbox rows, in one place for its two readers:
// the poller's query for rows after each cursor (outbox_postgres.cpp) and the
// database worker's fetch of a seq range for a backfill (database_worker.cpp).

#include <string>

#include <pqxx/pqxx>

#include "actors/gateway_types.hpp"

namespace draft {

/// The select list of an outbox row, for a table aliased `alias` (empty for
/// none): seq, event_id, event_type, created_at in microseconds, payload as
/// text, traceparent ("" when none). Six columns, read by outbox_row_from.
std::string outbox_columns(const std::string& alias = "");

/// The outbox row of draft `draft_id` whose six columns (outbox_columns)
/// start at `first` in `r`.
outbox_row outbox_row_from(const pqxx::row& r, int first,
                           const std::string& draft_id);

} // namespace draft
