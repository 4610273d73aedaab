// The membership actor's peers: liveness, the hello, heartbeats, connecting,
// the round and the view it gives the directory (membership_state.hpp).

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

namespace draft::membership_impl {

bool is_live(const peer_state& p, const membership_config& config,
             clock_type::time_point now) {
  return p.handle && p.authenticated && p.heard
         && now - p.last_heard <= config.peer_timeout;
}

counter& refused(const std::string& reason) {
  return cluster_refusals(reason);
}

// What a hello signs: the protocol, both ids, the challenge, and the CAF node
// the answer comes from — so an answer relayed by a third node does not
// verify (the challenger compares that node with the sender's).
std::string hello_message(const std::string& challenger, const std::string& peer,
                          const std::string& nonce, const caf::node_id& from) {
  return "draft-cluster-hello/1|" + challenger + "|" + peer + "|" + nonce + "|"
         + to_string(from);
}

// The authenticated peer whose CAF node is `node`, or null.
peer_state* member_on(membership_state& st, const caf::node_id& node) {
  for (auto& [id, p] : st.peers)
    if (p.authenticated && p.caf_node == node)
      return &p;
  return nullptr;
}

// True if the current message comes from this node or an authenticated
// member; otherwise counts the refusal.
bool from_member(self_ptr self, const char* what) {
  auto sender = self->current_sender();
  if (!sender || sender->node() == self->node()
      || !self->state.config.credential)
    return true;
  if (member_on(self->state, sender->node()))
    return true;
  refused(what).inc();
  logger::get("membership").warn("refused a request from a node that is not "
                                 "an authenticated member",
                                 {{"request", what},
                                  {"from", to_string(sender->node())}});
  return false;
}

// Recomputes the live set; tells the directory when it changed.
void update(self_ptr self) {
  auto& st = self->state;
  std::vector<std::string> live{st.config.node_id};
  for (auto& [id, p] : st.peers)
    if (is_live(p, st.config, self->clock().now()))
      live.push_back(id);
  std::sort(live.begin(), live.end());
  if (live == st.live)
    return;
  std::string joined;
  for (auto& id : live)
    joined += (joined.empty() ? "" : ",") + id;
  logger::get("membership").info("live members changed", {{"live", joined}});
  static auto& gauge = default_metrics().get_gauge(
    "gateway_cluster_members_live", "Cluster members this node sees live "
                                    "(itself included).");
  gauge.set(static_cast<double>(live.size()));
  st.live = live;
  membership_view view;
  view.live = live;
  view.nodes[st.config.node_id] = caf::actor_cast<membership_api>(self);
  for (auto& [id, p] : st.peers)
    if (p.handle && p.authenticated)
      view.nodes[id] = p.handle;
  if (st.config.admin)
    self->send(st.config.admin, members_atom::value, view);
  self->send(st.config.directory, members_atom::value, std::move(view));
}

void answer_ready(self_ptr self) {
  auto& st = self->state;
  for (auto& [id, p] : st.peers)
    if (!p.tried)
      return;
  for (auto& promise : st.waiting)
    promise.deliver(true);
  st.waiting.clear();
}

void heartbeat(self_ptr self, const std::string& id);

// Asks peer `id` (its handle known) to prove who it is; heartbeats follow
// once it did. Without a credential (plaintext cluster) every peer counts as
// authenticated.
void say_hello(self_ptr self, const std::string& id) {
  auto& st = self->state;
  auto& p = st.peers[id];
  if (!st.config.credential) {
    p.authenticated = true;
    p.caf_node = p.handle.node();
    return heartbeat(self, id);
  }
  if (p.saying_hello)
    return;
  p.saying_hello = true;
  auto handle = p.handle;
  auto nonce = random_hex(32);
  self
    ->request(handle, st.config.peer_timeout, hello_atom::value,
              st.config.node_id, nonce)
    .then(
      [=](const std::string& from, const std::string& certificate,
          const std::string& signature) {
        auto& peer = self->state.peers[id];
        peer.saying_hello = false;
        if (peer.handle != handle)
          return; // replaced meanwhile
        auto ok = self->state.config.credential->verify(
          certificate, id,
          hello_message(self->state.config.node_id, id, nonce, handle.node()),
          signature);
        if (from != id || !ok) {
          refused("bad_hello").inc();
          logger::get("membership").error(
            "peer failed the hello; not a member",
            {{"peer", id},
             {"error", ok ? "answered as " + from : ok.error().to_string()}});
          self->demonitor(peer.handle.address());
          peer.handle = nullptr;
          peer.tried = true;
          answer_ready(self);
          return;
        }
        peer.authenticated = true;
        peer.caf_node = handle.node();
        logger::get("membership").info("peer authenticated", {{"peer", id}});
        heartbeat(self, id);
      },
      [=](caf::error&) {
        auto& peer = self->state.peers[id];
        peer.saying_hello = false;
        peer.tried = true;
        answer_ready(self);
      });
}

void heartbeat(self_ptr self, const std::string& id) {
  auto& st = self->state;
  auto& p = st.peers[id];
  self
    ->request(p.handle, st.config.peer_timeout, heartbeat_atom::value,
              st.config.node_id, st.live)
    .then(
      [=](std::string& from, std::vector<std::string>& view,
          std::int64_t started_at) {
        auto& peer = self->state.peers[id];
        if (from != id) {
          logger::get("membership").error(
            "peer answered with another node id; check the cluster file",
            {{"expected", id}, {"answered", from}});
          return;
        }
        peer.heard = true;
        peer.tried = true;
        peer.last_heard = self->clock().now();
        peer.sees = std::move(view);
        peer.started_at = started_at;
        update(self);
        answer_ready(self);
      },
      [=](caf::error&) {
        // No answer in time: the peer's age grows until it counts as down.
        auto& peer = self->state.peers[id];
        if (!peer.tried) {
          peer.tried = true; // connected but silent: do not hold start-up
          answer_ready(self);
        }
      });
}

void connect(self_ptr self, const std::string& id) {
  auto& st = self->state;
  auto& p = st.peers[id];
  p.connecting = true;
  auto& system = self->system();
  auto manager = st.config.tls ? system.openssl_manager().actor_handle()
                               : system.middleman().actor_handle();
  self
    ->request(manager, st.config.peer_timeout, caf::connect_atom::value,
              p.node.host, p.node.cluster_port)
    .then(
      [=](const caf::node_id&, caf::strong_actor_ptr& ptr,
          const std::set<std::string>& interface) {
        auto& peer = self->state.peers[id];
        peer.connecting = false;
        if (ptr && interface != self->system().message_types<membership_api>()) {
          // Another build or another program on the peer's cluster port.
          refused("wrong_interface").inc();
          logger::get("membership").error(
            "the peer's cluster port does not speak this gateway's "
            "membership interface; is it another version?", {{"peer", id}});
          ptr = nullptr;
        }
        // Tried once the first heartbeat answers (below), so start-up waits
        // until the peer counts as live; a failed connect counts as tried.
        peer.tried = !ptr;
        if (ptr) {
          peer.handle = caf::actor_cast<membership_api>(ptr);
          self->monitor(peer.handle);
          logger::get("membership").info("connected to peer", {{"peer", id}});
          say_hello(self, id);
        }
        answer_ready(self);
      },
      [=](caf::error& err) {
        auto& peer = self->state.peers[id];
        peer.connecting = false;
        peer.tried = true;
        logger::get("membership").debug("cannot reach peer",
                                        {{"peer", id},
                                         {"error", self->system().render(err)}});
        answer_ready(self);
      });
}

// Only the node with the smaller id dials: two nodes dialling each other at
// once race in CAF's BASP handshake (measured with TLS: the second
// connection tears the first down, over and over). The other side learns
// the dialler's handle from its first heartbeat.
bool dials(const membership_state& st, const std::string& peer) {
  return st.config.node_id < peer;
}

void round(self_ptr self) {
  auto& st = self->state;
  for (auto& [id, p] : st.peers) {
    if (!p.handle) {
      if (!dials(st, id))
        p.tried = p.tried || st.rounds >= 3; // it dials us: give it time
      else if (!p.connecting)
        connect(self, id);
    } else if (!p.authenticated) {
      say_hello(self, id);
    } else {
      heartbeat(self, id);
    }
  }
  ++st.rounds;
  update(self);
  answer_ready(self);
  self->delayed_send(self, st.config.heartbeat_interval, tick_atom::value);
}

member_status describe(self_ptr self, const peer_state& p) {
  auto& st = self->state;
  member_status m;
  m.id = p.node.id;
  m.address = p.node.host + ":" + std::to_string(p.node.cluster_port);
  m.http_port = p.node.http_port;
  // Live as in the view the directory was last given (one meaning of
  // live: the admin console and ownership agree).
  bool live = std::find(st.live.begin(), st.live.end(), p.node.id) != st.live.end();
  m.status = live ? "alive" : "down";
  if (p.heard)
    m.heartbeat_age_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           self->clock().now() - p.last_heard)
                           .count();
  m.started_at = p.started_at;
  m.sees = p.sees;
  return m;
}


} // namespace draft::membership_impl
