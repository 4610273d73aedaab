// The membership actor on CAF's deterministic test coordinator, with its
// peers played by test actors (a plaintext cluster, so no hello): a peer
// that dials in is heard and counts live, the directory is told each change
// of the live set, a frozen peer drops out after the peer timeout and not
// before, a killed one at once, an unknown node id is refused, and start-up
// readiness waits for every peer to be tried. Time passes when the test
// says so. (Certificates, forged ids and real networks: the cluster e2e
// tests.)

#include <memory>

#include "actors/membership.hpp"
#include "deterministic_support.hpp"
#include "draft_actor_support.hpp"

using namespace draft;
using namespace draft::test;
using namespace std::chrono_literals;

namespace {

// A peer node's membership actor, as far as this node talks to it.
struct peer_script {
  std::string id;
  bool silent = false;         // stops answering heartbeats (frozen)
  int asked = 0;               // heartbeats this node sent it
  std::vector<std::string> answers; // what its own heartbeats got back
  std::vector<caf::response_promise> unanswered;
};

caf::behavior peer(caf::event_based_actor* self, std::shared_ptr<peer_script> s) {
  return {
    [=](heartbeat_atom, const std::string&,
        const std::vector<std::string>&) -> caf::result<caf::message> {
      ++s->asked;
      if (s->silent) {
        s->unanswered.push_back(self->make_response_promise());
        return s->unanswered.back();
      }
      return caf::make_message(s->id, std::vector<std::string>{s->id},
                               std::int64_t{42});
    },
    // The test: dial `target` (the first heartbeat of a node that dials).
    [=](caf::join_atom, const membership_api& target) {
      self->request(target, caf::infinite, heartbeat_atom::value, s->id,
                    std::vector<std::string>{s->id})
        .then(
          [=](std::string& from, std::vector<std::string>&, std::int64_t) {
            s->answers.push_back("answered by " + from);
          },
          [=](caf::error& err) {
            s->answers.push_back(self->system().render(err));
          });
    },
  };
}

// The directory: records every view it is given; has one draft actor.
struct directory_script {
  std::vector<std::vector<std::string>> views;
  caf::actor draft;
};

caf::behavior directory(caf::event_based_actor*,
                        std::shared_ptr<directory_script> s) {
  return {
    [=](members_atom, const membership_view& v) { s->views.push_back(v.live); },
    [=](caf::get_atom, const std::string&) {
      return caf::actor_cast<draft_actor_api>(s->draft);
    },
  };
}

struct membership_deterministic : deterministic_test {
  std::shared_ptr<directory_script> dir = std::make_shared<directory_script>();
  std::shared_ptr<peer_script> n1 = std::make_shared<peer_script>();
  std::shared_ptr<peer_script> n2 = std::make_shared<peer_script>();
  caf::actor n1_actor, n2_actor;
  membership_api n3;

  // Node n3 of {n1, n2, n3}: the largest id, so its peers dial it.
  void SetUp() override {
    n1->id = "n1";
    n2->id = "n2";
    dir->draft = keep(system.spawn(ignore_all));
    membership_config c;
    c.node_id = "n3";
    c.nodes = {{"n1", "127.0.0.1", 8081, 9081, "", ""},
               {"n2", "127.0.0.1", 8082, 9082, "", ""},
               {"n3", "127.0.0.1", 8083, 9083, "", ""}};
    c.heartbeat_interval = 1s;
    c.peer_timeout = 3s;
    c.directory = caf::actor_cast<directory_api>(keep(system.spawn(directory, dir)));
    n3 = keep(spawn_membership(system, c));
    n1_actor = keep(system.spawn(peer, n1));
    n2_actor = keep(system.spawn(peer, n2));
    sched.run();
  }

  void dial(const caf::actor& from) {
    caf::anon_send(from, caf::join_atom::value, n3);
    sched.run();
  }

  std::vector<std::string> last_view() const {
    return dir->views.empty() ? std::vector<std::string>{} : dir->views.back();
  }

  std::string status_of(const std::string& id) {
    auto members = ask<std::vector<member_status>>(n3, members_atom::value);
    if (members)
      for (auto& m : *members)
        if (m.id == id)
          return m.status;
    return "(missing)";
  }
};

TEST_F(membership_deterministic, a_peer_that_dials_in_is_heard_and_counts_live) {
  EXPECT_EQ(status_of("n3"), "self");
  EXPECT_EQ(status_of("n1"), "down");
  dial(n1_actor);
  // Its first heartbeat is refused until this node has heard it answer.
  ASSERT_EQ(n1->answers.size(), 1u);
  EXPECT_NE(n1->answers[0].find("say hello first"), std::string::npos)
    << n1->answers[0];
  EXPECT_GE(n1->asked, 1);
  EXPECT_EQ(last_view(), (std::vector<std::string>{"n1", "n3"}));
  EXPECT_EQ(status_of("n1"), "alive");
  dial(n1_actor);
  EXPECT_EQ(n1->answers.back(), "answered by n3");
}

TEST_F(membership_deterministic, a_frozen_peer_drops_out_after_the_peer_timeout) {
  dial(n1_actor);
  dial(n2_actor);
  EXPECT_EQ(last_view(), (std::vector<std::string>{"n1", "n2", "n3"}));
  pass(1s); // a round: both answer
  n1->silent = true;
  auto views = dir->views.size();
  pass(1s);
  pass(1s);
  EXPECT_EQ(dir->views.size(), views); // within the timeout: still live
  EXPECT_EQ(status_of("n1"), "alive");
  for (int i = 0; i < 3; ++i)
    pass(1s);
  EXPECT_EQ(last_view(), (std::vector<std::string>{"n2", "n3"}));
  EXPECT_EQ(status_of("n1"), "down");
  EXPECT_EQ(status_of("n2"), "alive");
  // It thaws: heard again at the next round.
  n1->silent = false;
  pass(1s);
  EXPECT_EQ(last_view(), (std::vector<std::string>{"n1", "n2", "n3"}));
}

TEST_F(membership_deterministic, a_killed_peer_is_out_at_once) {
  dial(n1_actor);
  EXPECT_EQ(last_view(), (std::vector<std::string>{"n1", "n3"}));
  caf::anon_send_exit(n1_actor, caf::exit_reason::kill);
  sched.run();
  EXPECT_EQ(last_view(), (std::vector<std::string>{"n3"}));
}

TEST_F(membership_deterministic, a_heartbeat_from_a_node_not_in_the_file_is_refused) {
  auto stranger = std::make_shared<peer_script>();
  stranger->id = "n9";
  dial(keep(system.spawn(peer, stranger)));
  ASSERT_EQ(stranger->answers.size(), 1u);
  EXPECT_NE(stranger->answers[0].find("not a node of this cluster"),
            std::string::npos)
    << stranger->answers[0];
  EXPECT_TRUE(dir->views.empty());
}

TEST_F(membership_deterministic, start_up_waits_until_every_peer_was_tried) {
  auto ready = std::make_shared<std::optional<bool>>();
  keep(system.spawn([=](caf::event_based_actor* self) {
    self->request(n3, caf::infinite, ready_atom::value)
      .then([=](bool b) { *ready = b; });
    return caf::behavior{[](caf::ok_atom) {}};
  }));
  sched.run();
  EXPECT_FALSE(*ready);
  dial(n1_actor); // heard: tried
  EXPECT_FALSE(*ready);
  // n2 never dials: after three rounds it counts as tried (down).
  pass(1s);
  pass(1s);
  EXPECT_FALSE(*ready);
  pass(1s);
  pass(1s);
  ASSERT_TRUE(*ready);
  EXPECT_TRUE(**ready);
}

TEST_F(membership_deterministic, a_members_draft_actor_request_reaches_the_directory) {
  auto found = ask<caf::actor>(n3, caf::get_atom::value, draft_id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->address(), dir->draft.address());
}

} // namespace
