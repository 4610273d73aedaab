// The admin actor's watching (admin_state.hpp): process figures, the
// activity ring, status requests, peers, reports and the action check.

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

namespace draft::admin_impl {

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
void ask_status(self_ptr self, const status_api& a, std::function<void()> done) {
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
std::vector<status_api> targets_of(self_ptr self,
                                   const std::vector<draft_actor_api>& drafts,
                                   bool with_sockets) {
  auto& st = self->state;
  std::vector<status_api> targets(st.registered.begin(), st.registered.end());
  targets.insert(targets.end(), drafts.begin(), drafts.end());
  // The fixed and draft actors are few; the sockets are looked up where
  // they are kept (no set of thousands built every round).
  std::set<caf::actor_addr> current;
  for (auto& a : targets)
    current.insert(a.address());
  for (auto it = st.actors.begin(); it != st.actors.end();)
    it = current.count(it->first) || st.sockets.count(it->first)
           ? std::next(it)
           : st.actors.erase(it);
  if (with_sockets)
    for (auto& [addr, socket] : st.sockets)
      targets.push_back(socket);
  return targets;
}

// Every round: the fixed actors and the draft actors (few).
void ask_all(self_ptr self, const std::vector<draft_actor_api>& drafts) {
  for (auto& a : targets_of(self, drafts, false))
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
  auto start = [self](const std::vector<draft_actor_api>& drafts) {
    auto targets = targets_of(self, drafts, true);
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
    .then([=](std::vector<draft_actor_api>& drafts) { start(drafts); },
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
        [=](admin_peer_api& admin) {
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
    .then([=](std::vector<draft_actor_api>& drafts) { ask_all(self, drafts); },
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
std::vector<std::pair<std::string, admin_peer_api>> admins(self_ptr self) {
  std::vector<std::pair<std::string, admin_peer_api>> out{
    {self->state.config.node_id, caf::actor_cast<admin_peer_api>(self)}};
  for (auto& p : self->state.peers)
    out.push_back(p);
  return out;
}

} // namespace draft::admin_impl
