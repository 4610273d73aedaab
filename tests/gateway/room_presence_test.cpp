// Who is in the room: joins and leaves, followers' reports, and the limits
// on what one report may hold. Plain data, no actors.

#include <gtest/gtest.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/room_presence.hpp"

using namespace draft;

TEST(room_presence, sums_this_node_and_the_followers_reports) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  auto a = system.spawn([] { return caf::behavior{[](int) {}}; });
  auto b = system.spawn([] { return caf::behavior{[](int) {}}; });
  room_presence room;
  room.join("t1");
  room.join("t1");
  room.join("");
  room.leave("t1");
  room.leave("");
  room.leave(""); // never below zero
  presence_counts ra;
  ra.teams = {{"t1", 2}, {"t2", 1}};
  ra.viewers = 5;
  room.set_remote(a.address(), ra);
  presence_counts rb;
  rb.viewers = 1;
  room.set_remote(b.address(), rb);
  auto sum = room.total();
  EXPECT_EQ(sum.teams, (std::map<std::string, std::int32_t>{{"t1", 3}, {"t2", 1}}));
  EXPECT_EQ(sum.viewers, 6);
  room.drop_remote(a.address());
  EXPECT_EQ(room.total().viewers, 1);
  EXPECT_EQ(room.total().teams, (std::map<std::string, std::int32_t>{{"t1", 1}}));
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
}

TEST(room_presence, keeps_a_report_within_bounds) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  auto a = system.spawn([] { return caf::behavior{[](int) {}}; });
  presence_counts huge;
  for (int i = 0; i < 10000; ++i)
    huge.teams["team-" + std::to_string(i)] = 1;
  huge.teams["bad-negative"] = -7;
  huge.teams[std::string(1000, 'x')] = 1;
  huge.viewers = -3;
  room_presence room;
  room.set_remote(a.address(), huge);
  auto sum = room.total();
  EXPECT_EQ(sum.teams.size(), room_presence::max_reported_teams);
  EXPECT_EQ(sum.viewers, 0);
  for (auto& [team, n] : sum.teams) {
    EXPECT_GT(n, 0) << team;
    EXPECT_LE(team.size(), room_presence::max_team_id_length);
  }
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}
