#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace draft {

/// One slot of a draft board.
struct pick_slot {
  std::int32_t round;         ///< 1-based
  std::int32_t pick;          ///< 1-based position within the round
  std::int32_t overall_pick;  ///< 1-based over the whole draft
  std::int32_t team_position; ///< 1-based seat of the team on the clock
};

/// Every slot of a draft in order. Snake drafts reverse the order of teams in
/// every even round; linear drafts keep the first round's order.
std::vector<pick_slot> draft_board(const std::string& type,
                                   std::int32_t team_count,
                                   std::int32_t rounds);

} // namespace draft
