#include <cstdio>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "runtime/logger.hpp"

using namespace draft;

TEST(logger, writes_one_json_object_per_line) {
  char* buffer = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&buffer, &size);
  logger::set_output(out);
  logger::set_node("node-1");
  auto& log = logger::get("poller");
  log.info("event routed", {{"draft_id", "d-1"}, {"seq", 42},
                            {"note", "quote \" and\nnewline"}});
  log.debug("hidden at info level");
  logger::set_output(stderr);
  std::fclose(out);
  std::string text(buffer, size);
  free(buffer);
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  ASSERT_FALSE(doc.HasParseError()) << text;
  EXPECT_STREQ(doc["level"].GetString(), "info");
  EXPECT_STREQ(doc["node"].GetString(), "node-1");
  EXPECT_STREQ(doc["component"].GetString(), "poller");
  EXPECT_STREQ(doc["msg"].GetString(), "event routed");
  EXPECT_STREQ(doc["draft_id"].GetString(), "d-1");
  EXPECT_EQ(doc["seq"].GetInt(), 42);
  EXPECT_STREQ(doc["note"].GetString(), "quote \" and\nnewline");
}

TEST(logger, levels_change_at_run_time) {
  auto& log = logger::get("fanout");
  EXPECT_FALSE(log.enabled(log_level::debug));
  EXPECT_TRUE(logger::set_level("fanout", log_level::debug));
  EXPECT_TRUE(log.enabled(log_level::debug));
  EXPECT_FALSE(logger::set_level("no-such-component", log_level::debug));
  log_level parsed;
  EXPECT_TRUE(parse_log_level("warn", parsed));
  EXPECT_EQ(parsed, log_level::warn);
  EXPECT_FALSE(parse_log_level("loud", parsed));
}

TEST(logger, json_strings_stay_valid_utf8) {
  // Well-formed UTF-8 passes; stray bytes (e.g. a percent-decoded %FF in a
  // URL echoed in an error) become U+FFFD.
  EXPECT_EQ(json_quoted("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
  EXPECT_EQ(json_quoted("a\xff" "b"), "\"a\\ufffdb\"");
  EXPECT_EQ(json_quoted("\xc3"), "\"\\ufffd\"");          // cut short
  EXPECT_EQ(json_quoted("\xc0\xaf"), "\"\\ufffd\\ufffd\""); // overlong
  EXPECT_EQ(json_quoted("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""); // surrogate
  rapidjson::Document doc;
  doc.Parse(("{\"m\":" + json_quoted("x\xfe\xff") + "}").c_str());
  EXPECT_FALSE(doc.HasParseError());
}
