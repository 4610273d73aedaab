#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace draft {

/// A point in time: microseconds since the Unix epoch, UTC. Every timestamp on
/// the wire and in the actors uses this one representation.
using timestamp = std::int64_t;

/// Formats as RFC 3339 in UTC with a `Z` suffix. Whole seconds print without a
/// fraction (`2023-12-01T10:00:00Z`), whole milliseconds with three digits,
/// anything else with six — so a parsed timestamp prints back unchanged.
std::string format_rfc3339(timestamp t);

/// Parses RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`), converting an
/// offset to UTC. Fractions beyond microseconds are truncated. Returns nothing
/// for anything else, including impossible dates such as February 30.
std::optional<timestamp> parse_rfc3339(std::string_view text);

/// The server clock, as a timestamp.
timestamp now_utc();

} // namespace draft

namespace draft {

/// Formats a length of time the way Go's time.Duration prints it, as the
/// seed's DraftCompleted.duration does: "2h30m0s", "1m0.5s", "4.25s", "0s".
/// Sub-second precision is kept to milliseconds.
std::string format_go_duration(std::int64_t micros);

} // namespace draft
