#include "actors/actor_system_config.hpp"

#include <caf/io/middleman.hpp>

#include "actors/actor_interfaces.hpp"

namespace draft {

gateway_system_config::gateway_system_config() {
  add_message_types<caf::id_block::draft_gateway>();
  add_message_types<caf::id_block::draft_actors>();
  load<caf::io::middleman>();
}

} // namespace draft
