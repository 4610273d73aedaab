// draft-bots: a demo draft played by bots. It creates a draft through the
// orchestrator, starts it, and runs one bot per team and a number of
// watchers, spread over the gateway nodes. Each bot watches its WebSocket
// and, when its team is on the clock, thinks a few seconds and picks one of
// the best available players (a pick the clock beat is a 409, ignored: the
// orchestrator autopicked). Every client moves to the next node if its
// connection drops and resumes with ?last_seq= (protocol/client_session.hpp).
// Prints the draft id first, then one JSON log line per pick; exits when the
// draft completes, or within a few seconds of SIGINT/SIGTERM (every thread
// is joined).
//
//   draft-bots --orchestrator 127.0.0.1:8070
//              --gateways 127.0.0.1:8080,127.0.0.1:8081
//              [--teams 12] [--rounds 15] [--clock 30] [--watchers 24]
//              [--open-seats 0]
//   (DRAFT_JWT_SECRET signs the bots' tokens)
// With --open-seats N the last N teams get no bot (a person takes the seat
// in the draft room page; the clock autopicks for them otherwise); a line
// "open-seat <team_id> <name>" follows the draft id for each.

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "protocol/time_format.hpp"
#include "runtime/http_client.hpp"
#include "runtime/config.hpp"
#include "runtime/jwt.hpp"
#include "protocol/client_session.hpp"
#include "protocol/json_codec.hpp"
#include "protocol/json_writer.hpp"
#include "runtime/logger.hpp"
#include "runtime/ws_client.hpp"


namespace {

struct endpoint {
  std::string host;
  std::string port;
};

endpoint parse_endpoint(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return {text, "80"};
  return {text.substr(0, colon), text.substr(colon + 1)};
}

struct settings {
  endpoint orchestrator{"127.0.0.1", "8070"};
  std::vector<draft::gateway_address> gateways;
  int teams = 12;
  int rounds = 15;
  int clock = 30;
  int watchers = 24;
  int open_seats = 0; ///< the last N teams get no bot: a person may pick
  std::string secret;
};

// A day-long token for `sub` (with a team, a role) that may read `draft`.
std::string token(const settings& s, const std::string& sub,
                  const std::string& draft, const std::string& team_id = "",
                  const std::string& role = "") {
  auto exp = draft::now_utc() / 1'000'000 + 24 * 3600;
  return draft::sign_hs256(
    draft::json::write_object([&](draft::json::object_writer& o) {
      o.num("exp", exp)
        .str("sub", sub)
        .optional_str("team_id", team_id)
        .optional_str("role", role)
        .strings("drafts", std::vector<std::string>{draft});
    }),
    s.secret);
}

// One blocking HTTP/1.1 request.
draft::http_result call(const endpoint& to, const std::string& method,
                        const std::string& target, const std::string& bearer,
                        const std::string& body = "") {
  return draft::http_request(to.host, to.port, method, target, bearer, body);
}

// Set when the draft completed or a signal asked the bots to stop.
std::atomic<bool> completed{false};
std::mutex pickers_mutex;
std::vector<std::thread> pickers;

// Waits for SIGINT or SIGTERM (blocked in every thread), then stops.
void stop_on_signal(sigset_t signals) {
  int received = 0;
  sigwait(&signals, &received);
  draft::logger::get("bots").info("stopping", {{"signal", received}});
  completed = true; // every client looks at it at least twice a second
}

// Picks one of the five best available players for the team on the clock.
void pick(const settings& s, const std::string& draft_id,
          const std::string& team_name, const std::string& team_token,
          std::int64_t overall_pick, int think_ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(think_ms));
  if (completed)
    return;
  auto page = call(s.orchestrator, "GET",
                   "/api/drafts/" + draft_id
                     + "/players?available=true&limit=5",
                   team_token);
  rapidjson::Document doc;
  doc.Parse(page.body.c_str());
  if (page.status != 200 || !doc.IsObject() || !doc.HasMember("players")
      || doc["players"].Empty())
    return;
  auto& players = doc["players"];
  auto& choice
    = players[static_cast<rapidjson::SizeType>(think_ms % players.Size())];
  std::string player = choice["player_id"].GetString();
  auto res = call(s.orchestrator, "POST",
                  "/api/drafts/" + draft_id + "/picks", team_token,
                  draft::json::write_object([&](draft::json::object_writer& o) {
                    o.str("player_id", player);
                  }));
  draft::logger::get("bots").info(
    res.status == 201 ? "picked" : "pick refused",
    {{"team", team_name},
     {"overall_pick", overall_pick},
     {"player", choice.HasMember("name") ? choice["name"].GetString() : player},
     {"status", res.status}});
}

// A WebSocket client of the draft: the product's blocking client and its
// session (protocol/client_session.hpp) — on a drop it reconnects where and
// when the session says, resuming with ?last_seq=; a gap asks for a replay.
// A bot (with a team) picks when its team is on the clock.
void client(const settings& s, const std::string& draft_id, int index,
            const std::string& team_id, const std::string& team_name) {
  auto bearer
    = team_id.empty()
        ? token(s, "watcher-" + std::to_string(index), draft_id)
        : token(s, "bot-" + std::to_string(index), draft_id, team_id);
  std::mt19937 random(static_cast<unsigned>(index * 7919 + draft::now_utc() % 1000));
  draft::client_session session(draft_id,
                                std::make_shared<const std::vector<
                                  draft::gateway_address>>(s.gateways),
                                static_cast<std::size_t>(index), {},
                                static_cast<std::uint32_t>(random()));
  auto& log = draft::logger::get("bots");
  auto wait = [](std::chrono::milliseconds d) {
    for (auto until = std::chrono::steady_clock::now() + d;
         !completed && std::chrono::steady_clock::now() < until;)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  };
  while (!completed) {
    auto node = session.node();
    int status = 0;
    std::string body;
    auto ws = draft::ws_client::connect(node.port, session.target(), bearer,
                                        status, body, 0, node.host);
    if (!ws) {
      auto next = session.refused(status);
      if (next.action == draft::close_action::give_up) {
        log.error("the gateway refused this client; giving up",
                  {{"client", index}, {"status", status}, {"reason", next.reason},
                   {"body", body}});
        return;
      }
      wait(next.delay);
      continue;
    }
    session.opened();
    while (!completed) {
      auto text = ws->read(std::chrono::milliseconds(500));
      if (!text) {
        if (ws->closed())
          break;
        continue; // a quiet moment: look at `completed` again
      }
      auto message = draft::json::decode_server_message(*text);
      if (!message) {
        log.warn("malformed server frame", {{"error", message.error().to_string()}});
        continue;
      }
      std::string reply;
      auto seen = session.take(*message, reply);
      if (!reply.empty()) {
        ws->send(reply); // a gap: ask for the replay
        continue;
      }
      std::optional<std::pair<std::string, std::int64_t>> on_clock; // team, overall
      if (auto snap = std::get_if<draft::json::snapshot_message>(&*message)) {
        if (snap->snapshot.pick)
          on_clock.emplace(snap->snapshot.pick->team_id,
                           snap->snapshot.pick->overall_pick);
      } else if (seen == draft::client_sequence::verdict::applied) {
        auto& event = std::get<draft::draft_event>(*message);
        if (event.type() == draft::event_type::draft_completed) {
          completed = true;
          return;
        }
        if (auto started = std::get_if<draft::pick_started_payload>(&event.data))
          on_clock.emplace(started->team_id, started->overall_pick);
      }
      if (on_clock && !team_id.empty() && on_clock->first == team_id) {
        int think_ms = 1500 + static_cast<int>(random() % 4000);
        std::lock_guard<std::mutex> guard(pickers_mutex);
        pickers.emplace_back(pick, std::cref(s), draft_id, team_name,
                             bearer, on_clock->second, think_ms);
      }
    }
    if (completed)
      return;
    auto next = session.closed(ws->close_code());
    log.info("connection ended; reconnecting",
             {{"client", index},
              {"node", node.host + ":" + std::to_string(node.port)},
              {"close_code", ws->close_code()},
              {"then", draft::to_string(next.action)}});
    if (next.action == draft::close_action::give_up)
      return;
    wait(next.delay);
  }
}

int usage(const char* why) {
  std::fprintf(stderr,
               "draft-bots: %s\nusage: draft-bots --gateways HOST:PORT[,...] "
               "[--orchestrator HOST:PORT] [--teams N] [--rounds N] "
               "[--clock SEC] [--watchers N] [--open-seats N]\n(DRAFT_JWT_SECRET signs the "
               "tokens)\n",
               why);
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  settings s;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    try {
      if (k == "--orchestrator")
        s.orchestrator = parse_endpoint(v);
      else if (k == "--gateways") {
        for (auto& gateway : draft::split_list(v)) {
          auto e = parse_endpoint(gateway);
          auto port = std::stoi(e.port);
          if (port <= 0 || port > 65535)
            throw std::out_of_range("port");
          s.gateways.push_back({e.host, static_cast<std::uint16_t>(port)});
        }
      } else if (k == "--teams")
        s.teams = std::stoi(v);
      else if (k == "--rounds")
        s.rounds = std::stoi(v);
      else if (k == "--clock")
        s.clock = std::stoi(v);
      else if (k == "--watchers")
        s.watchers = std::stoi(v);
      else if (k == "--open-seats")
        s.open_seats = std::stoi(v);
      else
        return usage(("unknown option " + k).c_str());
    } catch (const std::exception&) {
      return usage(("bad value for " + k + ": " + v).c_str());
    }
  }
  if (argc % 2 == 0)
    return usage("every option takes a value");
  if (s.gateways.empty())
    return usage("--gateways is required");
  if (auto secret = std::getenv("DRAFT_JWT_SECRET"); secret && *secret)
    s.secret = secret;
  else
    return usage("DRAFT_JWT_SECRET is not set");
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr); // inherited by every thread
  std::thread(stop_on_signal, signals).detach();
  auto commissioner
    = token(s, "demo-commissioner", "*", "", "commissioner");
  std::vector<std::string> teams;
  for (int i = 1; i <= s.teams; ++i)
    teams.push_back("Bots " + std::to_string(i));
  auto created = call(s.orchestrator, "POST", "/api/drafts", commissioner,
                      draft::json::write_object([&](draft::json::object_writer& o) {
                        o.str("type", "snake")
                          .num("rounds", s.rounds)
                          .num("time_per_pick_sec", s.clock)
                          .strings("teams", teams);
                      }));
  rapidjson::Document doc;
  doc.Parse(created.body.c_str());
  if (created.status != 201 || !doc.IsObject()) {
    std::fprintf(stderr, "draft-bots: creating the draft failed (%d): %s\n",
                 created.status, created.body.c_str());
    return 1;
  }
  std::string draft_id = doc["draft_id"].GetString();
  std::printf("%s\n", draft_id.c_str());
  std::vector<std::thread> clients;
  int index = 0;
  auto all_teams = doc["teams"].GetArray();
  int bots = static_cast<int>(all_teams.Size()) - std::max(0, s.open_seats);
  for (auto& team : all_teams) {
    std::string id = team["team_id"].GetString(), name = team["name"].GetString();
    if (index >= bots) {
      std::printf("open-seat %s %s\n", id.c_str(), name.c_str());
      ++index;
      continue;
    }
    clients.emplace_back(client, std::cref(s), draft_id, index++, id, name);
  }
  std::fflush(stdout);
  for (int w = 0; w < s.watchers; ++w)
    clients.emplace_back(client, std::cref(s), draft_id, index++, "", "");
  auto started = call(s.orchestrator, "POST",
                      "/api/drafts/" + draft_id + "/start", commissioner);
  if (started.status != 200) {
    std::fprintf(stderr, "draft-bots: starting the draft failed (%d): %s\n",
                 started.status, started.body.c_str());
    std::_Exit(1);
  }
  draft::logger::get("bots").info("draft started",
                                  {{"draft_id", draft_id},
                                   {"bots", s.teams},
                                   {"watchers", s.watchers}});
  for (auto& t : clients)
    t.join();
  {
    std::lock_guard<std::mutex> guard(pickers_mutex);
    for (auto& t : pickers)
      t.join();
  }
  draft::logger::get("bots").info("bots stopped", {{"draft_id", draft_id}});
  return 0;
}
