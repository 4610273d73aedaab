#include <cstdlib>

#include <gtest/gtest.h>

#include "runtime/config.hpp"

using namespace draft;
using namespace std::chrono_literals;

TEST(config, reads_sections_comments_and_quotes) {
  auto c = config::from_text("# a comment\nname = n1\n[http]\nport = 8080\n"
                             "host = \"127.0.0.1\"\n",
                             "node.conf");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->get_string("name"), "n1");
  EXPECT_EQ(c->get_string("http.host"), "127.0.0.1");
  EXPECT_EQ(*c->get_int("http.port", 0, 1, 65535), 8080);
  EXPECT_EQ(c->origin_of("http.port"), "node.conf:4");
}

TEST(config, names_the_line_of_a_bad_file) {
  auto c = config::from_text("a = 1\nthis is not a setting\n", "x.conf");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().to_string(), "x.conf:2: expected key = value");
  auto dup = config::from_text("a = 1\na = 2\n", "x.conf");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().to_string(),
            "x.conf:2: duplicate key a (first at x.conf:1)");
}

TEST(config, environment_overrides_and_is_named_in_errors) {
  auto c = config::from_text("poll = 5s\n", "relay.conf");
  ASSERT_TRUE(c);
  setenv("DRAFT_TEST_POLL", "often", 1);
  c->apply_environment({{"poll", "DRAFT_TEST_POLL"}});
  unsetenv("DRAFT_TEST_POLL");
  auto poll = c->get_duration("poll", 1s, 10ms, 1h);
  ASSERT_FALSE(poll);
  EXPECT_EQ(poll.error().to_string(),
            "poll (environment variable DRAFT_TEST_POLL): expected a duration "
            "like 500ms, 10s or 1m30s, from 10ms to 3600000ms, got \"often\"");
}

TEST(config, typed_getters_validate) {
  config c;
  c.set("n", "70000", "test");
  c.set("b", "maybe", "test");
  c.set("d", "1m30s", "test");
  c.set("p", "kafka", "test");
  EXPECT_FALSE(c.get_int("n", 0, 1, 65535));
  EXPECT_EQ(*c.get_int("absent", 7, 1, 10), 7);
  EXPECT_FALSE(c.get_bool("b", false));
  EXPECT_EQ(*c.get_duration("d", 1s, 1ms, 1h), 90s);
  EXPECT_EQ(*c.get_choice("p", "mock", {"mock", "kafka"}), "kafka");
  EXPECT_FALSE(c.get_choice("p", "mock", {"mock", "nats"}));
}

TEST(config, parses_go_durations) {
  std::chrono::milliseconds out{0};
  EXPECT_TRUE(parse_duration("250ms", out));
  EXPECT_EQ(out, 250ms);
  EXPECT_TRUE(parse_duration("1h2m3s", out));
  EXPECT_EQ(out, 3723s);
  EXPECT_TRUE(parse_duration("1.5s", out));
  EXPECT_EQ(out, 1500ms);
  EXPECT_FALSE(parse_duration("10", out));
  EXPECT_FALSE(parse_duration("s", out));
  EXPECT_FALSE(parse_duration("5 s", out));
  // Found by fuzz_cluster_config: a duration past int64 milliseconds was
  // converted from double with undefined behaviour.
  EXPECT_FALSE(parse_duration("1277777777777777777777777777777777777s", out));
  EXPECT_FALSE(parse_duration("99999999999999999h", out));
}
