// The client SDK (protocol/js) against the real 3-node cluster, in Node and
// in headless Chromium. The Node programs (tests/browser/) drive the clients
// and pages; this side runs the cluster, kills and restarts nodes, and
// compares what the clients ended with against the database.
//
//   - 50 SDK clients in Node on a 1 s autopick draft; node n2 is SIGKILLed
//     mid-draft and restarted; every client's board equals
//     GET /api/drafts/{id}/state plus the picks API, and its event log equals
//     the outbox; presence reached every client cluster-wide.
//   - The draft room page: two team pages and a watcher; the team on the
//     clock picks by clicking; the other pages show the pick; presence shows
//     both teams; the watcher's node is killed, and the page shows resuming,
//     then live, with the database's board (screenshots in
//     build/test-artifacts/).

#include <csignal>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gateway_fixture.hpp"
#include "support/http_client.hpp"

using namespace draft::testing;

namespace {

const std::string browser_dir = DRAFT_SOURCE_DIR "/tests/browser";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string temp_path(const std::string& name) {
  return "/tmp/draft-e2e-" + std::to_string(getpid()) + "-" + name;
}

// The teams of a draft in draft order: (team_id, name).
std::vector<std::pair<std::string, std::string>> teams_of(gateway_fixture& f,
                                                          const std::string& draft) {
  auto res = http_call(f.orchestrator_port(), "GET", "/api/drafts/" + draft, "",
                       commissioner());
  rapidjson::Document doc;
  doc.Parse(res.body.c_str());
  std::vector<std::pair<std::string, std::string>> teams;
  if (res.status == 200 && doc.IsObject())
    for (auto& t : doc["teams"].GetArray())
      teams.emplace_back(t["team_id"].GetString(), t["name"].GetString());
  return teams;
}

std::string team_token(const std::string& sub, const std::string& team) {
  return signed_token("\"sub\":\"" + sub + "\",\"team_id\":\"" + team
                      + "\",\"drafts\":[\"*\"]");
}

// The board the database has: the state body and every picks page, as
// {status, completed_picks, total_picks, last_seq, picks: [[overall, pick_id,
// player_id, team_id], …]} in one canonical JSON text.
std::string database_board(int port, const std::string& draft) {
  auto token = reader_token("checker");
  rapidjson::Document state;
  state.Parse(http_call(port, "GET", "/api/drafts/" + draft + "/state", "", token)
                .body.c_str());
  if (!state.IsObject())
    return "no state";
  std::vector<std::string> picks;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    auto path = "/api/drafts/" + draft + "/picks?limit=100"
                + (cursor.empty() ? "" : "&cursor=" + cursor);
    rapidjson::Document doc;
    doc.Parse(http_call(port, "GET", path, "", token).body.c_str());
    if (!doc.IsObject())
      return "no picks page";
    for (auto& p : doc["picks"].GetArray())
      picks.push_back("[" + std::to_string(p["overall_pick"].GetInt()) + ",\""
                      + p["pick_id"].GetString() + "\",\"" + p["player_id"].GetString()
                      + "\",\"" + p["team_id"].GetString() + "\"]");
    if (!doc["next_cursor"].IsString())
      break;
    cursor = doc["next_cursor"].GetString();
  }
  std::sort(picks.begin(), picks.end(), [](const std::string& a, const std::string& b) {
    return std::stoi(a.substr(1)) < std::stoi(b.substr(1));
  });
  std::string list;
  for (auto& p : picks)
    list += (list.empty() ? "" : ",") + p;
  return "{\"status\":\"" + std::string(state["status"].GetString())
         + "\",\"completed_picks\":" + std::to_string(state["completed_picks"].GetInt())
         + ",\"total_picks\":" + std::to_string(state["total_picks"].GetInt())
         + ",\"last_seq\":" + std::to_string(state["last_seq"].GetInt64())
         + ",\"picks\":[" + list + "]}";
}

// Runs `node script config.json` in the background, its output in a log.
std::unique_ptr<child_process> run_node(const std::string& script,
                                        const std::string& config,
                                        const std::string& log) {
  return std::make_unique<child_process>(
    "/usr/bin/env", std::vector<std::string>{"node", browser_dir + "/" + script, config},
    std::map<std::string, std::string>{}, log);
}

bool log_has(const std::string& log, const std::string& line) {
  return read_file(log).find(line) != std::string::npos;
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out;
  for (auto& i : items)
    out += (out.empty() ? "\"" : ",\"") + i + "\"";
  return "[" + out + "]";
}

} // namespace

TEST(client_sdk, fifty_clients_in_node_survive_a_node_kill_and_match_the_database) {
  gateway_fixture f({}, 3);
  auto draft = f.create_draft(4, 4, 1);
  auto teams = teams_of(f, draft);
  ASSERT_EQ(teams.size(), 4u);
  std::vector<std::string> urls;
  for (int n = 0; n < 3; ++n)
    urls.push_back("ws://127.0.0.1:" + std::to_string(f.gateway_port(n)));
  // 8 team connections (two per team) and 42 viewers.
  std::string clients;
  for (int i = 0; i < 50; ++i) {
    std::string name = "sdk-" + std::to_string(i);
    auto token = i < 8 ? team_token(name, teams[i % 4].first) : reader_token(name);
    clients += std::string(i ? "," : "") + "{\"name\":\"" + name + "\",\"token\":\""
               + token + "\"}";
  }
  auto results = temp_path("sdk-results.json");
  std::remove(results.c_str());
  auto config = temp_path("sdk-config.json");
  std::ofstream(config) << "{\"sdk\":\"" DRAFT_SDK_DIR "\",\"ws\":\"" DRAFT_WS_MODULE
                        << "\",\"urls\":" << json_list(urls) << ",\"draftId\":\"" << draft
                        << "\",\"clients\":[" << clients
                        << "],\"presence\":{\"teams\":4,\"perTeam\":2,\"viewers\":42}"
                        << ",\"results\":\"" << results << "\",\"timeoutSec\":150}";
  auto log = temp_path("sdk-clients.log");
  auto node = run_node("sdk_cluster_clients.mjs", config, log);
  // Every client live, and each sees the whole room (all three nodes' counts
  // summed on the owner).
  ASSERT_TRUE(gateway_fixture::eventually([&] { return log_has(log, "ready"); }, 90))
    << read_file(log);
  ASSERT_EQ(f.command(draft, "start"), 200);
  ASSERT_TRUE(gateway_fixture::eventually([&] { return f.outbox(draft).size() >= 10; }, 60));
  f.gateway(1).process->signal(SIGKILL);
  std::printf("node n2 killed at outbox row %zu\n", f.outbox(draft).size());
  f.restart(1);
  ASSERT_TRUE(gateway_fixture::eventually(
    [&] {
      return f.scalar("SELECT count(*) FROM drafts WHERE id = '" + draft
                      + "' AND status = 'COMPLETED'")
             == 1;
    },
    90));
  ASSERT_TRUE(gateway_fixture::eventually([&] { return !node->running(); }, 120))
    << read_file(log);
  std::printf("%s", read_file(log).c_str());
  ASSERT_TRUE(log_has(log, "done")) << read_file(log);

  rapidjson::Document doc;
  doc.Parse(read_file(results).c_str());
  ASSERT_TRUE(doc.IsArray()) << results;
  ASSERT_EQ(doc.Size(), 50u);
  auto outbox = f.outbox(draft);
  auto expected_board = database_board(f.gateway_port(0), draft);
  int moved = 0;
  for (auto& c : doc.GetArray()) {
    std::string name = c["name"].GetString();
    // The log is the outbox after the client's snapshot, exactly.
    std::int64_t from = c["snapshotSeq"].GetInt64();
    std::vector<std::pair<std::int64_t, std::string>> want, got;
    for (auto& [seq, id] : outbox)
      if (seq > from)
        want.emplace_back(seq, id);
    for (auto& e : c["log"].GetArray())
      got.emplace_back(e[0].GetInt64(), e[1].GetString());
    EXPECT_EQ(got, want) << name;
    EXPECT_EQ(c["board"].GetString(), expected_board) << name;
    EXPECT_TRUE(c["sawFullRoom"].GetBool()) << name;
    moved += c["closes"].GetInt() > 0;
  }
  std::printf("clients that lost their node and moved on: %d of 50\n", moved);
  EXPECT_GT(moved, 0); // the kill reached clients, which resumed elsewhere
}

TEST(client_sdk, the_draft_room_page_picks_by_click_shows_presence_and_survives_a_node_kill) {
  gateway_fixture f({}, 3);
  auto draft = f.create_draft(2, 3, 120);
  auto teams = teams_of(f, draft);
  ASSERT_EQ(teams.size(), 2u);
  std::string artifacts = DRAFT_ARTIFACT_DIR;
  mkdir(artifacts.c_str(), 0755);
  auto page = [&](int node, const std::string& token) {
    return "http://127.0.0.1:" + std::to_string(f.gateway_port(node)) + "/drafts/" + draft
           + "?token=" + token;
  };
  auto config = temp_path("room-config.json");
  std::ofstream(config)
    << "{\"draftId\":\"" << draft << "\",\"teams\":[{\"team_id\":\"" << teams[0].first
    << "\",\"url\":\"" << page(0, team_token("manager-1", teams[0].first))
    << "\"},{\"team_id\":\"" << teams[1].first << "\",\"url\":\""
    << page(1, team_token("manager-2", teams[1].first)) << "\"}],\"watcher\":\""
    << page(2, reader_token("watcher")) << "\",\"watcherNodePid\":" << f.gateway(2).process->pid()
    << ",\"orchestrator\":\"http://127.0.0.1:" << f.orchestrator_port()
    << "\",\"commissioner\":\"" << commissioner() << "\",\"checkUrl\":\"http://127.0.0.1:"
    << f.gateway_port(0) << "\",\"checkToken\":\"" << reader_token("checker")
    << "\",\"artifacts\":\"" << artifacts << "\"}";
  auto log = temp_path("room-page.log");
  auto node = run_node("draft_room_page.mjs", config, log);
  ASSERT_TRUE(gateway_fixture::eventually([&] { return !node->running(); }, 150))
    << read_file(log);
  std::printf("%s", read_file(log).c_str());
  EXPECT_TRUE(log_has(log, "draft room: done")) << read_file(log);
  struct stat st {};
  for (auto shot : {"room-team-1.png", "room-team-2.png", "room-watcher.png"})
    EXPECT_EQ(stat((artifacts + "/" + shot).c_str(), &st), 0) << shot;
}
