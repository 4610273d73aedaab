#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace draft {

/// Base64url without padding (RFC 4648 §5), as JWTs use it.
std::string base64url_encode(std::string_view bytes);

/// Strict inverse of `base64url_encode`: refuses padding, characters outside
/// the URL-safe alphabet, impossible lengths and non-zero trailing bits.
std::optional<std::string> base64url_decode(std::string_view text);

} // namespace draft
