#include "actors/actor_system_config.hpp"

#include <caf/io/middleman.hpp>

#include "actors/gateway_types.hpp"

namespace draft {

gateway_system_config::gateway_system_config() {
  add_message_types<caf::id_block::draft_gateway>();
  load<caf::io::middleman>();
}

} // namespace draft
