// draft-loadgen: opens N WebSocket connections over M drafts, optionally
// produces outbox events at a fixed rate, checks every client's sequence
// (gaps, duplicates, missing) and prints one JSON line of results: deliveries
// per second, latency percentiles from commit to receipt, and the CPU of the
// server, the database, itself and the whole machine. Its output and its
// command line mirror the peer baseline's Node client (bench/peer-node), so
// both gateways are measured with the same load. See docs/benchmarks.md.

#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <dirent.h>
#include <pqxx/pqxx>
#include <unistd.h>

#include "load_stats.hpp"
#include "protocol/client_sequence.hpp"
#include "protocol/json_codec.hpp"
#include "protocol/time_format.hpp"
#include "runtime/config.hpp"
#include "runtime/jwt.hpp"
#include "runtime/random_uuid.hpp"

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace draft;
using namespace draft::load;

namespace {

struct options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::vector<int> ports; ///< --ports: clients spread over several nodes
  int connections = 100;
  int drafts = 10;
  double rate = 0;
  double warmup = 0;
  double duration = 10;
  double drain = 10;
  double hold = 0;
  int threads = 1;
  int server_pid = 0;
  int db_pid = 0;
  std::string label;
};

double wall_ms() {
  return static_cast<double>(now_utc()) / 1000.0;
}

// -- /proc sampling -----------------------------------------------------------

long clock_ticks() {
  return sysconf(_SC_CLK_TCK);
}

// utime+stime of `pid` (or only its utime when `user_only`), and of its
// direct children when `tree`.
long long process_ticks(int pid, bool tree, bool user_only = false) {
  if (pid <= 0)
    return -1;
  long long total = 0;
  auto read_stat = [user_only](const std::string& path, int& parent) -> long long {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto close = text.rfind(')');
    if (close == std::string::npos)
      return -1;
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    std::vector<std::string> v;
    while (fields >> f)
      v.push_back(f);
    if (v.size() < 13)
      return -1;
    parent = std::stoi(v[1]);
    return std::stoll(v[11]) + (user_only ? 0 : std::stoll(v[12]));
  };
  int parent = 0;
  total = read_stat("/proc/" + std::to_string(pid) + "/stat", parent);
  if (!tree || total < 0)
    return total;
  if (auto dir = opendir("/proc")) {
    while (auto entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
        continue;
      int p = 0;
      auto t = read_stat("/proc/" + name + "/stat", p);
      if (t >= 0 && p == pid)
        total += t;
    }
    closedir(dir);
  }
  return total;
}

long long status_bytes(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0)
      return std::stoll(line.substr(key.size() + 1)) * 1024;
  return -1;
}

std::pair<long long, long long> machine_ticks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  long long v, total = 0, idle = 0;
  for (int i = 0; in >> v && i < 10; ++i) {
    total += v;
    if (i == 3 || i == 4)
      idle += v;
  }
  return {total - idle, total};
}

double own_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
         + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// -- clients ------------------------------------------------------------------

// Finds `"key":` at the top of a frame and reads the number after it.
struct client {
  explicit client(asio::io_context& io) : ws(std::in_place, io) {}
  std::optional<websocket::stream<beast::tcp_stream>> ws; // fresh per connection
  beast::flat_buffer buffer;
  int draft = 0;
  int node = 0;        ///< index into the ports
  bool remote = false; ///< its node does not own its draft (a cluster hop)
  client_sequence sequence;           ///< the protocol's seq rule
  std::atomic<std::int64_t> last{0};  ///< its last_seq, for the main thread
  bool open = false;
  bool resuming = false;              ///< a resume message is being written
  std::string resume_text;
};

// One thread's share of the connections.
class client_group {
public:
  client_group(const options& opts, const std::vector<std::string>& draft_ids,
               const std::vector<std::string>& tokens,
               std::vector<std::pair<int, int>> drafts_and_nodes,
               const std::vector<int>& owner_nodes)
    : opts_(opts), draft_ids_(draft_ids), tokens_(tokens) {
    for (auto [d, node] : drafts_and_nodes) {
      clients_.push_back(std::make_unique<client>(io_));
      clients_.back()->draft = d;
      clients_.back()->node = node;
      clients_.back()->remote
        = !owner_nodes.empty() && owner_nodes[static_cast<size_t>(d)] != node;
    }
  }

  void start() {
    thread_ = std::thread([this] {
      for (int i = 0; i < 100 && next_ < clients_.size(); ++i)
        connect_next();
      auto guard = asio::make_work_guard(io_);
      io_.run();
    });
  }

  void stop() {
    io_.stop();
    if (thread_.joinable())
      thread_.join();
  }

  bool connecting_done() const { return done_ == clients_.size(); }
  std::size_t opened() const { return opened_; }
  const std::map<std::string, int>& errors() const { return errors_; }
  void measure_from(double ms) { measure_from_ = ms; }
  const load_stats& stats() const { return stats_; }
  const std::vector<std::unique_ptr<client>>& clients() const { return clients_; }

private:
  void connect_next() {
    if (next_ >= clients_.size())
      return;
    open(clients_[next_++].get(), false);
  }

  // Connects `c` to its node; a resume (after a dropped connection) asks for
  // the events after the last one it applied, as the apps do.
  void open(client* c, bool resume) {
    auto target = "/drafts/" + draft_ids_[static_cast<size_t>(c->draft)]
                  + "/connect?token=" + tokens_[static_cast<size_t>(c->draft)];
    if (resume)
      target += "&last_seq=" + std::to_string(c->last.load());
    tcp::endpoint ep(asio::ip::make_address(opts_.host),
                     static_cast<unsigned short>(
                       opts_.ports[static_cast<size_t>(c->node)]));
    auto& ws = *c->ws;
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(ws).async_connect(
      ep, [this, c, target, resume](beast::error_code ec) {
        if (ec)
          return resume ? retry(c) : failed(c, "connect: " + ec.message());
        beast::error_code ignored;
        beast::get_lowest_layer(*c->ws).socket().set_option(tcp::no_delay(true),
                                                            ignored);
        c->ws->async_handshake(opts_.host, target, [this, c, resume](
                                                     beast::error_code ec) {
          if (ec)
            return resume ? retry(c) : failed(c, "handshake: " + ec.message());
          beast::get_lowest_layer(*c->ws).expires_never();
          c->open = true;
          read(c);
          if (resume) {
            ++stats_.reconnects;
            return;
          }
          ++opened_;
          ++done_;
          connect_next();
        });
      });
  }

  // The connection dropped (a node went away): the next node, shortly.
  void retry(client* c) {
    c->node = (c->node + 1) % static_cast<int>(opts_.ports.size());
    auto timer = std::make_shared<asio::steady_timer>(io_);
    timer->expires_after(std::chrono::milliseconds(200));
    timer->async_wait([this, c, timer](beast::error_code ec) {
      if (ec)
        return;
      c->ws.emplace(io_);
      c->resuming = false;
      c->buffer.consume(c->buffer.size());
      open(c, true);
    });
  }

  void failed(client* c, const std::string& why) {
    (void) c;
    ++errors_[why];
    ++done_;
    connect_next();
  }

  void read(client* c) {
    c->ws->async_read(c->buffer, [this, c](beast::error_code ec, std::size_t) {
      if (ec) {
        if (c->open) {
          ++stats_.disconnects;
          c->open = false;
          retry(c);
        }
        return;
      }
      on_message(c, beast::buffers_to_string(c->buffer.data()));
      c->buffer.consume(c->buffer.size());
      read(c);
    });
  }

  // A gap (events missed) asks for a replay, as every client does.
  void resume(client* c) {
    if (c->resuming || !c->open)
      return;
    c->resuming = true;
    c->resume_text = c->sequence.resume_message();
    c->ws->async_write(asio::buffer(c->resume_text),
                       [c](beast::error_code, std::size_t) { c->resuming = false; });
  }

  void on_message(client* c, const std::string& text) {
    auto now = wall_ms();
    // The header alone: decoding every payload would cost this client more
    // than the server spends on the frame (tests and bots decode in full).
    auto message = json::peek_server_frame(text);
    if (!message) {
      ++errors_["malformed frame: " + message.error().to_string()];
      return;
    }
    auto missing_before = c->sequence.missing();
    auto seen = c->sequence.take(*message);
    c->last = c->sequence.last_seq() < 0 ? 0 : c->sequence.last_seq();
    if (seen == client_sequence::verdict::snapshot
        || seen == client_sequence::verdict::other) {
      ++stats_.other; // ticks, presence, pongs are not deliveries
      return;
    }
    ++stats_.deliveries;
    stats_.delivered_bytes += text.size();
    stats_.last_receive_ms = now;
    if (now >= measure_from_)
      ++stats_.in_window;
    if (seen == client_sequence::verdict::duplicate) {
      ++stats_.duplicates;
      return;
    }
    if (seen == client_sequence::verdict::gap) {
      stats_.gaps += c->sequence.missing() - missing_before;
      return resume(c);
    }
    double created_ms = static_cast<double>(message->time) / 1000.0;
    if (created_ms < measure_from_)
      return; // warm-up: checked for order, not timed
    stats_.latency.add(now - created_ms);
    (c->remote ? stats_.remote_latency : stats_.local_latency)
      .add(now - created_ms);
  }

  const options& opts_;
  const std::vector<std::string>& draft_ids_;
  const std::vector<std::string>& tokens_;
  asio::io_context io_{1};
  std::vector<std::unique_ptr<client>> clients_;
  std::size_t next_ = 0;
  std::atomic<std::size_t> done_{0};
  std::atomic<std::size_t> opened_{0};
  std::map<std::string, int> errors_;
  std::atomic<double> measure_from_{1e300};
  load_stats stats_;
  std::thread thread_;
};

// -- producer -------------------------------------------------------------------

std::string pick_made(std::int64_t seq) {
  auto team = (seq - 1) % 12 + 1;
  return "{\"pick_id\":\"" + random_uuid() + "\",\"player_id\":\"" + random_uuid()
         + "\",\"team_id\":\"" + random_uuid() + "\",\"round\":"
         + std::to_string((seq + 11) / 12) + ",\"pick\":" + std::to_string(team)
         + ",\"overall_pick\":" + std::to_string(seq)
         + ",\"player_name\":\"Player " + std::to_string(seq)
         + "\",\"team_name\":\"Team " + std::to_string(team)
         + "\",\"picked_at\":\"" + format_rfc3339(now_utc()) + "\"}";
}

// Inserts rate × drafts events per second, round-robin, one transaction each.
std::atomic<bool> interrupted{false};

void on_signal(int) {
  interrupted = true;
}

// Sleeps `seconds`, less if a signal comes.
void pause_unless_interrupted(double seconds) {
  auto until = std::chrono::steady_clock::now()
               + std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  while (!interrupted && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

std::vector<std::int64_t> produce(const options& opts,
                                  const std::vector<std::string>& draft_ids,
                                  const std::string& insert_query,
                                  double& seconds) {
  pqxx::connection db(std::getenv("DATABASE_URL") ? std::getenv("DATABASE_URL")
                                                  : "");
  db.prepare("insert", insert_query);
  std::vector<std::int64_t> seqs(draft_ids.size(), 0);
  auto total = static_cast<long long>(opts.rate * opts.drafts
                                      * (opts.warmup + opts.duration));
  double per_ms = opts.rate * opts.drafts / 1000.0;
  auto start = std::chrono::steady_clock::now();
  for (long long n = 0; n < total && !interrupted; ++n) {
    auto due = start + std::chrono::microseconds(
                         static_cast<long long>(static_cast<double>(n) / per_ms * 1000));
    std::this_thread::sleep_until(due);
    auto d = static_cast<size_t>(n % opts.drafts);
    ++seqs[d];
    pqxx::nontransaction tx(db);
    tx.exec_prepared("insert", random_uuid(), draft_ids[d], seqs[d],
                     pick_made(seqs[d]));
  }
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
              .count();
  return seqs;
}

// -- main -----------------------------------------------------------------------

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
  namespace http = beast::http;
  for (std::size_t at = 0; at < draft_ids.size(); at += 100) {
    std::string list;
    for (auto i = at; i < std::min(at + 100, draft_ids.size()); ++i)
      list += (list.empty() ? "" : ",") + draft_ids[i];
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(tcp::endpoint(asio::ip::make_address(opts.host),
                                 static_cast<unsigned short>(opts.ports[0])));
    http::request<http::empty_body> req{http::verb::get,
                                        "/admin/api/owners?drafts=" + list, 11};
    req.set(http::field::host, opts.host);
    req.set(http::field::authorization, "Bearer " + admin_token);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    for (auto i = at; i < std::min(at + 100, draft_ids.size()); ++i) {
      auto key = "\"" + draft_ids[i] + "\":\"n";
      auto found = res.body().find(key);
      out.push_back(found == std::string::npos
                      ? -1
                      : std::atoi(res.body().c_str() + found + key.size()) - 1);
    }
  }
  return out;
}

std::string fixed(double v, int digits = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
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
    tokens.push_back(sign_hs256("{\"sub\":\"load-" + std::to_string(d)
                                  + "\",\"exp\":" + std::to_string(exp)
                                  + ",\"drafts\":[\"" + draft_ids.back() + "\"]}",
                                secret));
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
    sign_hs256("{\"sub\":\"loadgen\",\"role\":\"admin\",\"exp\":"
                 + std::to_string(exp) + "}",
               secret));
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
  std::string out = "{\"label\":\"" + opts.label + "\",\"connections\":"
                    + std::to_string(opts.connections) + ",\"connected\":"
                    + std::to_string(connected) + ",\"connect_errors\":{";
  bool first = true;
  for (auto& [k, v] : errors) {
    out += (first ? "\"" : ",\"") + k + "\":" + std::to_string(v);
    first = false;
  }
  out += "},\"drafts\":" + std::to_string(opts.drafts) + ",\"workers\":"
         + std::to_string(threads) + ",\"connect_s\":" + fixed(connect_s, 1);

  if (opts.rate <= 0) {
    pause_unless_interrupted(opts.hold);
    if (opts.server_pid) {
      auto rss = status_bytes(opts.server_pid, "VmRSS");
      out += ",\"hold_s\":" + fixed(opts.hold, 0) + ",\"server_rss_bytes\":"
             + std::to_string(rss) + ",\"server_hwm_bytes\":"
             + std::to_string(status_bytes(opts.server_pid, "VmHWM"))
             + ",\"server_rss_before_bytes\":" + std::to_string(rss_before);
      if (connected > 0)
        out += ",\"rss_bytes_per_connection\":"
               + std::to_string((rss - rss_before) / static_cast<long long>(connected));
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
          if (c->open && c->last < seqs[static_cast<size_t>(c->draft)])
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
        auto want = seqs[static_cast<size_t>(c->draft)];
        expected += want;
        missing += std::max<long long>(0, want - c->last);
      }
    }
    double elapsed = std::chrono::duration<double>(end.t - start.t).count();
    double tck = static_cast<double>(clock_ticks());
    auto pct = [&](long long ticks) { return fixed(ticks / tck / elapsed * 100, 1); };
    long long inserted = 0;
    for (auto s : seqs)
      inserted += s;
    double window = (std::max(measure_from, total.last_receive_ms) - measure_from) / 1000;
    out += ",\"rate_per_draft\":" + fixed(opts.rate, 0) + ",\"warmup_s\":"
           + fixed(opts.warmup, 0) + ",\"duration_s\":" + fixed(opts.duration, 0)
           + ",\"events_inserted\":" + std::to_string(inserted)
           + ",\"insert_rate\":" + fixed(inserted / produced_s, 1)
           + ",\"expected_deliveries\":" + std::to_string(expected)
           + ",\"deliveries\":" + std::to_string(total.deliveries)
           // The mean frame on the wire: payload plus a server frame's header
           // (2 bytes, 4 from 126 bytes up) — what ../shared/bench/floor sends.
           + ",\"frame_bytes\":"
           + std::to_string(total.deliveries
                              ? [&] {
                                  auto payload = total.delivered_bytes / total.deliveries;
                                  return payload + (payload < 126 ? 2 : 4);
                                }()
                              : 0)
           + ",\"timed_deliveries\":" + std::to_string(total.latency.total())
           + ",\"deliveries_per_s\":"
           + std::to_string(window > 0 ? static_cast<long long>(total.in_window / window) : 0)
           + ",\"latency_ms\":{\"p50\":" + fixed(total.latency.quantile(0.5))
           + ",\"p90\":" + fixed(total.latency.quantile(0.9))
           + ",\"p99\":" + fixed(total.latency.quantile(0.99))
           + ",\"max\":" + fixed(total.latency.max()) + "}"
           + (owners.empty()
                ? std::string()
                : ",\"nodes\":" + std::to_string(nodes)
                    + ",\"same_node_latency_ms\":{\"p50\":"
                    + fixed(total.local_latency.quantile(0.5)) + ",\"p99\":"
                    + fixed(total.local_latency.quantile(0.99)) + ",\"n\":"
                    + std::to_string(total.local_latency.total()) + "}"
                    + ",\"cross_node_latency_ms\":{\"p50\":"
                    + fixed(total.remote_latency.quantile(0.5)) + ",\"p99\":"
                    + fixed(total.remote_latency.quantile(0.99)) + ",\"n\":"
                    + std::to_string(total.remote_latency.total()) + "}")
           + ",\"gaps\":" + std::to_string(total.gaps)
           + ",\"duplicates\":" + std::to_string(total.duplicates)
           + ",\"missing\":" + std::to_string(missing)
           + ",\"disconnects\":" + std::to_string(total.disconnects)
           + ",\"reconnects\":" + std::to_string(total.reconnects)
           + ",\"other_messages\":" + std::to_string(total.other)
           + ",\"client_cpu_pct\":" + fixed((end.own - start.own) / elapsed * 100, 1)
           + ",\"machine_busy_pct\":"
           + fixed(100.0 * static_cast<double>(end.machine.first - start.machine.first)
                     / static_cast<double>(end.machine.second - start.machine.second),
                   1);
    if (opts.db_pid)
      out += ",\"db_cpu_pct\":" + pct(end.db - start.db);
    if (opts.server_pid) {
      auto ticks = end.server - start.server;
      auto user = end.server_user - start.server_user;
      // CPU per delivery, in all and split: user space (the server's own
      // work) and system (the kernel: system calls and the TCP path).
      auto per_delivery = [&](long long t) {
        return total.in_window ? fixed(t / tck * 1e6 / static_cast<double>(total.in_window), 2)
                               : std::string("null");
      };
      out += ",\"server_cpu_pct\":" + pct(ticks) + ",\"server_cpu_us_per_delivery\":"
             + per_delivery(ticks) + ",\"server_user_us_per_delivery\":" + per_delivery(user)
             + ",\"server_system_us_per_delivery\":" + per_delivery(ticks - user)
             + ",\"server_rss_bytes\":"
             + std::to_string(status_bytes(opts.server_pid, "VmRSS"));
    }
  }
  for (auto& g : groups)
    g->stop();
  if (interrupted)
    out += ",\"interrupted\":true";
  std::printf("%s}\n", out.c_str());
  std::fflush(stdout);
  std::_Exit(0); // thousands of sockets: let the kernel close them
}
