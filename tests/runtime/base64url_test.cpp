#include <gtest/gtest.h>

#include "runtime/base64url.hpp"

using namespace draft;

TEST(base64url, round_trips_every_length) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    auto decoded = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, bytes);
    bytes += static_cast<char>(i * 37 + 250);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(base64url, is_strict) {
  EXPECT_FALSE(base64url_decode("e30="));  // padding
  EXPECT_FALSE(base64url_decode("e3+0"));  // standard alphabet
  EXPECT_FALSE(base64url_decode("abcde")); // impossible length
  EXPECT_FALSE(base64url_decode("e31"));   // non-zero trailing bits
  EXPECT_EQ(base64url_decode("e30").value(), "{}");
}
