// draft-gateway: one gateway node. HTTP and WebSocket on one port, a CAF
// actor system with a draft actor per live draft, the outbox poller, the
// timer-tick actor and a socket actor per connection. See docs/gateway.md.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "actors/actor_system_config.hpp"
#include "actors/admin_actor.hpp"
#include "actors/database_worker.hpp"
#include "actors/draft_directory.hpp"
#include "actors/outbox_poller.hpp"
#include "actors/timer_tick.hpp"
#include "actors/edge/gateway_context.hpp"
#include "actors/edge/gateway_server.hpp"
#include "cluster_setup.hpp"
#include "runtime/config.hpp"
#include "runtime/logger.hpp"
#include "runtime/migrations.hpp"

namespace {

std::atomic<bool> stopping{false};

void on_signal(int) {
  stopping = true;
}

int fail(const draft::problem& p) {
  draft::logger::get("gateway").error("cannot start",
                                      {{"error", p.to_string()}});
  return 2;
}

// Reads the environment into options; a bad value names its variable.
draft::result<draft::gateway_options> read_options(const draft::config& cfg) {
  using namespace std::chrono;
  draft::gateway_options o;
  o.node_id = cfg.get_string("node_id", o.node_id);
  o.host = cfg.get_string("host", o.host);
  struct int_setting {
    const char* key;
    std::int64_t fallback, min, max;
    std::function<void(std::int64_t)> set;
  };
  std::vector<int_setting> ints = {
    {"port", 8080, 0, 65535, [&](auto v) { o.port = static_cast<std::uint16_t>(v); }},
    {"threads", 2, 1, 64, [&](auto v) { o.io_threads = static_cast<int>(v); }},
    {"max_connections", 20000, 1, 1'000'000,
     [&](auto v) { o.max_connections = static_cast<int>(v); }},
    {"max_http_connections", 10000, 1, 1'000'000,
     [&](auto v) { o.max_http_connections = static_cast<int>(v); }},
    {"max_connections_per_user", 20, 1, 100000,
     [&](auto v) { o.max_connections_per_user = static_cast<int>(v); }},
    {"max_message_bytes", 4096, 64, 1 << 20,
     [&](auto v) { o.max_message_bytes = static_cast<std::size_t>(v); }},
    {"handshakes_per_second", 2000, 1, 1'000'000,
     [&](auto v) { o.handshakes_per_second = static_cast<int>(v); }},
    {"refusals_per_address", 50, 1, 1'000'000,
     [&](auto v) { o.refusals_per_address = static_cast<int>(v); }},
    {"rest_per_user", 20, 1, 1'000'000,
     [&](auto v) { o.rest_per_user = static_cast<int>(v); }},
    {"send_queue_limit", 1024, 1, 1'000'000,
     [&](auto v) { o.send_queue_limit = static_cast<std::size_t>(v); }},
    {"send_queue_bytes", 1 << 20, 4096, 1 << 30,
     [&](auto v) { o.send_queue_bytes = static_cast<std::size_t>(v); }},
    {"resumes_per_second", 1, 1, 1000,
     [&](auto v) { o.resumes_per_second = static_cast<double>(v); }},
    {"socket_send_buffer", 0, 0, 64 << 20,
     [&](auto v) { o.socket_send_buffer = static_cast<int>(v); }},
  };
  for (auto& s : ints) {
    auto v = cfg.get_int(s.key, s.fallback, s.min, s.max);
    if (!v)
      return v.error();
    s.set(*v);
  }
  auto idle = cfg.get_duration("http_idle_timeout", seconds(30),
                               milliseconds(100), hours(1));
  if (!idle)
    return idle.error();
  o.http_idle_timeout = duration_cast<milliseconds>(*idle);
  auto ws_idle = cfg.get_duration("ws_idle_timeout", seconds(300), seconds(1),
                                  hours(1));
  if (!ws_idle)
    return ws_idle.error();
  o.ws_idle_timeout = duration_cast<milliseconds>(*ws_idle);
  auto actions = cfg.get_bool("admin_actions", false);
  if (!actions)
    return actions.error();
  o.admin_actions = *actions;
  auto urls = draft::parse_origins(cfg.get_string("room_urls"), "GATEWAY_ROOM_URLS",
                                   {"ws", "wss"});
  if (!urls)
    return urls.error();
  o.room_urls = *urls;
  auto api = draft::parse_origins(cfg.get_string("room_orchestrator_url"),
                                  "GATEWAY_ROOM_ORCHESTRATOR_URL", {"http", "https"});
  if (!api)
    return api.error();
  if (api->size() > 1)
    return draft::problem{"GATEWAY_ROOM_ORCHESTRATOR_URL", "expected one URL"};
  o.room_orchestrator_url = api->empty() ? "" : api->front();
  return o;
}

// Stops every actor of the node and waits (at most 15 s) until they are
// done; a node that cannot stop in that time says so and exits at once.
void stop_actors(caf::actor_system& system, const draft::directory_api& directory,
                 std::vector<caf::actor> node_actors) {
  {
    caf::scoped_actor self{system};
    self->request(directory, std::chrono::seconds(2), draft::actors_atom::value)
      .receive(
        [&](const std::vector<draft::draft_actor_api>& drafts) {
          for (auto& d : drafts)
            caf::anon_send_exit(d, caf::exit_reason::user_shutdown);
        },
        [](caf::error&) {});
  }
  for (auto& a : node_actors)
    if (a)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  auto done = std::async(std::launch::async,
                         [&system] { system.await_all_actors_done(); });
  if (done.wait_for(std::chrono::seconds(15)) != std::future_status::ready) {
    draft::logger::get("gateway").error("actors did not stop within 15 s; "
                                        "exiting without teardown");
    std::fflush(nullptr);
    std::_Exit(1);
  }
}

} // namespace

int main(int argc, char** argv) {
  using namespace std::chrono;
  auto& log = draft::logger::get("gateway");
  draft::config cfg;
  cfg.apply_environment({
    {"database_url", "DATABASE_URL"},
    {"node_id", "GATEWAY_NODE_ID"},
    {"host", "GATEWAY_HOST"},
    {"port", "GATEWAY_PORT"},
    {"threads", "GATEWAY_THREADS"},
    {"max_connections", "GATEWAY_MAX_CONNECTIONS"},
    {"max_http_connections", "GATEWAY_MAX_HTTP_CONNECTIONS"},
    {"http_idle_timeout", "GATEWAY_HTTP_IDLE_TIMEOUT"},
    {"ws_idle_timeout", "GATEWAY_WS_IDLE_TIMEOUT"},
    {"max_connections_per_user", "GATEWAY_MAX_CONNECTIONS_PER_USER"},
    {"max_message_bytes", "GATEWAY_MAX_MESSAGE_BYTES"},
    {"handshakes_per_second", "GATEWAY_HANDSHAKES_PER_SECOND"},
    {"refusals_per_address", "GATEWAY_REFUSALS_PER_ADDRESS"},
    {"rest_per_user", "GATEWAY_REST_PER_USER"},
    {"send_queue_limit", "GATEWAY_SEND_QUEUE_LIMIT"},
    {"send_queue_bytes", "GATEWAY_SEND_QUEUE_BYTES"},
    {"resumes_per_second", "GATEWAY_RESUMES_PER_SECOND"},
    {"replay_stall", "GATEWAY_REPLAY_STALL"},
    {"socket_send_buffer", "GATEWAY_SOCKET_SEND_BUFFER"},
    {"fallback_interval", "GATEWAY_FALLBACK_INTERVAL"},
    {"history", "GATEWAY_HISTORY"},
    {"idle_grace", "GATEWAY_IDLE_GRACE"},
    {"db_workers", "GATEWAY_DB_WORKERS"},
    {"cluster_config", "GATEWAY_CLUSTER_CONFIG"},
    {"cluster_tls_dir", "GATEWAY_CLUSTER_TLS_DIR"},
    {"admin_sample_interval", "GATEWAY_ADMIN_SAMPLE_INTERVAL"},
    {"admin_actions", "GATEWAY_ADMIN_ACTIONS"},
    {"room_urls", "GATEWAY_ROOM_URLS"},
    {"room_orchestrator_url", "GATEWAY_ROOM_ORCHESTRATOR_URL"},
  });
  auto url = cfg.get_string("database_url");
  auto options = read_options(cfg);
  if (!options)
    return fail(options.error());
  auto cluster = draft::read_cluster_membership(
    cfg.get_string("cluster_config"), options->node_id,
    cfg.get_string("cluster_tls_dir"));
  if (!cluster)
    return fail(cluster.error());
  auto jwt = *cluster ? draft::apply_cluster_settings(**cluster, *options, url)
                      : draft::jwt_settings_from_environment();
  if (!jwt)
    return fail(jwt.error());
  if (url.empty())
    return fail({"DATABASE_URL", "is required (a PostgreSQL URL)"});
  auto fallback = cfg.get_duration("fallback_interval", seconds(1),
                                    milliseconds(50), minutes(10));
  auto idle = cfg.get_duration("idle_grace", seconds(30), milliseconds(100),
                               hours(24));
  auto replay_stall = cfg.get_duration("replay_stall", seconds(10),
                                       milliseconds(100), minutes(10));
  if (!replay_stall)
    return fail(replay_stall.error());
  auto admin_interval = cfg.get_duration("admin_sample_interval", seconds(2),
                                        milliseconds(100), minutes(1));
  if (!admin_interval)
    return fail(admin_interval.error());
  auto history = cfg.get_int("history", 512, 1, 1'000'000);
  auto workers = cfg.get_int("db_workers", 3, 1, 64);
  for (auto* r : {&fallback, &idle})
    if (!*r)
      return fail(r->error());
  for (auto* r : {&history, &workers})
    if (!*r)
      return fail(r->error());
  draft::logger::set_node(options->node_id);
  // Every component exists from the start, so the admin console can set its
  // level before its first line.
  for (auto* component : {"admin", "database", "directory", "draft", "gateway",
                          "membership", "poller", "socket", "timer"})
    draft::logger::get(component);
  auto verifier = draft::jwt_verifier::create(*jwt);
  if (!verifier)
    return fail(verifier.error());
  auto migrated = draft::apply_migrations(url);
  if (!migrated)
    return fail(migrated.error());

  draft::gateway_system_config caf_config;
  // A shared queue with condition-variable wake-ups: measured here, it spends
  // half the CPU of work stealing's polling at this kind of load (bursts of
  // fan-out, idle in between), at equal or better latency. CAF's command
  // line (e.g. --scheduler.policy=stealing) still overrides it.
  caf_config.set("scheduler.policy", caf::atom("sharing"));
  caf_config.set("scheduler.max-threads", std::size_t{2});
  if (*cluster)
    draft::configure_cluster_transport(caf_config, **cluster);
  if (auto err = caf_config.parse(argc, argv))
    return fail({"arguments", caf_config.render(err)});
  caf::actor_system system{caf_config};
  std::vector<draft::database_api> database_workers;
  auto database = draft::spawn_database_pool(
    system, url, options->node_id, static_cast<int>(*workers),
    [&](draft::database_api worker) { database_workers.push_back(worker); });
  auto poller = draft::spawn_outbox_poller(system, {url, *fallback, 2000});
  auto timer = draft::spawn_timer_tick(system);
  draft::draft_actor_config draft_config{database, poller, timer,
                                         static_cast<std::size_t>(*history),
                                         *idle, options->node_id};
  draft_config.replay_batch = draft::replay_batch_for(*options);
  draft_config.replay_stall = *replay_stall;
  auto directory = draft::spawn_draft_directory(system, draft_config);
  // The admin console watches every actor through its status message alone.
  auto admin = draft::spawn_admin_actor(
    system, {options->node_id, directory, *admin_interval, seconds(1), 150,
             options->admin_actions});
  for (auto& watched : std::vector<draft::status_api>{directory, poller, timer})
    caf::anon_send(admin, draft::register_atom::value, watched);
  for (auto& worker : database_workers)
    caf::anon_send(admin, draft::register_atom::value,
                   draft::status_api{worker});
  // Every actor of the node, for stopping it.
  auto node_actors = [&](std::initializer_list<draft::status_api> more) {
    std::vector<caf::actor> all;
    for (auto& a : std::vector<draft::status_api>{admin, directory, poller,
                                                  timer, database})
      all.push_back(caf::actor_cast<caf::actor>(a));
    for (auto& a : more)
      all.push_back(caf::actor_cast<caf::actor>(a));
    return all;
  };
  draft::membership_api membership;
  if (*cluster) {
    auto joined = draft::join_cluster(system, **cluster, directory, admin);
    if (!joined) {
      stop_actors(system, directory, node_actors({}));
      return fail(joined.error());
    }
    membership = *joined;
    caf::anon_send(admin, draft::register_atom::value,
                   draft::status_api{membership});
  }
  draft::gateway_context context(system, *options, *verifier, directory,
                                 database, membership, admin);
  auto server = draft::gateway_server::start(context);
  if (!server) {
    stop_actors(system, directory, node_actors({membership}));
    return fail(server.error());
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  log.info("listening", {{"address", options->host + ":"
                                       + std::to_string((*server)->port())}});
  while (!stopping)
    std::this_thread::sleep_for(milliseconds(100));
  // Ordered teardown: no new connections, every WebSocket told 1001; then
  // the actors stop (draft actors first, so nothing is applied half-way),
  // then the lanes finish their last tasks and the destructors run.
  log.info("draining connections");
  (*server)->drain(seconds(5));
  stop_actors(system, directory, node_actors({membership}));
  (*server)->stop(seconds(2));
  log.info("stopped", {{"connections_left", context.connections()}});
  return 0;
}
