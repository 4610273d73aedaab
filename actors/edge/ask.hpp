#pragma once

#include <chrono>
#include <functional>

#include <caf/all.hpp>

#include "actors/edge/gateway_context.hpp"

namespace draft {

template <class Result, class Handle, class... Ts>
void ask(caf::actor_system& system, const Handle& target,
         std::function<void(Result)> on_result,
         std::function<void(const caf::error&)> on_error, Ts... xs) {
  system.spawn([=](caf::event_based_actor* self) {
    self->request(target, std::chrono::seconds(10), xs...)
      .then([=](Result& r) { on_result(std::move(r)); },
            [=](caf::error& e) { on_error(e); });
  });
}

} // namespace draft
