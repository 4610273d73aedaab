#include "actors/draft_directory.hpp"

#include <map>

#include <caf/all.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/gateway_messages.hpp"
#include "protocol/uuid.hpp"
#include "protocol/wire_types.hpp"
#include "runtime/metrics.hpp"

namespace draft {

namespace {

using namespace std::chrono_literals;

struct directory_state {
  draft_actor_config config;
  std::map<std::string, caf::actor> drafts;
  std::map<caf::actor_addr, std::string> ids;
  static inline const char* name = "draft-directory";

  void publish_count() {
    static auto& live = default_metrics().get_gauge(
      "gateway_draft_actors", "Draft actors alive on this node.");
    live.set(static_cast<double>(drafts.size()));
  }
};

caf::behavior draft_directory(caf::stateful_actor<directory_state>* self,
                              draft_actor_config config) {
  self->state.config = std::move(config);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto it = self->state.ids.find(msg.source);
    if (it == self->state.ids.end())
      return;
    auto found = self->state.drafts.find(it->second);
    if (found != self->state.drafts.end() && found->second.address() == msg.source)
      self->state.drafts.erase(found);
    self->state.ids.erase(it);
    self->state.publish_count();
  });
  return {
    [=](caf::get_atom, const std::string& requested) {
      // One actor per draft, whatever the case of the id's hex digits.
      auto draft_id = normalize_uuid(requested);
      auto& st = self->state;
      auto it = st.drafts.find(draft_id);
      if (it == st.drafts.end()) {
        auto actor = spawn_draft_actor(self->system(), st.config, draft_id);
        self->monitor(actor);
        st.ids[actor.address()] = draft_id;
        it = st.drafts.emplace(draft_id, actor).first;
        st.publish_count();
      }
      // The draft actor answers once loaded (or with "unknown draft").
      return self->delegate(it->second, ready_atom::value);
    },
    [=](caf::get_atom) {
      std::vector<std::string> out;
      for (auto& entry : self->state.drafts)
        out.push_back(entry.first);
      return out;
    },
    [=](status_atom) -> actor_status {
      return {"draft-directory", "directory", self->mailbox().size(), 0,
              {{"drafts", std::to_string(self->state.drafts.size())}}};
    },
  };
}

} // namespace

caf::actor spawn_draft_directory(caf::actor_system& system,
                                 draft_actor_config config) {
  return system.spawn(draft_directory, std::move(config));
}

} // namespace draft
