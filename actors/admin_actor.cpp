#include "actors/admin_actor.hpp"
#include "actors/admin_state.hpp"

#include <algorithm>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <caf/all.hpp>
#include <unistd.h>

#include "actors/gateway_messages.hpp"
#include "actors/gateway_metrics.hpp"
#include "actors/gateway_types.hpp"
#include "runtime/logger.hpp"

namespace draft {

namespace admin_impl {

namespace {

// Asks every node's admin actor `xs...` (answered with an R) and combines the
// answers; a node that does not answer is combined as null.
template <class R, class T, class Combine, class... Ts>
void gather(self_ptr self, caf::typed_response_promise<T> promise, T initial,
            Combine combine, Ts... xs) {
  auto targets = admins(self);
  struct pending {
    T result;
    std::size_t left;
  };
  auto acc = std::make_shared<pending>(pending{std::move(initial), targets.size()});
  for (auto& [node, admin] : targets) {
    auto id = node;
    auto finish = [=]() mutable {
      if (--acc->left == 0)
        promise.deliver(acc->result);
    };
    self->request(admin, 3s, xs...)
      .then(
        [=](R& answer) mutable {
          combine(acc->result, id, &answer);
          finish();
        },
        [=](caf::error&) mutable {
          combine(acc->result, id, nullptr);
          finish();
        });
  }
}

void any_true(bool& any, const std::string&, bool* answer) {
  any = any || (answer && *answer);
}

admin_api::behavior_type admin_actor(self_ptr self,
                                     admin_actor_config config) {
  self->state.config = std::move(config);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    auto forget = [&](auto& set) {
      for (auto it = set.begin(); it != set.end(); ++it)
        if (it->address() == msg.source) {
          set.erase(it);
          return;
        }
    };
    forget(st.registered);
    st.sockets.erase(msg.source);
    st.actors.erase(msg.source);
  });
  self->set_error_handler([=](caf::error&) {});
  self->send(self, tick_atom::value);
  return {
    [=](tick_atom) { round(self); },
    [=](register_atom, status_api& a) {
      if (a && self->state.registered.insert(a).second)
        self->monitor(a);
    },
    [=](register_atom, socket_api& a, socket_atom) {
      if (a && self->state.sockets.emplace(a.address(), a).second)
        self->monitor(a);
    },
    [=](members_atom, membership_view& view) {
      auto& st = self->state;
      st.view = std::move(view);
      std::map<std::string, admin_peer_api> keep;
      for (auto& [id, admin] : st.peers)
        if (std::count(st.view.live.begin(), st.view.live.end(), id))
          keep.emplace(id, admin);
      st.peers = std::move(keep);
      find_peers(self);
    },
    [=](report_atom, const std::string& sort, std::int32_t limit,
        const std::string& kind, const std::string& draft)
      -> caf::result<node_report> {
      ++self->state.handled;
      auto promise = self->make_response_promise<node_report>();
      with_fresh_status(self, [=]() mutable {
        promise.deliver(make_report(self, sort, limit, kind, draft));
      });
      return promise;
    },
    [=](shutdown_atom, const std::string& connection, const std::string& by,
        const std::string& role) -> caf::result<bool> {
      ++self->state.handled;
      if (!may_act(self, "disconnect " + connection, by, role))
        return false;
      auto promise = self->make_response_promise<bool>();
      with_fresh_status(self, [=]() mutable {
        auto& st = self->state;
        for (auto& [addr, w] : st.actors) {
          if (w.report.status.kind != "socket"
              || detail(w.report.status, "connection") != connection)
            continue;
          auto socket = st.sockets.find(addr);
          if (socket != st.sockets.end()) {
            self->send(socket->second, shutdown_atom::value, by);
            promise.deliver(true);
            return;
          }
        }
        promise.deliver(false);
      });
      return promise;
    },
    [=](restart_atom, const std::string& draft, const std::string& by,
        const std::string& role) -> caf::result<bool> {
      // The directory knows whether this node owns the draft.
      ++self->state.handled;
      if (!may_act(self, "restart " + draft, by, role))
        return false;
      return self->delegate(self->state.config.directory, restart_atom::value,
                            draft, by);
    },
    [=](level_atom, const std::string& component, const std::string& level,
        const std::string& by, const std::string& role) -> bool {
      ++self->state.handled;
      if (!may_act(self, "log level " + component + "=" + level, by, role))
        return false;
      log_level parsed;
      if (!parse_log_level(level, parsed) || !logger::set_level(component, parsed))
        return false;
      logger::get("admin").warn("log level changed by an operator",
                                {{"component", component},
                                 {"level", level},
                                 {"by", by}});
      return true;
    },
    [=](cluster_atom, report_atom, const std::string& sort, std::int32_t limit,
        const std::string& kind, const std::string& draft) {
      auto promise = self->make_response_promise<std::vector<node_report>>();
      gather<node_report>(
             self, promise, std::vector<node_report>{},
             [](std::vector<node_report>& out, const std::string& node,
                node_report* answer) {
               if (answer) {
                 out.push_back(*answer);
               } else {
                 node_report missing;
                 missing.node = node;
                 missing.error = "the node's admin actor did not answer";
                 out.push_back(missing);
               }
             },
             report_atom::value, sort, limit, kind, draft);
      return promise;
    },
    [=](cluster_atom, shutdown_atom, const std::string& id,
        const std::string& by, const std::string& role) {
      auto promise = self->make_response_promise<bool>();
      gather<bool>(self, promise, false, any_true, shutdown_atom::value, id,
                   by, role);
      return promise;
    },
    [=](cluster_atom, restart_atom, const std::string& id,
        const std::string& by, const std::string& role) {
      auto promise = self->make_response_promise<bool>();
      gather<bool>(self, promise, false, any_true, restart_atom::value, id,
                   by, role);
      return promise;
    },
    [=](cluster_atom, level_atom, const std::string& component,
        const std::string& level, const std::string& by,
        const std::string& role) {
      auto promise = self->make_response_promise<bool>();
      gather<bool>(self, promise, true,
                   [](bool& all, const std::string&, bool* answer) {
                     all = all && answer && *answer;
                   },
                   level_atom::value, component, level, by, role);
      return promise;
    },
    [=](status_atom) -> actor_status {
      auto& st = self->state;
      return {"admin", "admin", self->mailbox().size(), st.handled,
              {{"watched", std::to_string(st.actors.size())},
               {"peers", std::to_string(st.peers.size())}}};
    },
  };
}

} // namespace

} // namespace admin_impl

admin_api spawn_admin_actor(caf::actor_system& system,
                             admin_actor_config config) {
  return system.spawn(admin_impl::admin_actor, std::move(config));
}

} // namespace draft
