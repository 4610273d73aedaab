#pragma once

// The timer-tick actor: once a second it sends (tick_atom) to every draft
// actor that registered itself (those with a pick on the clock). Each draft
// actor then broadcasts a TimerTick computed from the server clock.
//
// Handlers:
//   (register_atom, actor_addr)    a draft actor went IN_PROGRESS
//   (unregister_atom, actor_addr)  it left IN_PROGRESS or stopped
//   (status_atom)                  -> actor_status

#include <chrono>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace draft {

caf::actor spawn_timer_tick(caf::actor_system& system,
                            std::chrono::milliseconds interval
                            = std::chrono::seconds(1));

} // namespace draft
