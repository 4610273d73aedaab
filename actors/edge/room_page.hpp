#pragma once

// The draft room (/drafts/{id}): a static page, its script and style, and the
// client SDK's modules (/sdk/*.js, built from protocol/js), all compiled into
// the binary. No Beast here.

#include <optional>
#include <string>

#include "actors/edge/gateway_context.hpp"
#include "runtime/http_server.hpp"

namespace draft {

/// The page of `draft_id` (already checked to be a UUID the token may read),
/// with its configuration (gateway URLs, orchestrator URL) filled in.
http_response room_page(const gateway_options& options, const std::string& draft_id);

/// A file under /sdk/ or /room/, or nothing for any other path.
std::optional<http_response> room_asset(const std::string& path);

} // namespace draft
