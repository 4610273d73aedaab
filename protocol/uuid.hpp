#pragma once

#include <string>
#include <string_view>

namespace draft {

/// True for the canonical textual UUID form: 8-4-4-4-12 hex digits, either
/// case (RFC 4122 §3). Braces, URNs and missing dashes are refused.
bool is_uuid(std::string_view text);

/// Lower-cases a UUID the way PostgreSQL prints it.
std::string normalize_uuid(std::string_view text);

} // namespace draft
