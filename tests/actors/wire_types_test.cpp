// Every type in the gateway's type-id block (actors/gateway_types.hpp)
// crosses a real node boundary: two actor systems connected over loopback
// through CAF's middleman. CAF 0.17 sends an unregistered type as an empty
// message without complaint, so each type is echoed and compared. (Event
// payloads never travel as CAF messages: rows carry their JSON text.)

#include <chrono>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <gtest/gtest.h>

#include "actors/actor_system_config.hpp"
#include "actors/gateway_types.hpp"

using namespace draft;
using namespace std::chrono_literals;

namespace {

// Answers every message with itself.
caf::behavior echo(caf::event_based_actor* self) {
  self->set_default_handler(
    [](caf::scheduled_actor*, caf::message_view& x) -> caf::result<caf::message> {
      return x.move_content_to_message();
    });
  return {[](caf::ok_atom) {}};
}

class wire_types : public testing::Test {
protected:
  static void SetUpTestSuite() {
    server_config = new gateway_system_config;
    client_config = new gateway_system_config;
    server = new caf::actor_system(*server_config);
    client = new caf::actor_system(*client_config);
    auto port = server->middleman().publish(server->spawn(echo), 0, "127.0.0.1");
    ASSERT_TRUE(port) << server->render(port.error());
    auto remote = client->middleman().remote_actor("127.0.0.1", *port);
    ASSERT_TRUE(remote) << client->render(remote.error());
    remote_echo = new caf::actor(*remote);
  }

  static void TearDownTestSuite() {
    caf::anon_send_exit(*remote_echo, caf::exit_reason::user_shutdown);
    delete remote_echo;
    delete client;
    delete server;
    delete client_config;
    delete server_config;
  }

  template <class T>
  static void expect_round_trip(const T& value) {
    caf::scoped_actor self{*client};
    bool received = false;
    self->request(*remote_echo, 10s, value)
      .receive(
        [&](const T& back) {
          received = true;
          EXPECT_EQ(back, value) << caf::type_name<T>::value;
        },
        [&](caf::error& err) {
          ADD_FAILURE() << caf::type_name<T>::value << ": "
                        << client->render(err);
        });
    EXPECT_TRUE(received) << caf::type_name<T>::value;
  }

  static inline gateway_system_config* server_config = nullptr;
  static inline gateway_system_config* client_config = nullptr;
  static inline caf::actor_system* server = nullptr;
  static inline caf::actor_system* client = nullptr;
  static inline caf::actor* remote_echo = nullptr;
};

const std::string draft_id = "6e0f5d4c-3b2a-4198-8776-655443322110";
const std::string pick_id = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const std::string team_id = "c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f";
const timestamp t0 = 1701424800LL * 1'000'000;

} // namespace

TEST_F(wire_types, enumerations) {
  expect_round_trip(event_type::draft_completed);
  expect_round_trip(draft_status::paused);
}

TEST_F(wire_types, messages) {
  current_pick cp{pick_id, team_id, 2, 3, 15, t0, t0 + 60'000'000, 45};
  expect_round_trip(cp);
  expect_round_trip(draft_snapshot{draft_id, draft_status::in_progress, cp,
                                   180, 14, 30});
  expect_round_trip(draft_snapshot{draft_id, draft_status::not_started,
                                   std::nullopt, 180, 0, 0});
  expect_round_trip(presence_counts{{{team_id, 2}}, 5});
  actor_status status{"draft-" + draft_id, "draft", 3, 1200,
                      {{"last_seq", "30"}, {"subscribers", "12"}}};
  expect_round_trip(status);
  expect_round_trip(std::vector<actor_status>{status});
  member_status member{"n2", "127.0.0.1:9081", 8081, "alive", 420, t0,
                       {"n1", "n2", "n3"}};
  expect_round_trip(member);
  expect_round_trip(std::vector<member_status>{member, member});
  expect_round_trip(std::vector<std::string>{"n1", "n3"});
  actor_report report{status, 12.5, true};
  expect_round_trip(report);
  expect_round_trip(std::vector<actor_report>{report});
  activity_sample sample{t0, 1000, 12000, 0.8, 6.5};
  expect_round_trip(sample);
  node_report node{"n1", "", 4242, t0, 37.5, 64 << 20,
                   {{"draft", 3}, {"socket", 36}}, 1, {report}, {sample}};
  expect_round_trip(node);
  expect_round_trip(std::vector<node_report>{node, node_report{}});
}

TEST_F(wire_types, gateway_internal_messages) {
  outbox_row row{draft_id, 7, "3f1c2a9e-8b7d-4e2f-9a1b-0c2d3e4f5a6b",
                 event_type::pick_started, t0, R"({"pick": 1})",
                 "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                 R"({"seq":7})"}; // a forwarded row carries its frame
  expect_round_trip(row);
  expect_round_trip(std::vector<outbox_row>{row, row});
  current_pick cp{pick_id, team_id, 2, 3, 15, t0, t0 + 60'000'000, 45};
  expect_round_trip(draft_load{true,
                               draft_snapshot{draft_id,
                                              draft_status::paused, cp, 180,
                                              14, 30},
                               41, "snake"});
  expect_round_trip(dead_letter{draft_id, "c-17", "user-7", 31,
                                "slow consumer: 512 frames queued"});
}
