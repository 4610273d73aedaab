#include "actors/membership.hpp"

#include "actors/membership_state.hpp"
#include <algorithm>
#include <map>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include "actors/gateway_messages.hpp"
#include "actors/gateway_metrics.hpp"
#include "actors/gateway_types.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"
#include "runtime/node_credential.hpp"

namespace draft {

namespace membership_impl {

namespace {

membership_api::behavior_type membership(self_ptr self,
                                         membership_config config) {
  auto& st = self->state;
  st.config = std::move(config);
  st.started_at = now_utc();
  st.live = {st.config.node_id};
  for (auto& node : st.config.nodes)
    if (node.id != st.config.node_id)
      st.peers[node.id].node = node;
  self->set_down_handler([=](caf::down_msg& msg) {
    for (auto& [id, p] : self->state.peers)
      if (p.handle && p.handle.address() == msg.source) {
        logger::get("membership").warn("lost peer",
                                       {{"peer", id},
                                        {"reason",
                                         self->system().render(msg.reason)}});
        p.handle = nullptr;
        p.heard = false;
        p.authenticated = false;
      }
    update(self);
  });
  self->send(self, tick_atom::value);
  return {
    [=](tick_atom) { round(self); },
    [=](heartbeat_atom, const std::string& from,
        const std::vector<std::string>& view)
      -> caf::result<std::string, std::vector<std::string>, std::int64_t> {
      auto& st = self->state;
      ++st.handled;
      auto it = st.peers.find(from);
      auto sender = caf::actor_cast<membership_api>(self->current_sender());
      if (it == st.peers.end() || !sender) {
        refused("unknown_node").inc();
        return caf::make_error(caf::sec::request_receiver_down,
                               "not a node of this cluster");
      }
      auto& p = it->second;
      if (p.authenticated && sender->node() != p.caf_node) {
        // Another connection claims this node's id: refused, counted.
        refused("forged_node_id").inc();
        logger::get("membership").warn("refused a heartbeat claiming another "
                                       "node's id",
                                       {{"claims", from},
                                        {"from", to_string(sender->node())}});
        return caf::make_error(caf::sec::request_receiver_down,
                               "not node " + from);
      }
      if (!p.authenticated) {
        // A node that dialled us: it must prove who it is first.
        if (!p.handle || p.handle.address() != sender.address()) {
          if (p.handle)
            self->demonitor(p.handle.address());
          p.handle = sender;
          self->monitor(sender);
          logger::get("membership").info("peer connected", {{"peer", from}});
        }
        say_hello(self, from);
        refused("not_authenticated").inc();
        return caf::make_error(caf::sec::request_receiver_down,
                               "say hello first");
      }
      {
        p.heard = true;
        p.tried = true;
        p.last_heard = self->clock().now();
        p.sees = view;
        update(self);
        answer_ready(self);
      }
      return {self->state.config.node_id, self->state.live,
              self->state.started_at};
    },
    [=](hello_atom, const std::string& challenger,
        const std::string& nonce)
      -> caf::result<std::string, std::string, std::string> {
      // Proves this node's identity: the signature binds the challenge to
      // this node's id and CAF node. It reveals nothing but the (public)
      // certificate.
      auto& st = self->state;
      ++st.handled;
      if (!st.config.credential)
        return caf::make_error(caf::sec::invalid_argument,
                               "this cluster runs without credentials");
      if (nonce.size() != 64 || challenger.size() > 64)
        return caf::make_error(caf::sec::invalid_argument, "bad hello");
      auto signature = st.config.credential->sign(
        hello_message(challenger, st.config.node_id, nonce, self->node()));
      return {st.config.node_id, st.config.credential->certificate_pem(),
              signature};
    },
    [=](caf::get_atom,
        const std::string& draft_id) -> caf::result<caf::actor> {
      ++self->state.handled;
      if (!from_member(self, "get_draft"))
        return caf::make_error(caf::sec::request_receiver_down,
                               "not an authenticated member");
      // Answered untyped (actors/actor_interfaces.hpp says why).
      auto promise = self->make_response_promise<caf::actor>();
      self->request(self->state.config.directory, std::chrono::seconds(35),
                    caf::get_atom::value, draft_id)
        .then(
          [=](draft_actor_api& found) mutable {
            promise.deliver(caf::actor_cast<caf::actor>(found));
          },
          [=](caf::error& err) mutable { promise.deliver(std::move(err)); });
      return promise;
    },
    [=](admin_atom) -> caf::result<admin_peer_api> {
      if (!from_member(self, "get_admin"))
        return caf::make_error(caf::sec::request_receiver_down,
                               "not an authenticated member");
      return admin_peer_api{self->state.config.admin};
    },
    [=](members_atom) {
      auto& st = self->state;
      std::vector<member_status> out;
      member_status me;
      auto& mine = *std::find_if(st.config.nodes.begin(), st.config.nodes.end(),
                                 [&](auto& n) { return n.id == st.config.node_id; });
      me.id = mine.id;
      me.address = mine.host + ":" + std::to_string(mine.cluster_port);
      me.http_port = mine.http_port;
      me.status = "self";
      me.heartbeat_age_ms = 0;
      me.started_at = st.started_at;
      me.sees = st.live;
      out.push_back(std::move(me));
      for (auto& [id, p] : st.peers)
        out.push_back(describe(self, p));
      return out;
    },
    [=](ready_atom) -> caf::result<bool> {
      auto& st = self->state;
      bool all = std::all_of(st.peers.begin(), st.peers.end(),
                             [](auto& e) { return e.second.tried; });
      if (all)
        return true;
      auto promise = self->make_response_promise<bool>();
      st.waiting.push_back(promise);
      return promise;
    },
    [=](status_atom) -> actor_status {
      auto& st = self->state;
      std::string live;
      for (auto& id : st.live)
        live += (live.empty() ? "" : ",") + id;
      return {"membership", "membership", self->mailbox().size(), st.handled,
              {{"live", live},
               {"peers", std::to_string(st.peers.size())}}};
    },
  };
}

} // namespace

} // namespace membership_impl

membership_api spawn_membership(caf::actor_system& system,
                            membership_config config) {
  return system.spawn(membership_impl::membership, std::move(config));
}

} // namespace draft
