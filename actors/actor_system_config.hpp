#pragma once

#include <caf/actor_system_config.hpp>

namespace draft {

/// The CAF configuration every gateway process starts from: it registers the
/// project's type-id block (actors/gateway_types.hpp) and loads the
/// middleman, so every wire type can cross a node boundary.
class gateway_system_config : public caf::actor_system_config {
public:
  gateway_system_config();
};

} // namespace draft
