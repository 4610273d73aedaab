// A connection's send queue: first in, first out; truncating keeps the
// frame being written; emptied, it is reused from the start.

#include <memory>

#include <gtest/gtest.h>

#include "actors/edge/send_queue.hpp"

using draft::send_queue;

TEST(send_queue, is_first_in_first_out_across_refills) {
  send_queue<int> q;
  EXPECT_TRUE(q.empty());
  for (int round = 0; round < 3; ++round) {
    for (int i = 1; i <= 5; ++i)
      q.push_back(round * 10 + i);
    EXPECT_EQ(q.size(), 5u);
    for (int i = 1; i <= 3; ++i) {
      EXPECT_EQ(q.front(), round * 10 + i);
      q.pop_front();
    }
    q.push_back(round * 10 + 6); // added while two are still waiting
    for (int i : {4, 5, 6}) {
      EXPECT_EQ(q.front(), round * 10 + i);
      q.pop_front();
    }
    EXPECT_TRUE(q.empty());
  }
}

TEST(send_queue, truncating_keeps_the_first_and_popping_releases_what_it_held) {
  send_queue<std::shared_ptr<int>> q;
  auto first = std::make_shared<int>(1);
  q.push_back(first);
  q.push_back(std::make_shared<int>(2));
  q.push_back(std::make_shared<int>(3));
  q.truncate(1);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(*q.front(), 1);
  EXPECT_EQ(first.use_count(), 2);
  q.pop_front();
  EXPECT_EQ(first.use_count(), 1); // the queue let go of it
  EXPECT_TRUE(q.empty());
  q.push_back(std::make_shared<int>(4));
  q.truncate(0);
  EXPECT_TRUE(q.empty());
}
