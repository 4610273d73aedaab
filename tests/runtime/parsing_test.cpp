// The shared parsers every app uses for untrusted request parts: the bearer
// token of an Authorization header, and integers in query parameters.

#include <cstdint>

#include <gtest/gtest.h>

#include "runtime/config.hpp"
#include "runtime/http_server.hpp"

using namespace draft;

TEST(bearer_of, takes_the_scheme_in_any_case_and_one_or_more_spaces) {
  EXPECT_EQ(bearer_of("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(bearer_of("bearer abc"), "abc");
  EXPECT_EQ(bearer_of("BEARER   abc"), "abc");
  for (auto bad : {"", "Bearer", "Bearer ", "Bearer  ", "Bearerabc", "Basic abc",
                   "Bearer abc def", " Bearer abc", "Bear abc"})
    EXPECT_EQ(bearer_of(bad), "") << '"' << bad << '"';
}

TEST(parse_integer, refuses_anything_but_plain_digits_in_range) {
  std::int64_t v = 7;
  EXPECT_TRUE(parse_integer("0", 0, INT64_MAX, v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(parse_integer("9223372036854775807", 0, INT64_MAX, v));
  EXPECT_EQ(v, INT64_MAX);
  v = 7;
  for (auto bad : {"", "9223372036854775808", "99999999999999999999", "-1",
                   "+5", " 5", "5 ", "5x", "0x10", "1e3", "1.0"})
    EXPECT_FALSE(parse_integer(bad, 0, INT64_MAX, v)) << '"' << bad << '"';
  EXPECT_EQ(v, 7); // untouched on refusal
  EXPECT_FALSE(parse_integer("101", 1, 100, v));
  EXPECT_FALSE(parse_integer("0", 1, 100, v));
  EXPECT_TRUE(parse_integer("-3", -5, 5, v));
  EXPECT_EQ(v, -3);
}

TEST(parse_origins, takes_scheme_host_and_port_and_refuses_anything_that_could_reach_a_header) {
  auto ok = parse_origins("http://127.0.0.1:8080, https://room.example.com,http://[::1]:9",
                          "ORIGINS", {"http", "https"});
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(*ok, (std::vector<std::string>{"http://127.0.0.1:8080", "https://room.example.com",
                                           "http://[::1]:9"}));
  for (auto bad : {"ftp://x", "http://x/path", "http://*", "http://a;script-src *",
                   "http://a'b", "http://a\"b", "http://", "room.example.com"}) {
    auto refused = parse_origins(bad, "ORIGINS", {"http", "https"});
    ASSERT_FALSE(refused) << bad;
    EXPECT_NE(refused.error().to_string().find("ORIGINS"), std::string::npos) << bad;
  }
}
