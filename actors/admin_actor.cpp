#include "actors/admin_actor.hpp"

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

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

struct watched {
  caf::actor handle;
  actor_report report;
  clock_type::time_point answered{}; // of the last status
  bool answered_once = false;
};

// Counters sampled for the activity ring.
struct counter_snapshot {
  double events = 0;
  double deliveries = 0;
  std::vector<std::uint64_t> fanout; // bucket counts
  long cpu_ticks = 0;
  clock_type::time_point at{};
};

struct admin_state {
  admin_actor_config config;
  std::set<caf::actor> registered;          // fixed actors: asked every round
  std::set<caf::actor> sockets;             // asked when a report wants them
  std::size_t refresh_pending = 0;          // a refresh's answers expected
  std::vector<std::function<void()>> after_refresh; // reports waiting on it
  std::map<caf::actor_addr, watched> actors; // everything last asked
  std::map<std::string, caf::actor> peers;  // node id -> admin actor
  membership_view view;                     // as the membership actor said
  std::deque<activity_sample> samples;
  counter_snapshot last;
  double cpu_percent = 0;
  std::int64_t started_at = now_utc();
  std::uint64_t handled = 0;
  static inline const char* name = "admin";
};

using self_ptr = caf::stateful_actor<admin_state>*;

long process_cpu_ticks() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  // Fields after the command name (which ends with ')'): utime is the 12th,
  // stime the 13th.
  auto close = line.rfind(')');
  if (close == std::string::npos)
    return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 1; i <= 13 && rest >> field; ++i) {
    if (i == 12)
      utime = std::atol(field.c_str());
    if (i == 13)
      stime = std::atol(field.c_str());
  }
  return utime + stime;
}

std::int64_t process_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::atoll(line.c_str() + 6) * 1024;
  return 0;
}

counter_snapshot snapshot_counters() {
  counter_snapshot s;
  s.events = events_applied_counter().value();
  s.deliveries = deliveries_counter().value();
  auto& h = fanout_latency_histogram();
  for (size_t i = 0; i <= h.upper_bounds().size(); ++i)
    s.fanout.push_back(h.bucket_count(i));
  s.cpu_ticks = process_cpu_ticks();
  s.at = clock_type::now();
  return s;
}

// The quantile (ms) of the observations between two bucket snapshots.
double quantile_ms(const std::vector<std::uint64_t>& before,
                   const std::vector<std::uint64_t>& after, double q) {
  auto& bounds = fanout_latency_histogram().upper_bounds();
  std::uint64_t total = 0;
  for (size_t i = 0; i < after.size(); ++i)
    total += after[i] - (i < before.size() ? before[i] : 0);
  if (total == 0)
    return 0;
  double want = q * static_cast<double>(total);
  double seen = 0;
  for (size_t i = 0; i < after.size(); ++i) {
    double n = static_cast<double>(after[i] - (i < before.size() ? before[i] : 0));
    if (seen + n >= want && n > 0) {
      double lower = i == 0 ? 0 : bounds[i - 1];
      double upper = i < bounds.size() ? bounds[i] : bounds.back() * 2;
      return (lower + (upper - lower) * (want - seen) / n) * 1000;
    }
    seen += n;
  }
  return bounds.back() * 1000;
}

void take_sample(self_ptr self) {
  auto& st = self->state;
  auto now = snapshot_counters();
  double dt = std::chrono::duration<double>(now.at - st.last.at).count();
  if (st.last.at != clock_type::time_point{} && dt > 0) {
    activity_sample s;
    s.at = now_utc();
    s.events_per_sec = (now.events - st.last.events) / dt;
    s.deliveries_per_sec = (now.deliveries - st.last.deliveries) / dt;
    s.fanout_p50_ms = quantile_ms(st.last.fanout, now.fanout, 0.5);
    s.fanout_p99_ms = quantile_ms(st.last.fanout, now.fanout, 0.99);
    st.samples.push_back(s);
    while (st.samples.size() > st.config.ring)
      st.samples.pop_front();
    st.cpu_percent = static_cast<double>(now.cpu_ticks - st.last.cpu_ticks)
                     / static_cast<double>(sysconf(_SC_CLK_TCK)) / dt * 100;
  }
  st.last = std::move(now);
}

// Asks one actor for its status and records the answer (or that it was
// stuck); `done` runs either way.
void ask_status(self_ptr self, const caf::actor& a, std::function<void()> done) {
  auto& st = self->state;
  st.actors[a.address()].handle = a;
  self->request(a, st.config.status_timeout, status_atom::value)
    .then(
      [=](actor_status& s) {
        auto it = self->state.actors.find(a.address());
        if (it != self->state.actors.end()) {
          auto& entry = it->second;
          auto now = clock_type::now();
          if (entry.answered_once) {
            double dt = std::chrono::duration<double>(now - entry.answered).count();
            auto before = entry.report.status.messages_handled;
            entry.report.rate
              = dt > 0 && s.messages_handled >= before
                  ? static_cast<double>(s.messages_handled - before) / dt
                  : 0;
          }
          entry.report.status = std::move(s);
          entry.report.stuck = false;
          entry.answered = now;
          entry.answered_once = true;
        }
        done();
      },
      [=](caf::error&) {
        auto it = self->state.actors.find(a.address());
        if (it != self->state.actors.end()) {
          it->second.report.stuck = true;
          if (it->second.report.status.name.empty())
            it->second.report.status.name = "unanswered-" + to_string(a.address());
        }
        done();
      });
}

// The targets of a refresh: fixed actors, draft actors and (if asked for)
// socket actors. Entries of actors that are gone are forgotten.
std::vector<caf::actor> targets_of(self_ptr self, std::vector<caf::actor> drafts,
                                   bool with_sockets) {
  auto& st = self->state;
  std::vector<caf::actor> targets(st.registered.begin(), st.registered.end());
  targets.insert(targets.end(), drafts.begin(), drafts.end());
  std::set<caf::actor_addr> current;
  for (auto& a : targets)
    current.insert(a.address());
  for (auto& a : st.sockets)
    current.insert(a.address());
  for (auto it = st.actors.begin(); it != st.actors.end();)
    it = current.count(it->first) ? std::next(it) : st.actors.erase(it);
  if (with_sockets)
    targets.insert(targets.end(), st.sockets.begin(), st.sockets.end());
  return targets;
}

// Every round: the fixed actors and the draft actors (few).
void ask_all(self_ptr self, std::vector<caf::actor> drafts) {
  for (auto& a : targets_of(self, std::move(drafts), false))
    ask_status(self, a, [] {});
}

void run_waiting(self_ptr self) {
  auto waiting = std::move(self->state.after_refresh);
  self->state.after_refresh.clear();
  for (auto& f : waiting)
    f();
}

// Before a report: every actor answers again, socket actors included — one
// per connection, thousands, so they are asked only here, when someone
// looks. Reports that arrive while a refresh is under way (the console's
// page asks several at once) share it. `then` runs once all have answered
// (or timed out).
void with_fresh_status(self_ptr self, std::function<void()> then) {
  auto& st = self->state;
  st.after_refresh.push_back(std::move(then));
  if (st.refresh_pending > 0)
    return; // a refresh is under way
  st.refresh_pending = 1; // the directory's answer
  auto start = [self](std::vector<caf::actor> drafts) {
    auto targets = targets_of(self, std::move(drafts), true);
    auto& st = self->state;
    st.refresh_pending = targets.size();
    if (targets.empty())
      return run_waiting(self);
    for (auto& a : targets)
      ask_status(self, a, [self] {
        auto& st = self->state;
        if (st.refresh_pending > 0 && --st.refresh_pending == 0)
          run_waiting(self);
      });
  };
  self->request(st.config.directory, st.config.status_timeout, actors_atom::value)
    .then([=](std::vector<caf::actor>& drafts) { start(std::move(drafts)); },
          [=](caf::error&) { start({}); });
}

// Finds each live peer's admin actor through its membership actor (again
// every round for a peer not found yet); answers from an older view are
// dropped.
void find_peers(self_ptr self) {
  auto& st = self->state;
  for (auto& id : st.view.live) {
    if (id == st.config.node_id || st.peers.count(id))
      continue;
    auto node = st.view.nodes.find(id);
    if (node == st.view.nodes.end())
      continue;
    auto membership = node->second;
    self->request(membership, 3s, admin_atom::value)
      .then(
        [=](caf::actor& admin) {
          auto& st = self->state;
          auto now = st.view.nodes.find(id);
          bool live = std::count(st.view.live.begin(), st.view.live.end(), id);
          if (admin && live && now != st.view.nodes.end()
              && now->second == membership)
            st.peers[id] = admin;
        },
        [=](caf::error&) {});
  }
}

void round(self_ptr self) {
  auto& st = self->state;
  take_sample(self);
  find_peers(self);
  self->request(st.config.directory, st.config.status_timeout, actors_atom::value)
    .then([=](std::vector<caf::actor>& drafts) { ask_all(self, std::move(drafts)); },
          [=](caf::error&) { ask_all(self, {}); });
  self->delayed_send(self, st.config.interval, tick_atom::value);
}

// An operator's action arriving here (from this node's console or relayed by
// a peer's admin actor): it carries the operator's identity as the
// originating node verified it (the token's sub and role). This node checks
// its own GATEWAY_ADMIN_ACTIONS and the role again, and that a relayed one
// comes from a member of the cluster; every node logs who asked.
bool may_act(self_ptr self, const std::string& what, const std::string& by,
             const std::string& role) {
  auto& st = self->state;
  auto sender = self->current_sender();
  bool local = !sender || sender->node() == self->node();
  bool member = local;
  for (auto& [id, handle] : st.view.nodes)
    member = member || (handle && sender && handle.node() == sender->node());
  const char* refusal = !st.config.actions ? "actions are off on this node"
                        : role != "admin"  ? "the operator's role is not admin"
                        : !member          ? "the request is not from a member"
                                           : nullptr;
  auto& log = logger::get("admin");
  if (refusal) {
    log.warn("operator action refused",
             {{"action", what}, {"by", by}, {"role", role},
              {"reason", refusal}, {"relayed", local ? "no" : "yes"}});
    return false;
  }
  log.info("operator action", {{"action", what}, {"by", by}, {"role", role},
                               {"relayed", local ? "no" : "yes"}});
  return true;
}

node_report make_report(self_ptr self, const std::string& sort,
                        std::int32_t limit, const std::string& kind,
                        const std::string& draft) {
  auto& st = self->state;
  node_report r;
  r.node = st.config.node_id;
  r.pid = getpid();
  r.started_at = st.started_at;
  r.cpu_percent = st.cpu_percent;
  r.rss_bytes = process_rss_bytes();
  r.samples.assign(st.samples.begin(), st.samples.end());
  for (auto& [addr, w] : st.actors) {
    auto& s = w.report.status;
    if (!w.answered_once && !w.report.stuck)
      continue; // asked, no answer yet
    auto k = s.kind.empty() ? std::string("unknown") : s.kind;
    if (k != "socket") // counted from the registry below
      ++r.actor_counts[k];
    r.stuck += w.report.stuck ? 1 : 0;
    if (!kind.empty() && k != kind)
      continue;
    if (!draft.empty() && detail(s, "draft_id") != draft
        && s.name != "draft-" + draft)
      continue;
    r.actors.push_back(w.report);
  }
  if (!st.sockets.empty())
    r.actor_counts["socket"] = st.sockets.size();
  auto by_name = [](const actor_report& a, const actor_report& b) {
    return a.status.name < b.status.name;
  };
  if (sort == "mailbox")
    std::stable_sort(r.actors.begin(), r.actors.end(), [](auto& a, auto& b) {
      return a.status.mailbox_size > b.status.mailbox_size;
    });
  else if (sort == "rate")
    std::stable_sort(r.actors.begin(), r.actors.end(),
                     [](auto& a, auto& b) { return a.rate > b.rate; });
  else
    std::sort(r.actors.begin(), r.actors.end(), by_name);
  if (limit > 0 && r.actors.size() > static_cast<std::size_t>(limit))
    r.actors.resize(static_cast<std::size_t>(limit));
  return r;
}

// Every live node's admin actor, this one first.
std::vector<std::pair<std::string, caf::actor>> admins(self_ptr self) {
  std::vector<std::pair<std::string, caf::actor>> out{
    {self->state.config.node_id, caf::actor_cast<caf::actor>(self)}};
  for (auto& p : self->state.peers)
    out.push_back(p);
  return out;
}

// Asks every node's admin actor `xs...` (answered with an R) and combines the
// answers; a node that does not answer is combined as null.
template <class R, class T, class Combine, class... Ts>
void gather(self_ptr self, caf::response_promise promise, T initial,
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

caf::behavior admin_actor(self_ptr self, admin_actor_config config) {
  self->state.config = std::move(config);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    for (auto* set : {&st.registered, &st.sockets})
      for (auto it = set->begin(); it != set->end(); ++it)
        if (it->address() == msg.source) {
          set->erase(it);
          break;
        }
    st.actors.erase(msg.source);
  });
  self->set_error_handler([=](caf::error&) {});
  self->send(self, tick_atom::value);
  return {
    [=](tick_atom) { round(self); },
    [=](register_atom, caf::actor& a) {
      if (a && self->state.registered.insert(a).second)
        self->monitor(a);
    },
    [=](register_atom, caf::actor& a, socket_atom) {
      if (a && self->state.sockets.insert(a).second)
        self->monitor(a);
    },
    [=](members_atom, membership_view& view) {
      auto& st = self->state;
      st.view = std::move(view);
      std::map<std::string, caf::actor> keep;
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
        bool found = false;
        for (auto& [addr, w] : self->state.actors)
          if (!found && w.report.status.kind == "socket"
              && detail(w.report.status, "connection") == connection) {
            self->send(w.handle, shutdown_atom::value, by);
            found = true;
          }
        promise.deliver(found);
      });
      return promise;
    },
    [=](restart_atom, const std::string& draft, const std::string& by,
        const std::string& role) -> caf::result<bool> {
      // The directory knows whether this node owns the draft.
      ++self->state.handled;
      if (!may_act(self, "restart " + draft, by, role))
        return false;
      auto promise = self->make_response_promise();
      promise.delegate(self->state.config.directory, restart_atom::value,
                       draft, by);
      return promise;
    },
    [=](level_atom, const std::string& component, const std::string& level,
        const std::string& by, const std::string& role) {
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
      auto promise = self->make_response_promise();
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
      auto promise = self->make_response_promise();
      gather<bool>(self, promise, false, any_true, shutdown_atom::value, id,
                   by, role);
      return promise;
    },
    [=](cluster_atom, restart_atom, const std::string& id,
        const std::string& by, const std::string& role) {
      auto promise = self->make_response_promise();
      gather<bool>(self, promise, false, any_true, restart_atom::value, id,
                   by, role);
      return promise;
    },
    [=](cluster_atom, level_atom, const std::string& component,
        const std::string& level, const std::string& by,
        const std::string& role) {
      auto promise = self->make_response_promise();
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

caf::actor spawn_admin_actor(caf::actor_system& system,
                             admin_actor_config config) {
  return system.spawn(admin_actor, std::move(config));
}

} // namespace draft
