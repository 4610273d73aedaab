// The admin actor on its own (one actor system, no network): it reports what
// the actors it watches answer, with their kinds and rates, and an actor that
// does not answer its status request as stuck.

#include <chrono>
#include <thread>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actors/actor_system_config.hpp"
#include "actors/admin_actor.hpp"
#include "actors/gateway_messages.hpp"
#include "actors/gateway_types.hpp"

namespace draft {
namespace {

using namespace std::chrono_literals;

// Answers its status, having handled 10 more messages each time.
caf::behavior busy_actor(caf::stateful_actor<std::uint64_t>* self) {
  return {[=](status_atom) -> actor_status {
    self->state += 10;
    return {"busy", "socket", 0, self->state,
            {{"connection", "n1-1"}, {"draft_id", "d1"}}};
  }};
}

// Never answers (a promise kept and not delivered): a stuck actor.
caf::behavior silent_actor(caf::event_based_actor* self) {
  auto kept = std::make_shared<std::vector<caf::response_promise>>();
  return {[=](status_atom) -> caf::result<actor_status> {
    kept->push_back(self->make_response_promise());
    return kept->back();
  }};
}

// A directory with one draft actor.
caf::behavior fake_directory(caf::event_based_actor*, caf::actor draft) {
  return {[=](actors_atom) {
    return std::vector<draft_actor_api>{caf::actor_cast<draft_actor_api>(draft)};
  }};
}

caf::behavior draft_like(caf::event_based_actor*) {
  return {[](status_atom) -> actor_status {
    return {"draft-d1", "draft", 0, 1, {{"subscribers", "2"}}};
  }};
}

struct admin_actor_test : testing::Test {
  gateway_system_config config;
  caf::actor_system system{config};

  node_report report(const admin_api& admin, const std::string& sort = "name",
                     const std::string& kind = "") {
    caf::scoped_actor self{system};
    node_report out;
    self->request(admin, 5s, report_atom::value, sort, std::int32_t{0}, kind,
                  std::string{})
      .receive([&](node_report& r) { out = std::move(r); },
               [](caf::error&) { ADD_FAILURE() << "no report"; });
    return out;
  }
};

TEST_F(admin_actor_test, reports_kinds_rates_and_stuck_actors) {
  auto draft = system.spawn(draft_like);
  auto directory = caf::actor_cast<directory_api>(system.spawn(fake_directory, draft));
  auto busy = system.spawn(busy_actor);
  auto silent = system.spawn(silent_actor);
  auto admin = spawn_admin_actor(system, {"n1", directory, 100ms, 100ms, 10});
  caf::anon_send(admin, register_atom::value, caf::actor_cast<socket_api>(busy),
                 socket_atom::value);
  caf::anon_send(admin, register_atom::value, caf::actor_cast<status_api>(silent));
  node_report r;
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(50ms);
    r = report(admin);
    if (r.stuck == 1 && r.actors.size() == 3 && !r.samples.empty()) {
      bool rated = false;
      for (auto& a : r.actors)
        rated = rated || (a.status.name == "busy" && a.rate > 0);
      if (rated)
        break;
    }
  }
  EXPECT_EQ(r.node, "n1");
  EXPECT_EQ(r.stuck, 1u);
  EXPECT_EQ(r.actor_counts["socket"], 1u);
  EXPECT_EQ(r.actor_counts["draft"], 1u);
  ASSERT_EQ(r.actors.size(), 3u);
  for (auto& a : r.actors) {
    if (a.status.name == "busy") {
      EXPECT_FALSE(a.stuck);
      EXPECT_GT(a.rate, 0); // 10 messages between two answers
    } else if (a.status.name == "draft-d1") {
      EXPECT_FALSE(a.stuck);
    } else {
      EXPECT_TRUE(a.stuck) << a.status.name; // the silent one
    }
  }
  EXPECT_FALSE(r.samples.empty());
  EXPECT_GT(r.rss_bytes, 0);
  // Filtered by kind.
  auto sockets = report(admin, "rate", "socket");
  ASSERT_EQ(sockets.actors.size(), 1u);
  EXPECT_EQ(sockets.actors[0].status.name, "busy");
  // An actor that goes away is forgotten.
  caf::anon_send_exit(busy, caf::exit_reason::user_shutdown);
  for (int i = 0; i < 100 && report(admin).actor_counts["socket"] != 0; ++i)
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(report(admin).actor_counts.count("socket"), 0u);
  for (auto& a : {caf::actor_cast<caf::actor>(admin),
                 caf::actor_cast<caf::actor>(directory), draft, silent})
    caf::anon_send_exit(a, caf::exit_reason::kill);
}

} // namespace
} // namespace draft
