#include "actors/timer_tick.hpp"

#include <set>

#include <caf/all.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/gateway_messages.hpp"
#include "actors/actor_interfaces.hpp"

namespace draft {

namespace {

struct timer_state {
  std::set<caf::actor_addr> drafts;
  std::uint64_t ticks = 0;
  static inline const char* name = "timer-tick";
};

timer_api::behavior_type timer_tick(timer_api::stateful_pointer<timer_state> self,
                                    std::chrono::milliseconds interval) {
  // The timer re-arms itself after each round, so rounds never overlap.
  self->send(self, tick_atom::value);
  return {
    [=](register_atom, const caf::actor_addr& draft) {
      self->state.drafts.insert(draft);
    },
    [=](unregister_atom, const caf::actor_addr& draft) {
      self->state.drafts.erase(draft);
    },
    [=](tick_atom) {
      ++self->state.ticks;
      for (auto& addr : self->state.drafts)
        if (auto draft = caf::actor_cast<draft_actor_api>(addr))
          self->send(draft, tick_atom::value);
      self->delayed_send(self, interval, tick_atom::value);
    },
    [=](status_atom) -> actor_status {
      return {"timer-tick", "timer", self->mailbox().size(), self->state.ticks,
              {{"drafts", std::to_string(self->state.drafts.size())}}};
    },
  };
}

} // namespace

timer_api spawn_timer_tick(caf::actor_system& system,
                           std::chrono::milliseconds interval) {
  return system.spawn(timer_tick, interval);
}

} // namespace draft
