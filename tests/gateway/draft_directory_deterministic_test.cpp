// The draft directory on CAF's deterministic test coordinator, with real
// draft actors over a scripted database, poller and peer: one actor per
// draft, unknown ids refused (and remembered a while, without a query),
// ownership recomputed when the members change and told to the draft actors
// (which register with the poller or follow the owner), an operator's
// restart, and a stopped actor forgotten. No sleeps.

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

#include "actors/draft_directory.hpp"
#include "deterministic_support.hpp"
#include "draft_actor_support.hpp"
#include "runtime/ownership.hpp"

using namespace draft;
using namespace draft::test;
using namespace std::chrono_literals;

namespace {

struct recorded {
  std::vector<std::string> loads;        // database: drafts loaded
  std::set<std::string> exists;          // database: drafts that exist
  std::vector<std::string> registered;   // poller: register, in order
  std::vector<std::string> unregistered; // poller: unregister, in order
  std::vector<std::string> asked_n2;     // n2's membership: draft actors asked for
};

caf::behavior scripted_database(caf::event_based_actor*,
                                std::shared_ptr<recorded> r) {
  return {
    [=](load_atom, const std::string& id) {
      r->loads.push_back(id);
      draft_load loaded;
      loaded.found = r->exists.count(id) > 0;
      loaded.snapshot.draft_id = id;
      loaded.snapshot.status = draft_status::paused;
      return loaded;
    },
  };
}

caf::behavior recording_poller(caf::event_based_actor*,
                               std::shared_ptr<recorded> r) {
  return {
    [=](register_atom, const std::string& id, std::int64_t,
        const draft_actor_api&) { r->registered.push_back(id); },
    [=](unregister_atom, const std::string& id) {
      r->unregistered.push_back(id);
    },
  };
}

// Node n2's membership actor: asked for its draft actor, it has none yet.
caf::behavior peer_membership(caf::event_based_actor*,
                              std::shared_ptr<recorded> r) {
  return {
    [=](caf::get_atom, const std::string& id) -> caf::result<caf::actor> {
      r->asked_n2.push_back(id);
      return caf::make_error(caf::sec::runtime_error, "not yet");
    },
  };
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return s;
}

// A draft id that n2 owns once both nodes are live.
std::string owned_by_n2() {
  for (int i = 0; i < 100; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", i);
    if (owner_of(id, {"n1", "n2"}) == "n2")
      return id;
  }
  return {};
}

struct draft_directory_deterministic : deterministic_test {
  std::shared_ptr<recorded> r = std::make_shared<recorded>();
  directory_api directory;
  membership_api n2;

  void SetUp() override {
    draft_actor_config c;
    c.database = caf::actor_cast<database_api>(
      keep(system.spawn(scripted_database, r)));
    c.poller = caf::actor_cast<poller_api>(keep(system.spawn(recording_poller, r)));
    c.timer = caf::actor_cast<timer_api>(keep(system.spawn(ignore_all)));
    c.node_id = "n1";
    directory = keep(spawn_draft_directory(system, c));
    n2 = caf::actor_cast<membership_api>(keep(system.spawn(peer_membership, r)));
    sched.run();
  }

  std::optional<draft_actor_api> get(const std::string& id) {
    auto found = ask<draft_actor_api>(directory, caf::get_atom::value, id);
    if (found)
      keep(*found);
    return found;
  }

  std::vector<std::string> live_drafts() {
    return ask<std::vector<std::string>>(directory, caf::get_atom::value)
      .value_or(std::vector<std::string>{"(no answer)"});
  }

  void members(std::vector<std::string> live) {
    membership_view view;
    view.live = std::move(live);
    view.nodes["n2"] = n2;
    caf::anon_send(directory, members_atom::value, view);
    sched.run();
  }
};

TEST_F(draft_directory_deterministic, an_unknown_draft_is_refused_and_remembered_for_a_while) {
  EXPECT_FALSE(get(draft_id));
  EXPECT_NE(system.render(error).find("unknown draft " + draft_id), std::string::npos)
    << system.render(error);
  EXPECT_FALSE(get(draft_id));
  EXPECT_EQ(r->loads.size(), 1u); // the second refusal made no query
  EXPECT_FALSE(get("not-a-uuid"));
  EXPECT_EQ(r->loads.size(), 1u);
  // Created meanwhile: asked after the memory's two seconds, it is found.
  r->exists.insert(draft_id);
  pass(2s);
  EXPECT_TRUE(get(draft_id));
  EXPECT_EQ(r->loads.size(), 2u);
  EXPECT_EQ(live_drafts(), (std::vector<std::string>{draft_id}));
}

TEST_F(draft_directory_deterministic, one_actor_per_draft_whatever_the_case_of_its_id) {
  r->exists.insert(draft_id);
  auto first = get(draft_id);
  auto second = get(upper(draft_id));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->address(), second->address());
  EXPECT_EQ(r->loads.size(), 1u);
  EXPECT_EQ(r->registered, (std::vector<std::string>{draft_id})); // owner: n1
}

TEST_F(draft_directory_deterministic, a_change_of_members_moves_ownership_and_tells_the_draft) {
  auto id = owned_by_n2();
  ASSERT_FALSE(id.empty());
  r->exists.insert(id);
  ASSERT_TRUE(get(id));
  EXPECT_EQ(ask<std::string>(directory, owner_atom::value, id), "n1");
  EXPECT_EQ(r->registered, (std::vector<std::string>{id}));

  members({"n1", "n2"});
  EXPECT_EQ(ask<std::string>(directory, owner_atom::value, upper(id)), "n2");
  EXPECT_EQ(ask<std::vector<std::string>>(directory, owner_atom::value,
                                          std::vector<std::string>{id, draft_id}),
            (std::vector<std::string>{"n2", owner_of(draft_id, {"n1", "n2"})}));
  // The draft actor gave up its outbox reads and asks n2 for the owner's
  // draft actor (again a second later, as n2 has none yet).
  EXPECT_EQ(r->unregistered, (std::vector<std::string>{id}));
  ASSERT_EQ(r->asked_n2.size(), 1u);
  pass(1s);
  EXPECT_EQ(r->asked_n2.size(), 2u);

  // n2 goes: n1 owns the draft again and reads its outbox.
  members({"n1"});
  EXPECT_EQ(ask<std::string>(directory, owner_atom::value, id), "n1");
  EXPECT_EQ(r->registered, (std::vector<std::string>{id, id}));
  pass(1s);
  EXPECT_EQ(r->asked_n2.size(), 2u); // no longer following
}

TEST_F(draft_directory_deterministic, a_restart_stops_an_owned_draft_actor_which_is_loaded_anew_next_time) {
  r->exists.insert(draft_id);
  auto first = get(draft_id);
  ASSERT_TRUE(first);
  auto gone = watch(*first);
  EXPECT_EQ(ask<bool>(directory, restart_atom::value, upper(draft_id),
                      std::string{"ops"}),
            true);
  EXPECT_TRUE(*gone);
  EXPECT_TRUE(live_drafts().empty()); // forgotten once it stopped
  auto second = get(draft_id);
  ASSERT_TRUE(second);
  EXPECT_NE(first->address(), second->address());
  EXPECT_EQ(r->loads.size(), 2u);
  // Not this node's draft any more: no restart here.
  auto id = owned_by_n2();
  r->exists.insert(id);
  ASSERT_TRUE(get(id));
  members({"n1", "n2"});
  EXPECT_EQ(ask<bool>(directory, restart_atom::value, id, std::string{"ops"}),
            false);
  EXPECT_EQ(ask<bool>(directory, restart_atom::value,
                      std::string{"00000000-0000-4000-8000-999999999999"},
                      std::string{"ops"}),
            false); // no actor for it here
}

} // namespace
