#pragma once

// Draft ownership by rendezvous (highest-random-weight) hashing: every node
// computes the same owner for a draft from the same list of live members,
// and when a member leaves, only the drafts it owned move. The hash is a
// fixed function of the bytes (FNV-1a then a 64-bit mixer), so every build
// and platform agrees.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace draft {

/// The weight of `node_id` for `draft_id`.
std::uint64_t rendezvous_weight(std::string_view draft_id,
                                std::string_view node_id);

/// The owner of `draft_id` among `live_nodes` (empty if there are none).
/// Ties, which need a 64-bit collision, go to the smaller node id.
std::string owner_of(std::string_view draft_id,
                     const std::vector<std::string>& live_nodes);

} // namespace draft
