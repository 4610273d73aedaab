#include <gtest/gtest.h>

#include "protocol/time_format.hpp"

using namespace draft;

TEST(time_format, formats_whole_seconds_without_a_fraction) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1701424800LL * 1'000'000), "2023-12-01T10:00:00Z");
  EXPECT_EQ(format_rfc3339(1701424800LL * 1'000'000 + 250'000),
            "2023-12-01T10:00:00.250Z");
  EXPECT_EQ(format_rfc3339(1701424800LL * 1'000'000 + 7),
            "2023-12-01T10:00:00.000007Z");
  EXPECT_EQ(format_rfc3339(-1'000'000), "1969-12-31T23:59:59Z");
}

TEST(time_format, parses_offsets_into_utc) {
  EXPECT_EQ(parse_rfc3339("2023-12-01T12:00:00+02:00"),
            parse_rfc3339("2023-12-01T10:00:00Z"));
  EXPECT_EQ(parse_rfc3339("2023-12-01T05:00:00-05:00"),
            parse_rfc3339("2023-12-01T10:00:00Z"));
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00.123456789Z").value() % 1'000'000,
            123456);
}

TEST(time_format, refuses_what_is_not_rfc3339) {
  for (auto bad : {"", "2023-12-01", "2023-12-01 10:00:00Z",
                   "2023-12-01T10:00:00", "2023-13-01T10:00:00Z",
                   "2023-02-29T10:00:00Z", "2023-12-01T24:00:00Z",
                   "2023-12-01T10:00:00.Z", "2023-12-01T10:00:00Zjunk",
                   "2023-12-01T10:00:00+0200", "yesterday"})
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
}

TEST(time_format, round_trips) {
  for (timestamp t : {0LL, 1701424800LL * 1'000'000 + 1,
                      4102444799LL * 1'000'000 + 999'000})
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t);
}

TEST(time_format, formats_durations_like_go) {
  EXPECT_EQ(format_go_duration(0), "0s");
  EXPECT_EQ(format_go_duration(4'250'000), "4.25s");
  EXPECT_EQ(format_go_duration(60'000'000), "1m0s");
  EXPECT_EQ(format_go_duration(9'000'000'000), "2h30m0s");
  EXPECT_EQ(format_go_duration(3'661'500'000), "1h1m1.5s");
}
