#pragma once

// The database's clock, as this process sees it. Pick timeouts are written
// by PostgreSQL's clock (the orchestrator takes every instant from it), so
// the gateway computes what it derives from them — a snapshot's
// time_remaining_sec, a TimerTick's server_time, a pong's server_time — on
// that same clock: the local clock plus the offset last measured against
// clock_timestamp(), taking half the query's round trip as its one-way
// delay. Until a measurement, the offset is 0 (the local clock).

#include <cstdint>

#include "protocol/time_format.hpp"

#include <pqxx/types.hxx>

namespace draft {

/// Now by the database's clock (µs since the epoch).
timestamp database_now();

/// The offset in use: database clock minus local clock, in µs.
std::int64_t database_clock_offset();

/// Measures the offset on `connection` and uses it from now on; returns it.
/// Database errors throw (the last offset stays in use).
std::int64_t measure_database_clock(pqxx::connection_base& connection);

} // namespace draft
