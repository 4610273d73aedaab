#include "draft_order.hpp"

namespace draft {

std::vector<pick_slot> draft_board(const std::string& type,
                                   std::int32_t team_count,
                                   std::int32_t rounds) {
  std::vector<pick_slot> board;
  board.reserve(static_cast<size_t>(team_count * rounds));
  for (std::int32_t round = 1; round <= rounds; ++round) {
    bool reversed = type == "snake" && round % 2 == 0;
    for (std::int32_t pick = 1; pick <= team_count; ++pick) {
      std::int32_t position = reversed ? team_count - pick + 1 : pick;
      board.push_back(
        {round, pick, (round - 1) * team_count + pick, position});
    }
  }
  return board;
}

} // namespace draft
