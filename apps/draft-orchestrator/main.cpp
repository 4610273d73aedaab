// draft-orchestrator: the draft's write side. HTTP commands (create, start,
// pause, resume, pick) and the pick clock's autopick, each change committed
// with its outbox events in one transaction. See docs/orchestrator.md.

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "draft_commands.hpp"
#include "orchestrator_api.hpp"
#include "pick_clock.hpp"
#include "runtime/config.hpp"
#include "runtime/logger.hpp"
#include "runtime/migrations.hpp"

namespace {

std::atomic<bool> stopping{false};

void on_signal(int) {
  stopping = true;
}

int fail(const draft::problem& p) {
  draft::logger::get("orchestrator")
    .error("cannot start", {{"error", p.to_string()}});
  return 2;
}

} // namespace

int main() {
  using namespace std::chrono;
  auto& log = draft::logger::get("orchestrator");
  draft::config cfg;
  cfg.apply_environment({{"database_url", "DATABASE_URL"},
                         {"host", "ORCHESTRATOR_HOST"},
                         {"port", "ORCHESTRATOR_PORT"},
                         {"threads", "ORCHESTRATOR_THREADS"},
                         {"max_connections", "ORCHESTRATOR_MAX_CONNECTIONS"},
                         {"idle_timeout", "ORCHESTRATOR_IDLE_TIMEOUT"},
                         {"clock_interval", "ORCHESTRATOR_CLOCK_INTERVAL"},
                         {"node", "ORCHESTRATOR_NODE_ID"},
                         {"cors_origins", "ORCHESTRATOR_CORS_ORIGINS"}});
  auto url = cfg.get_string("database_url");
  if (url.empty())
    return fail({"DATABASE_URL", "is required (a PostgreSQL URL)"});
  auto port = cfg.get_int("port", 8070, 0, 65535);
  if (!port)
    return fail(port.error());
  auto threads = cfg.get_int("threads", 4, 1, 64);
  if (!threads)
    return fail(threads.error());
  auto max_connections = cfg.get_int("max_connections", 1024, 1, 1'000'000);
  if (!max_connections)
    return fail(max_connections.error());
  auto idle = cfg.get_duration("idle_timeout", seconds(30), milliseconds(100),
                               hours(1));
  if (!idle)
    return fail(idle.error());
  auto interval = cfg.get_duration("clock_interval", milliseconds(200),
                                    milliseconds(10), seconds(10));
  if (!interval)
    return fail(interval.error());
  draft::logger::set_node(cfg.get_string("node", "orchestrator"));
  auto verifier = draft::jwt_verifier_from_environment();
  if (!verifier)
    return fail(verifier.error());
  auto migrated = draft::apply_migrations(url);
  if (!migrated)
    return fail(migrated.error());

  draft::connection_pool pool(url);
  draft::draft_commands commands(pool);
  auto origins = draft::parse_origins(cfg.get_string("cors_origins"),
                                      "ORCHESTRATOR_CORS_ORIGINS", {"http", "https"});
  if (!origins)
    return fail(origins.error());
  draft::orchestrator_api api(commands, *verifier, *origins);
  draft::pick_clock clock(commands, *interval);
  draft::http_server::options opts;
  opts.host = cfg.get_string("host", "127.0.0.1");
  opts.port = static_cast<std::uint16_t>(*port);
  opts.threads = static_cast<int>(*threads);
  opts.max_connections = static_cast<int>(*max_connections);
  opts.idle_timeout = *idle;
  auto server = draft::http_server::start(
    opts, [&](const draft::http_request& r) {
      auto response = api.handle(r);
      // A write that committed may have moved a pick's timeout.
      if (r.method != "GET" && response.status < 300)
        clock.wake();
      return response;
    });
  if (!server)
    return fail(server.error());
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  log.info("listening", {{"address", opts.host + ":"
                                       + std::to_string((*server)->port())}});

  // The pick clock runs on its own thread (pick_clock.hpp); this one waits
  // for a signal.
  while (!stopping)
    std::this_thread::sleep_for(milliseconds(100));
  log.info("shutting down");
  (*server)->stop();
  return 0;
}
