// draft-loadgen: opens N WebSocket connections over M drafts, optionally
// produces outbox events at a fixed rate, checks every client's sequence
// (gaps, duplicates, missing) and prints one JSON line of results: deliveries
// per second, latency percentiles from commit to receipt, and the CPU of the
// server, the database, itself and the whole machine. Its output and its
// command line mirror the peer baseline's Node client (bench/peer-node), so
// both gateways are measured with the same load. See docs/benchmarks.md.
// The parts: load_clients (the connections), producer (the events),
// process_stats (the CPU figures), load_stats (what is measured).

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>
#include <rapidjson/document.h>

#include "load_clients.hpp"
#include "load_options.hpp"
#include "load_stats.hpp"
#include "process_stats.hpp"
#include "producer.hpp"
#include "protocol/json_writer.hpp"
#include "runtime/config.hpp"
#include "runtime/http_client.hpp"
#include "runtime/jwt.hpp"
#include "runtime/random_uuid.hpp"

using namespace draft;
using namespace draft::load;

namespace {


options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") o.port = std::stoi(v);
    else if (k == "--host") o.host = v;
    else if (k == "--ports") {
      for (auto& port : split_list(v))
        o.ports.push_back(std::stoi(port));
    }
    else if (k == "--connections") o.connections = std::stoi(v);
    else if (k == "--drafts") o.drafts = std::stoi(v);
    else if (k == "--rate") o.rate = std::stod(v);
    else if (k == "--warmup") o.warmup = std::stod(v);
    else if (k == "--duration") o.duration = std::stod(v);
    else if (k == "--drain") o.drain = std::stod(v);
    else if (k == "--hold") o.hold = std::stod(v);
    else if (k == "--threads") o.threads = std::stoi(v);
    else if (k == "--sources") o.sources = std::max(1, std::stoi(v));
    else if (k == "--server-pid") o.server_pid = std::stoi(v);
    else if (k == "--db-pid") o.db_pid = std::stoi(v);
    else if (k == "--label") o.label = v;
    else {
      std::fprintf(stderr, "draft-loadgen: unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  if (o.ports.empty())
    o.ports.push_back(o.port);
  return o;
}

// With several nodes: the index (into --ports, in node-id order n1, n2, …) of
// each draft's owner, asked from the first node's admin API.
std::vector<int> owner_nodes(const options& opts,
                             const std::vector<std::string>& draft_ids,
                             const std::string& admin_token) {
  std::vector<int> out;
  if (opts.ports.size() < 2)
    return out;
  for (std::size_t at = 0; at < draft_ids.size(); at += 100) {
    std::string list;
    for (auto i = at; i < std::min(at + 100, draft_ids.size()); ++i)
      list += (list.empty() ? "" : ",") + draft_ids[i];
    auto res = http_request(opts.host, std::to_string(opts.ports[0]), "GET",
                            "/admin/api/owners?drafts=" + list, admin_token);
    rapidjson::Document doc;
    doc.Parse(res.body.c_str());
    bool ok = res.status == 200 && doc.IsObject() && doc.HasMember("owners")
              && doc["owners"].IsObject();
    for (auto i = at; i < std::min(at + 100, draft_ids.size()); ++i) {
      auto& id = draft_ids[i];
      int node = -1; // node ids are n1, n2, …: index 0, 1, …
      if (ok && doc["owners"].HasMember(id.c_str())
          && doc["owners"][id.c_str()].IsString())
        node = std::atoi(doc["owners"][id.c_str()].GetString() + 1) - 1;
      out.push_back(node);
    }
  }
  return out;
}

// `v` with `digits` decimals (the shortest text of the rounded double).
double fixed(double v, int digits = 2) {
  double scale = std::pow(10.0, digits);
  return std::round(v * scale) / scale;
}

std::string claims(const std::string& sub, std::int64_t exp,
                   const std::vector<std::string>& drafts, const std::string& role) {
  return json::write_object([&](json::object_writer& o) {
    o.str("sub", sub).num("exp", exp).optional_str("role", role);
    if (!drafts.empty())
      o.strings("drafts", drafts);
  });
}

} // namespace

int main(int argc, char** argv) {
  auto opts = parse(argc, argv);
  // SIGINT/SIGTERM cut the run short: it stops producing and waiting, and
  // reports what it measured so far ("interrupted": true).
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const char* secret = std::getenv("DRAFT_JWT_SECRET");
  if (!secret) {
    std::fprintf(stderr, "draft-loadgen: DRAFT_JWT_SECRET is required\n");
    return 2;
  }
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);

  std::vector<std::string> draft_ids, tokens;
  auto exp = now_utc() / 1'000'000 + 3600;
  for (int d = 0; d < opts.drafts; ++d) {
    draft_ids.push_back(random_uuid());
    tokens.push_back(sign_hs256(
      claims("load-" + std::to_string(d), exp, {draft_ids.back()}, ""), secret));
  }
  if (auto setup = std::getenv("DRAFT_SETUP_QUERY")) {
    pqxx::connection db(std::getenv("DATABASE_URL"));
    pqxx::nontransaction tx(db);
    for (auto& id : draft_ids)
      tx.exec_params(setup, id);
  }
  // Events are written as every writer writes them, through
  // draft_append_event (it takes the seq; the loadgen's count is checked
  // against it). INSERT_QUERY replaces it for a schema without it (the peer
  // baseline's); its parameters are event id, draft id, seq, payload.
  std::string insert_query = std::getenv("INSERT_QUERY")
                               ? std::getenv("INSERT_QUERY")
                               : "SELECT draft_append_event($2::uuid, $1::uuid, "
                                 "'PickMade', $4::jsonb) WHERE $3::bigint > 0";
  auto rss_before = opts.server_pid ? status_bytes(opts.server_pid, "VmRSS") : -1;

  auto owners = owner_nodes(
    opts, draft_ids,
    sign_hs256(claims("loadgen", exp, {}, "admin"), secret));
  std::vector<std::unique_ptr<client_group>> groups;
  int threads = std::max(1, std::min(opts.threads, opts.connections));
  auto nodes = static_cast<int>(opts.ports.size());
  for (int t = 0; t < threads; ++t) {
    std::vector<std::pair<int, int>> mine;
    for (int i = t; i < opts.connections; i += threads)
      mine.emplace_back(i % opts.drafts, (i / opts.drafts) % nodes);
    groups.push_back(
      std::make_unique<client_group>(opts, draft_ids, tokens, mine, owners));
  }
  auto connect_start = std::chrono::steady_clock::now();
  for (auto& g : groups)
    g->start();
  auto all_done = [&] {
    for (auto& g : groups)
      if (!g->connecting_done())
        return false;
    return true;
  };
  while (!all_done() && !interrupted)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  double connect_s = std::chrono::duration<double>(std::chrono::steady_clock::now()
                                                   - connect_start)
                       .count();
  std::size_t connected = 0;
  std::map<std::string, int> errors;
  for (auto& g : groups) {
    connected += g->opened();
    for (auto& [k, v] : g->errors())
      errors[k] += v;
  }
  // The result: one JSON line.
  rapidjson::StringBuffer line;
  json::writer_type writer(line);
  json::object_writer out(writer);
  writer.StartObject();
  out.str("label", opts.label)
    .num("connections", opts.connections)
    .num("connected", static_cast<std::int64_t>(connected))
    .object("connect_errors", [&](json::object_writer& o) {
      for (auto& [k, v] : errors)
        o.num(k.c_str(), v);
    })
    .num("drafts", opts.drafts)
    .num("workers", threads)
    .real("connect_s", fixed(connect_s, 1));

  if (opts.rate <= 0) {
    pause_unless_interrupted(opts.hold);
    if (opts.server_pid) {
      auto rss = status_bytes(opts.server_pid, "VmRSS");
      out.real("hold_s", fixed(opts.hold, 0))
        .num("server_rss_bytes", rss)
        .num("server_hwm_bytes", status_bytes(opts.server_pid, "VmHWM"))
        .num("server_rss_before_bytes", rss_before);
      if (connected > 0)
        out.num("rss_bytes_per_connection",
                (rss - rss_before) / static_cast<long long>(connected));
    }
  } else {
    double measure_from = wall_ms() + opts.warmup * 1000;
    for (auto& g : groups)
      g->measure_from(measure_from);
    struct sample {
      long long server, server_user, db;
      std::pair<long long, long long> machine;
      double own;
      std::chrono::steady_clock::time_point t;
    };
    auto take = [&] {
      return sample{process_ticks(opts.server_pid, false),
                    process_ticks(opts.server_pid, false, true),
                    process_ticks(opts.db_pid, true), machine_ticks(),
                    own_cpu_seconds(), std::chrono::steady_clock::now()};
    };
    sample start{};
    std::thread sampler([&] {
      pause_unless_interrupted(opts.warmup);
      start = take();
    });
    double produced_s = 0;
    auto seqs = produce(opts, draft_ids, insert_query, produced_s);
    sampler.join();
    auto behind = [&] {
      for (auto& g : groups)
        for (auto& c : g->clients())
          if (c.open && c.last < seqs[static_cast<size_t>(c.draft)])
            return true;
      return false;
    };
    auto deadline = std::chrono::steady_clock::now()
                    + std::chrono::milliseconds(static_cast<long long>(opts.drain * 1000));
    while (behind() && std::chrono::steady_clock::now() < deadline && !interrupted)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto end = take();
    for (auto& g : groups)
      g->stop();
    load_stats total;
    long long expected = 0, missing = 0;
    for (auto& g : groups) {
      auto& s = g->stats();
      total.deliveries += s.deliveries;
      total.delivered_bytes += s.delivered_bytes;
      total.in_window += s.in_window;
      total.gaps += s.gaps;
      total.duplicates += s.duplicates;
      total.other += s.other;
      total.disconnects += s.disconnects;
      total.reconnects += s.reconnects;
      total.last_receive_ms = std::max(total.last_receive_ms, s.last_receive_ms);
      total.latency.merge(s.latency);
      total.local_latency.merge(s.local_latency);
      total.remote_latency.merge(s.remote_latency);
      for (auto& c : g->clients()) {
        auto want = seqs[static_cast<size_t>(c.draft)];
        expected += want;
        missing += std::max<long long>(0, want - c.last);
      }
    }
    double elapsed = std::chrono::duration<double>(end.t - start.t).count();
    double tck = static_cast<double>(clock_ticks());
    auto pct = [&](long long ticks) { return fixed(ticks / tck / elapsed * 100, 1); };
    long long inserted = 0;
    for (auto s : seqs)
      inserted += s;
    double window = (std::max(measure_from, total.last_receive_ms) - measure_from) / 1000;
    auto frame_bytes = [&]() -> std::int64_t {
      // The mean frame on the wire: payload plus a server frame's header
      // (2 bytes, 4 from 126 bytes up) — what ../shared/bench/floor sends.
      if (!total.deliveries)
        return 0;
      auto payload = static_cast<std::int64_t>(total.delivered_bytes / total.deliveries);
      return payload + (payload < 126 ? 2 : 4);
    };
    auto latency = [&](const char* key, const auto& histogram, bool with_p90,
                       bool with_count) {
      out.object(key, [&](json::object_writer& o) {
        o.real("p50", fixed(histogram.quantile(0.5)));
        if (with_p90)
          o.real("p90", fixed(histogram.quantile(0.9)));
        o.real("p99", fixed(histogram.quantile(0.99)));
        if (with_count)
          o.num("n", static_cast<std::int64_t>(histogram.total()));
        else
          o.real("max", fixed(histogram.max()));
      });
    };
    out.real("rate_per_draft", fixed(opts.rate, 0))
      .real("warmup_s", fixed(opts.warmup, 0))
      .real("duration_s", fixed(opts.duration, 0))
      .num("events_inserted", inserted)
      .real("insert_rate", fixed(inserted / produced_s, 1))
      .num("expected_deliveries", expected)
      .num("deliveries", static_cast<std::int64_t>(total.deliveries))
      .num("frame_bytes", frame_bytes())
      .num("timed_deliveries", static_cast<std::int64_t>(total.latency.total()))
      .num("deliveries_per_s",
           window > 0 ? static_cast<long long>(total.in_window / window) : 0);
    latency("latency_ms", total.latency, true, false);
    if (!owners.empty()) {
      out.num("nodes", nodes);
      latency("same_node_latency_ms", total.local_latency, false, true);
      latency("cross_node_latency_ms", total.remote_latency, false, true);
    }
    out.num("gaps", static_cast<std::int64_t>(total.gaps))
      .num("duplicates", static_cast<std::int64_t>(total.duplicates))
      .num("missing", missing)
      .num("disconnects", static_cast<std::int64_t>(total.disconnects))
      .num("reconnects", static_cast<std::int64_t>(total.reconnects))
      .num("other_messages", static_cast<std::int64_t>(total.other))
      .real("client_cpu_pct", fixed((end.own - start.own) / elapsed * 100, 1))
      .real("machine_busy_pct",
            fixed(100.0 * static_cast<double>(end.machine.first - start.machine.first)
                    / static_cast<double>(end.machine.second - start.machine.second),
                  1));
    if (opts.db_pid)
      out.real("db_cpu_pct", pct(end.db - start.db));
    if (opts.server_pid) {
      auto ticks = end.server - start.server;
      auto user = end.server_user - start.server_user;
      // CPU per delivery, in all and split: user space (the server's own
      // work) and system (the kernel: system calls and the TCP path).
      auto per_delivery = [&](const char* key, long long t) {
        if (!total.in_window)
          return out.null(key);
        return out.real(key, fixed(t / tck * 1e6 / static_cast<double>(total.in_window)));
      };
      out.real("server_cpu_pct", pct(ticks));
      per_delivery("server_cpu_us_per_delivery", ticks);
      per_delivery("server_user_us_per_delivery", user);
      per_delivery("server_system_us_per_delivery", ticks - user);
      out.num("server_rss_bytes", status_bytes(opts.server_pid, "VmRSS"));
    }
  }
  for (auto& g : groups)
    g->stop();
  if (interrupted)
    out.boolean("interrupted", true);
  writer.EndObject();
  std::printf("%s\n", line.GetString());
  std::fflush(stdout);
  std::_Exit(0); // thousands of sockets: let the kernel close them
}
