#pragma once

// What the tests on CAF's deterministic test coordinator share: a system
// whose scheduler runs nothing until the test says so (sched.run()) and
// whose time passes only by sched.advance_time(), and helpers to keep,
// watch and stop the actors a test spawns.

#include <memory>
#include <vector>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

#include "actors/actor_interfaces.hpp"
#include "actors/gateway_types.hpp"

namespace draft::test {

struct testing_config : caf::actor_system_config {
  testing_config() {
    add_message_types<caf::id_block::draft_gateway>();
    add_message_types<caf::id_block::draft_actors>();
    set("scheduler.policy", caf::atom("testing"));
  }
};

struct deterministic_test : testing::Test {
  testing_config config;
  caf::actor_system system{config};
  caf::scheduler::test_coordinator& sched =
    dynamic_cast<caf::scheduler::test_coordinator&>(system.scheduler());
  std::vector<caf::actor> spawned;

  /// Stopped at the end of the test.
  template <class Handle>
  Handle keep(Handle a) {
    spawned.push_back(caf::actor_cast<caf::actor>(a));
    return a;
  }

  void TearDown() override {
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
  }

  /// Lets `d` of actor time pass, running what falls due on the way.
  template <class Duration>
  void pass(Duration d) {
    sched.advance_time(d);
    sched.run();
  }

  /// True once `a` has stopped (a watcher saw it go).
  template <class Handle>
  std::shared_ptr<bool> watch(const Handle& a) {
    auto gone = std::make_shared<bool>(false);
    auto target = caf::actor_cast<caf::actor>(a);
    keep(system.spawn([=](caf::event_based_actor* self) {
      self->monitor(target);
      self->set_down_handler([=](caf::down_msg&) { *gone = true; });
      return caf::behavior{[](caf::ok_atom) {}};
    }));
    sched.run();
    return gone;
  }

  /// Asks `target` and runs everything; the answer, or nothing if it failed
  /// (then `error` holds why).
  template <class T, class Handle, class... Ts>
  std::optional<T> ask(const Handle& target, Ts... xs) {
    auto out = std::make_shared<std::optional<T>>();
    auto failed = std::make_shared<caf::error>();
    keep(system.spawn([=](caf::event_based_actor* self) {
      self->request(target, caf::infinite, xs...)
        .then([=](T& answer) { *out = std::move(answer); },
              [=](caf::error& err) { *failed = std::move(err); });
      return caf::behavior{[](caf::ok_atom) {}};
    }));
    sched.run();
    error = *failed;
    return *out;
  }

  caf::error error;
};

} // namespace draft::test
