#pragma once

// The timer-tick actor: once a second it sends (tick_atom) to every draft
// actor that registered itself (those with a pick on the clock). Each draft
// actor then broadcasts a TimerTick computed from the server clock.
//
// Its interface is `timer_api` (actors/actor_interfaces.hpp).

#include <chrono>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/actor_interfaces.hpp"

namespace draft {

timer_api spawn_timer_tick(caf::actor_system& system,
                           std::chrono::milliseconds interval
                           = std::chrono::seconds(1));

} // namespace draft
