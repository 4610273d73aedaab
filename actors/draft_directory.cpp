#include "actors/draft_directory.hpp"

#include <deque>
#include <map>

#include <caf/all.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/gateway_messages.hpp"
#include "protocol/uuid.hpp"
#include "actors/gateway_types.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"
#include "runtime/ownership.hpp"

namespace draft {

namespace {

using namespace std::chrono_literals;

struct local_draft {
  draft_actor_api actor;
  std::string owner;     ///< as last told to the actor
  membership_api owner_node; ///< the owner's membership actor, as last told
};

// Draft ids recently found not to exist: asked again within the TTL, they are
// refused without a database query. Bounded: the oldest go first.
struct unknown_ids {
  static constexpr std::size_t capacity = 10000;
  static constexpr auto ttl = std::chrono::seconds(2); // a draft may be created

  bool contains(const std::string& id, std::chrono::steady_clock::time_point now) {
    auto it = seen.find(id);
    return it != seen.end() && now - it->second < ttl;
  }
  void add(const std::string& id, std::chrono::steady_clock::time_point now) {
    if (seen.emplace(id, now).second)
      order.push_back(id);
    else
      seen[id] = now;
    while (order.size() > capacity) {
      seen.erase(order.front());
      order.pop_front();
    }
  }

  std::map<std::string, std::chrono::steady_clock::time_point> seen;
  std::deque<std::string> order;
};

struct directory_state {
  draft_actor_config config;
  unknown_ids unknown;
  std::map<std::string, local_draft> drafts;
  std::map<caf::actor_addr, std::string> ids;
  membership_view members;
  std::uint64_t handled = 0;
  static inline const char* name = "draft-directory";

  std::string owner(const std::string& draft_id) const {
    return owner_of(draft_id, members.live);
  }

  // Tells a draft actor its owner node (and that node's membership actor,
  // through which it finds the owner's draft actor).
  void tell_owner(local_draft& d, const std::string& draft_id) {
    auto owner_id = owner(draft_id);
    d.owner = owner_id;
    membership_api node;
    if (auto it = members.nodes.find(owner_id); it != members.nodes.end())
      node = it->second;
    d.owner_node = node;
    caf::anon_send(d.actor, owner_atom::value, owner_id, node);
  }

  void publish_count() {
    static auto& live = default_metrics().get_gauge(
      "gateway_draft_actors", "Draft actors alive on this node.");
    live.set(static_cast<double>(drafts.size()));
  }
};

directory_api::behavior_type
draft_directory(directory_api::stateful_pointer<directory_state> self,
                draft_actor_config config) {
  self->state.config = std::move(config);
  // Until a membership actor says otherwise this node is alone (and owns
  // every draft): that is the single-node gateway.
  self->state.members.live = {self->state.config.node_id};
  self->set_down_handler([=](caf::down_msg& msg) {
    auto it = self->state.ids.find(msg.source);
    if (it == self->state.ids.end())
      return;
    auto found = self->state.drafts.find(it->second);
    if (found != self->state.drafts.end()
        && found->second.actor.address() == msg.source)
      self->state.drafts.erase(found);
    self->state.ids.erase(it);
    self->state.publish_count();
  });
  auto spawn_local = [=](const std::string& draft_id,
                         std::optional<draft_load> loaded = std::nullopt) {
    auto& st = self->state;
    auto actor = spawn_draft_actor(self->system(), st.config, draft_id,
                                   std::move(loaded));
    self->monitor(actor);
    st.ids[actor.address()] = draft_id;
    auto it = st.drafts.emplace(draft_id, local_draft{actor, "", {}}).first;
    st.tell_owner(it->second, draft_id);
    st.publish_count();
    return it->second.actor;
  };
  // The draft actor answers once loaded (or that the draft is unknown).
  auto answer_when_ready = [=](caf::typed_response_promise<draft_actor_api> promise,
                               draft_actor_api actor) {
    self->request(actor, 30s, ready_atom::value)
      .then([=](caf::ok_atom) mutable { promise.deliver(actor); },
            [=](caf::error& err) mutable { promise.deliver(std::move(err)); });
  };
  return {
    [=](caf::get_atom,
        const std::string& requested) -> caf::result<draft_actor_api> {
      // One actor per draft, whatever the case of the id's hex digits.
      auto draft_id = normalize_uuid(requested);
      auto& st = self->state;
      ++st.handled;
      // (A promise takes the request over: make one only to use it.)
      if (auto it = st.drafts.find(draft_id); it != st.drafts.end()) {
        auto promise = self->make_response_promise<draft_actor_api>();
        answer_when_ready(promise, it->second.actor);
        return promise;
      }
      auto unknown = caf::make_error(caf::sec::invalid_argument,
                                     "unknown draft " + draft_id);
      if (!is_uuid(draft_id)
          || st.unknown.contains(draft_id, self->clock().now()))
        return unknown;
      auto promise = self->make_response_promise<draft_actor_api>();
      // No actor for an id that does not exist: ask the database first (a
      // flood of made-up ids costs queries, never actors).
      self->request(st.config.database, 30s, load_atom::value, draft_id)
        .then(
          [=](draft_load& loaded) mutable {
            auto& st = self->state;
            if (!loaded.found) {
              st.unknown.add(draft_id, self->clock().now());
              promise.deliver(unknown);
              return;
            }
            auto it = st.drafts.find(draft_id); // asked twice meanwhile?
            auto actor = it != st.drafts.end() ? it->second.actor
                                               : spawn_local(draft_id, loaded);
            answer_when_ready(promise, actor);
          },
          [=](caf::error& err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
    [=](members_atom, membership_view& view) {
      // The live set changed: drafts whose owner moved are told so.
      auto& st = self->state;
      st.members = std::move(view);
      std::size_t moved = 0;
      for (auto& [id, d] : st.drafts) {
        auto node = st.members.nodes.find(d.owner);
        bool stale_handle = node == st.members.nodes.end()
                            || node->second != d.owner_node;
        if (st.owner(id) != d.owner || stale_handle) {
          st.tell_owner(d, id);
          ++moved;
        }
      }
      logger::get("directory").info("ownership recomputed",
                                    {{"drafts", st.drafts.size()},
                                     {"told", moved}});
    },
    [=](restart_atom, const std::string& draft_id, const std::string& by) {
      // An operator's restart: stop the owner's actor; it is rebuilt from
      // PostgreSQL when a client or a follower next asks for it.
      auto it = self->state.drafts.find(normalize_uuid(draft_id));
      if (it == self->state.drafts.end()
          || it->second.owner != self->state.config.node_id)
        return false;
      logger::get("admin").warn("draft actor restarted by an operator",
                                {{"draft_id", it->first}, {"by", by}});
      self->send_exit(it->second.actor, caf::exit_reason::user_shutdown);
      return true;
    },
    [=](actors_atom) {
      std::vector<draft_actor_api> out;
      for (auto& entry : self->state.drafts)
        out.push_back(entry.second.actor);
      return out;
    },
    [=](owner_atom, const std::string& draft_id) -> std::string {
      return self->state.owner(normalize_uuid(draft_id));
    },
    [=](owner_atom, const std::vector<std::string>& draft_ids) {
      // The admin API's question: the same answer, for several drafts.
      std::vector<std::string> owners;
      for (auto& id : draft_ids)
        owners.push_back(self->state.owner(normalize_uuid(id)));
      return owners;
    },
    [=](caf::get_atom) {
      std::vector<std::string> out;
      for (auto& entry : self->state.drafts)
        out.push_back(entry.first);
      return out;
    },
    [=](status_atom) -> actor_status {
      std::size_t owned = 0;
      for (auto& entry : self->state.drafts)
        owned += entry.second.owner == self->state.config.node_id;
      return {"draft-directory", "directory", self->mailbox().size(),
              self->state.handled,
              {{"drafts", std::to_string(self->state.drafts.size())},
               {"owned", std::to_string(owned)}}};
    },
  };
}

} // namespace

directory_api spawn_draft_directory(caf::actor_system& system,
                                 draft_actor_config config) {
  return system.spawn(draft_directory, std::move(config));
}

} // namespace draft
