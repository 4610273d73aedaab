// The draft order against a table built independently: a snake board is the
// seat list, then the same list reversed, alternating by round.

#include <algorithm>

#include <gtest/gtest.h>

#include "draft_order.hpp"

using namespace draft;

namespace {

std::vector<int> expected_seats(bool snake, int teams, int rounds) {
  std::vector<int> seats(static_cast<size_t>(teams));
  for (int i = 0; i < teams; ++i)
    seats[static_cast<size_t>(i)] = i + 1;
  std::vector<int> out;
  for (int r = 0; r < rounds; ++r) {
    out.insert(out.end(), seats.begin(), seats.end());
    if (snake)
      std::reverse(seats.begin(), seats.end());
  }
  return out;
}

} // namespace

TEST(draft_order, twelve_team_fifteen_round_snake) {
  auto board = draft_board("snake", 12, 15);
  auto seats = expected_seats(true, 12, 15);
  ASSERT_EQ(board.size(), 180u);
  for (size_t i = 0; i < board.size(); ++i) {
    EXPECT_EQ(board[i].overall_pick, static_cast<int>(i + 1));
    EXPECT_EQ(board[i].round, static_cast<int>(i / 12 + 1));
    EXPECT_EQ(board[i].pick, static_cast<int>(i % 12 + 1));
    EXPECT_EQ(board[i].team_position, seats[i]) << "overall " << i + 1;
  }
  // Spot checks anyone who has sat in a draft room knows.
  EXPECT_EQ(board[11].team_position, 12); // 1.12
  EXPECT_EQ(board[12].team_position, 12); // 2.01: the turn
  EXPECT_EQ(board[23].team_position, 1);  // 2.12
  EXPECT_EQ(board[24].team_position, 1);  // 3.01
}

TEST(draft_order, linear_keeps_the_order) {
  auto board = draft_board("linear", 10, 3);
  auto seats = expected_seats(false, 10, 3);
  ASSERT_EQ(board.size(), seats.size());
  for (size_t i = 0; i < board.size(); ++i)
    EXPECT_EQ(board[i].team_position, seats[i]);
}
