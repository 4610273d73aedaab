#include "actors/membership.hpp"

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

namespace {

using clock_type = std::chrono::steady_clock;

struct peer_state {
  cluster_node node;
  caf::actor handle;          ///< its membership actor, while connected
  /// The hello proved the handle's node holds this node's key; until then
  /// the peer gets no handle and its heartbeats are refused.
  bool authenticated = false;
  bool saying_hello = false;
  caf::node_id caf_node;      ///< the CAF node the hello came from
  bool connecting = false;
  bool tried = false;         ///< a first connection attempt has ended
  bool heard = false;
  clock_type::time_point last_heard{};
  std::vector<std::string> sees;
  std::int64_t started_at = 0;
};

struct membership_state {
  membership_config config;
  std::map<std::string, peer_state> peers; // every node but this one
  std::vector<std::string> live;           // as last told the directory
  std::int64_t started_at = 0;
  std::vector<caf::response_promise> waiting;
  std::uint64_t handled = 0;
  int rounds = 0;
  static inline const char* name = "membership";
};

using self_ptr = caf::stateful_actor<membership_state>*;

bool is_live(const peer_state& p, const membership_config& config) {
  return p.handle && p.authenticated && p.heard
         && clock_type::now() - p.last_heard <= config.peer_timeout;
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
    if (is_live(p, st.config))
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
  view.nodes[st.config.node_id] = caf::actor_cast<caf::actor>(self);
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
          self->demonitor(peer.handle);
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
        peer.last_heard = clock_type::now();
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
          const std::set<std::string>&) {
        auto& peer = self->state.peers[id];
        peer.connecting = false;
        // Tried once the first heartbeat answers (below), so start-up waits
        // until the peer counts as live; a failed connect counts as tried.
        peer.tried = !ptr;
        if (ptr) {
          peer.handle = caf::actor_cast<caf::actor>(ptr);
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
                           clock_type::now() - p.last_heard)
                           .count();
  m.started_at = p.started_at;
  m.sees = p.sees;
  return m;
}

caf::behavior membership(self_ptr self, membership_config config) {
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
        const std::vector<std::string>& view) {
      auto& st = self->state;
      ++st.handled;
      auto it = st.peers.find(from);
      auto sender = caf::actor_cast<caf::actor>(self->current_sender());
      if (it == st.peers.end() || !sender) {
        refused("unknown_node").inc();
        return caf::make_message(caf::make_error(caf::sec::request_receiver_down,
                                                 "not a node of this cluster"));
      }
      auto& p = it->second;
      if (p.authenticated && sender->node() != p.caf_node) {
        // Another connection claims this node's id: refused, counted.
        refused("forged_node_id").inc();
        logger::get("membership").warn("refused a heartbeat claiming another "
                                       "node's id",
                                       {{"claims", from},
                                        {"from", to_string(sender->node())}});
        return caf::make_message(caf::make_error(caf::sec::request_receiver_down,
                                                 "not node " + from));
      }
      if (!p.authenticated) {
        // A node that dialled us: it must prove who it is first.
        if (!p.handle || p.handle.address() != sender.address()) {
          if (p.handle)
            self->demonitor(p.handle);
          p.handle = sender;
          self->monitor(sender);
          logger::get("membership").info("peer connected", {{"peer", from}});
        }
        say_hello(self, from);
        refused("not_authenticated").inc();
        return caf::make_message(caf::make_error(caf::sec::request_receiver_down,
                                                 "say hello first"));
      }
      {
        p.heard = true;
        p.tried = true;
        p.last_heard = clock_type::now();
        p.sees = view;
        update(self);
        answer_ready(self);
      }
      return caf::make_message(self->state.config.node_id, self->state.live,
                               self->state.started_at);
    },
    [=](hello_atom, const std::string& challenger,
        const std::string& nonce) -> caf::result<caf::message> {
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
      return caf::make_message(st.config.node_id,
                               st.config.credential->certificate_pem(),
                               signature);
    },
    [=](caf::get_atom,
        const std::string& draft_id) -> caf::result<draft_actor_api> {
      ++self->state.handled;
      if (!from_member(self, "get_draft"))
        return caf::make_error(caf::sec::request_receiver_down,
                               "not an authenticated member");
      return self->delegate(self->state.config.directory, caf::get_atom::value,
                            draft_id);
    },
    [=](admin_atom) -> caf::result<caf::message> {
      if (!from_member(self, "get_admin"))
        return caf::make_error(caf::sec::request_receiver_down,
                               "not an authenticated member");
      return caf::make_message(self->state.config.admin);
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

caf::actor spawn_membership(caf::actor_system& system,
                            membership_config config) {
  return system.spawn(membership, std::move(config));
}

} // namespace draft
