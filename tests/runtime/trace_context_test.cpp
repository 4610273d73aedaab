// W3C traceparent parsing (the examples and rules of the Trace Context
// recommendation) and the correlation every log line of a scope carries.

#include <cstdio>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "runtime/logger.hpp"
#include "runtime/trace_context.hpp"

using namespace draft;

namespace {

const std::string valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// The lines `body` logs, captured.
std::string captured(const std::function<void()>& body) {
  char* buffer = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&buffer, &size);
  logger::set_output(out);
  body();
  logger::set_output(stderr);
  std::fclose(out);
  std::string text(buffer, size);
  free(buffer);
  return text;
}

} // namespace

TEST(trace_context, parses_the_recommendations_example) {
  auto t = parse_traceparent(valid);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->span_id, "00f067aa0ba902b7");
  EXPECT_EQ(t->flags, "01");
  EXPECT_EQ(t->header(), valid);
}

TEST(trace_context, refuses_what_the_recommendation_refuses) {
  for (auto bad : {
         "",                                                          // empty
         "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",      // no flags
         "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // zero trace
         "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // zero span
         "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // upper case
         "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // version ff
         "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", // 00 + extra
         "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",   // separators
         "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",   // not hex
       })
    EXPECT_FALSE(parse_traceparent(bad)) << bad;
  // A later version may append fields after a dash.
  EXPECT_TRUE(parse_traceparent(
    "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"));
}

TEST(trace_context, a_child_span_keeps_the_trace_and_a_root_starts_one) {
  auto parent = parse_traceparent(valid);
  auto child = child_span(parent);
  EXPECT_EQ(child.trace_id, parent->trace_id);
  EXPECT_NE(child.span_id, parent->span_id);
  EXPECT_TRUE(parse_traceparent(child.header()));
  auto root = child_span(std::nullopt);
  EXPECT_EQ(root.trace_id.size(), 32u);
  EXPECT_NE(root.trace_id, parent->trace_id);
  EXPECT_TRUE(parse_traceparent(root.header()));
}

TEST(trace_context, log_lines_in_a_scope_carry_its_correlation) {
  auto text = captured([] {
    auto& log = logger::get("traced");
    log.info("outside");
    {
      correlation_scope outer(valid, "request_id", "r-1");
      log.info("in the request");
      EXPECT_EQ(current_traceparent(), valid);
      {
        correlation_scope inner("", "event_id", "e-1");
        log.info("in the event");
      }
      log.info("back in the request");
    }
    EXPECT_EQ(current_traceparent(), "");
  });
  std::vector<rapidjson::Document> lines;
  size_t start = 0;
  for (auto end = text.find('\n'); end != std::string::npos;
       start = end + 1, end = text.find('\n', start)) {
    lines.emplace_back();
    lines.back().Parse(text.substr(start, end - start).c_str());
    ASSERT_TRUE(lines.back().IsObject()) << text;
  }
  ASSERT_EQ(lines.size(), 4u) << text;
  EXPECT_FALSE(lines[0].HasMember("trace_id"));
  EXPECT_STREQ(lines[1]["trace_id"].GetString(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_STREQ(lines[1]["request_id"].GetString(), "r-1");
  EXPECT_FALSE(lines[2].HasMember("trace_id"));
  EXPECT_STREQ(lines[2]["event_id"].GetString(), "e-1");
  EXPECT_STREQ(lines[3]["request_id"].GetString(), "r-1");
}
