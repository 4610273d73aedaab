// The C++ clients' session (protocol/client_session.hpp): the close codes
// sorted as the TypeScript SDK sorts them (read from its source), refusals,
// the request target of a first connection and of a resume, roaming to the
// next node, the back-off's bounds and reset, and a gap answered with the
// resume message.

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "protocol/client_session.hpp"
#include "protocol/json_codec.hpp"

using namespace draft;
using namespace std::chrono_literals;

namespace {

const std::string draft_id = "6e0f5d4c-3b2a-4198-8776-655443322110";

std::shared_ptr<const std::vector<gateway_address>> three_nodes() {
  return std::make_shared<const std::vector<gateway_address>>(
    std::vector<gateway_address>{{"127.0.0.1", 8080}, {"127.0.0.1", 8081},
                                 {"127.0.0.1", 8082}});
}

// `case N:` lines of the SDK's classifyClose, each mapped to the action of
// the `return` that follows them.
std::map<int, std::string> sdk_close_table() {
  std::ifstream in(std::string(DRAFT_SDK_DIR) + "/src/close_policy.ts");
  std::stringstream text;
  text << in.rdbuf();
  auto source = text.str();
  auto begin = source.find("export function classifyClose");
  auto end = source.find("default:", begin);
  EXPECT_NE(begin, std::string::npos);
  EXPECT_NE(end, std::string::npos);
  auto body = source.substr(begin, end - begin);
  std::map<int, std::string> table;
  std::vector<int> pending;
  std::regex token(R"re(case (\d+):|return "(\w+)")re");
  for (std::sregex_iterator it(body.begin(), body.end(), token), last; it != last; ++it) {
    if ((*it)[1].matched) {
      pending.push_back(std::stoi((*it)[1]));
    } else {
      for (int code : pending)
        table[code] = (*it)[2];
      pending.clear();
    }
  }
  return table;
}

std::string event_frame(std::int64_t seq) {
  draft_event e;
  e.id = "00000000-0000-4000-8000-000000000001";
  e.seq = seq;
  e.draft_id = draft_id;
  e.data = draft_paused_payload{draft_id, 0, "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", 1, 30};
  return json::encode(e);
}

} // namespace

TEST(client_session, sorts_close_codes_as_the_sdk_does) {
  auto table = sdk_close_table();
  ASSERT_GE(table.size(), 9u) << "could not read the SDK's close policy";
  for (auto& [code, action] : table)
    EXPECT_EQ(to_string(classify_close(code)), action) << "close code " << code;
  // The SDK's default branch: shutting down, actor moved, dropped, unknown.
  for (int code : {0, 1001, 1006, 1012, 4999})
    EXPECT_EQ(classify_close(code), close_action::retry_elsewhere) << code;
}

TEST(client_session, sorts_refused_upgrades) {
  std::string why;
  EXPECT_EQ(classify_refusal(401, 0, &why), close_action::refresh_token);
  EXPECT_EQ(classify_refusal(401, 1, &why), close_action::give_up);
  EXPECT_EQ(why, "unauthorized");
  EXPECT_EQ(classify_refusal(403, 0, &why), close_action::give_up);
  EXPECT_EQ(why, "forbidden");
  EXPECT_EQ(classify_refusal(404, 0, &why), close_action::give_up);
  EXPECT_EQ(why, "unknown_draft");
  EXPECT_EQ(classify_refusal(429, 0, &why), close_action::retry);
  EXPECT_EQ(classify_refusal(503, 0, &why), close_action::retry_elsewhere);
  EXPECT_EQ(classify_refusal(0, 0, &why), close_action::retry_elsewhere);
}

TEST(client_session, connects_first_without_and_then_with_last_seq) {
  client_session s(draft_id, three_nodes(), 1);
  EXPECT_EQ(s.node().port, 8081);
  EXPECT_EQ(s.target(), "/drafts/" + draft_id + "/connect");
  EXPECT_EQ(s.target("token=abc"), "/drafts/" + draft_id + "/connect?token=abc");
  std::string reply;
  auto e = json::decode_server_message(event_frame(7));
  ASSERT_TRUE(e);
  s.resume_from(6);
  EXPECT_EQ(s.take(*e, reply), client_sequence::verdict::applied);
  EXPECT_TRUE(reply.empty());
  EXPECT_EQ(s.target("token=abc"),
            "/drafts/" + draft_id + "/connect?last_seq=7&token=abc");
}

TEST(client_session, a_gap_is_answered_with_the_resume_message) {
  client_session s(draft_id, three_nodes());
  s.resume_from(3);
  std::string reply;
  auto e = json::decode_server_message(event_frame(6));
  ASSERT_TRUE(e);
  EXPECT_EQ(s.take(*e, reply), client_sequence::verdict::gap);
  auto resume = json::decode_client_message(reply);
  ASSERT_TRUE(resume) << reply;
  ASSERT_TRUE(std::holds_alternative<resume_request>(*resume));
  EXPECT_EQ(std::get<resume_request>(*resume).last_seq, 3);
}

TEST(client_session, roams_to_the_next_node_only_when_elsewhere_may_do_better) {
  client_session s(draft_id, three_nodes(), 2);
  EXPECT_EQ(s.closed(4008).action, close_action::retry); // slow: same node
  EXPECT_EQ(s.node().port, 8082);
  EXPECT_EQ(s.closed(0).action, close_action::retry_elsewhere); // dropped
  EXPECT_EQ(s.node().port, 8080);
  EXPECT_EQ(s.refused(503).action, close_action::retry_elsewhere);
  EXPECT_EQ(s.node().port, 8081);
  auto refresh = s.closed(4001);
  EXPECT_EQ(refresh.action, close_action::refresh_token);
  EXPECT_EQ(refresh.delay, 0ms); // a fresh token is tried at once
  EXPECT_EQ(s.refused(401).action, close_action::refresh_token);
  auto twice = s.refused(401);
  EXPECT_EQ(twice.action, close_action::give_up);
  EXPECT_EQ(twice.reason, "unauthorized");
  EXPECT_EQ(s.closed(4000).action, close_action::give_up);
  EXPECT_EQ(s.ends(), 4);
}

TEST(client_session, backs_off_within_bounds_and_starts_again_once_open) {
  backoff_policy policy{100ms, 1s};
  EXPECT_EQ(backoff_delay(0, policy, 0.999), 99ms);
  EXPECT_EQ(backoff_delay(3, policy, 0.5), 400ms);
  EXPECT_EQ(backoff_delay(40, policy, 0.999), 999ms); // the cap
  EXPECT_EQ(backoff_delay(2, policy, 0.0), 0ms);
  client_session s(draft_id, three_nodes(), 0, policy, 7);
  auto largest = 0ms;
  for (int i = 0; i < 12; ++i) {
    auto d = s.closed(0).delay;
    EXPECT_LT(d, 1s);
    largest = std::max(largest, d);
  }
  EXPECT_GT(largest, 100ms); // the bound grew past the base
  s.opened();
  for (int i = 0; i < 20; ++i) {
    s.opened();
    EXPECT_LT(s.closed(0).delay, 100ms); // the first retry after an open
  }
}
