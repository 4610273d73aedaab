// The admin console against real processes: a two-node cluster with clients
// connected, its JSON API, its actions, draftctl and the page in headless
// Chromium.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "cluster_support.hpp"

namespace draft::testing {
namespace {

using namespace std::chrono_literals;

rapidjson::Document admin_post(int port, const std::string& path, int& status) {
  auto res = http_call(port, "POST", "/admin/api/" + path, "", admin_token());
  status = res.status;
  rapidjson::Document doc;
  doc.Parse(res.body.c_str());
  return doc;
}

// The id of `user`'s connection as the admin API lists it ("" if none).
std::string connection_of(int port, const std::string& user) {
  auto doc = admin_get(port, "connections");
  if (doc.IsObject())
    for (auto& c : doc["connections"].GetArray())
      if (user == c["user"].GetString())
        return c["id"].GetString();
  return "";
}

// Reads until the server closes the connection; its close code.
int close_code_of(draft_listener& client) {
  for (int i = 0; i < 200 && !client.client().closed(); ++i)
    client.read_one(100ms);
  return client.client().close_code();
}

struct admin_cluster : ::testing::Test {
  gateway_fixture f{{{"GATEWAY_ADMIN_ACTIONS", "true"}}, 2};

  void SetUp() override {
    ASSERT_TRUE(gateway_fixture::eventually(
      [&] {
        return sees_live(f.gateway_port(0), {"n1", "n2"})
               && sees_live(f.gateway_port(1), {"n1", "n2"});
      },
      20));
  }

  std::unique_ptr<draft_listener> client(const std::string& draft,
                                         const std::string& user, int node) {
    auto c = f.open(draft, user, -1, 0, node);
    EXPECT_TRUE(c && c->read_one(10s)) << user;
    return c;
  }
};

TEST_F(admin_cluster, api_reports_what_the_test_set_up) {
  auto d1 = f.create_draft(4, 3, 60);
  auto d2 = f.create_draft(4, 3, 60);
  std::vector<std::unique_ptr<draft_listener>> clients;
  for (int i = 0; i < 3; ++i)
    clients.push_back(client(d1, "a" + std::to_string(i), 0));
  for (int i = 0; i < 2; ++i)
    clients.push_back(client(d1, "b" + std::to_string(i), 1));
  clients.push_back(client(d2, "c0", 1));
  ASSERT_EQ(f.command(d1, "start"), 200);
  for (int i = 0; i < 5; ++i) // every draft actor has applied the start
    ASSERT_TRUE(clients[static_cast<std::size_t>(i)]->read_until("DraftStarted", 10s));
  int port = f.gateway_port(0);

  ASSERT_TRUE(gateway_fixture::eventually(
    [&] { return admin_get(port, "connections")["count"].GetInt() == 6; }, 10));
  auto d1_connections = admin_get(port, "connections?draft=" + d1);
  std::map<std::string, int> per_node;
  for (auto& c : d1_connections["connections"].GetArray())
    ++per_node[c["node"].GetString()];
  EXPECT_EQ(per_node, (std::map<std::string, int>{{"n1", 3}, {"n2", 2}}));

  // The draft's actors: subscribers by node, owner by the hash.
  ASSERT_TRUE(gateway_fixture::eventually(
    [&] {
      auto d = admin_get(f.gateway_port(1), "drafts/" + d1);
      return d.IsObject() && d["subscribers"].GetInt() == 5;
    },
    10));
  auto detail = admin_get(f.gateway_port(1), "drafts/" + d1);
  EXPECT_EQ(detail["subscribers_by_node"]["n1"].GetInt(), 3);
  EXPECT_EQ(detail["subscribers_by_node"]["n2"].GetInt(), 2);
  EXPECT_EQ(std::string(detail["owner"].GetString()),
            owners(port, {d1})[d1]);
  int owners_seen = 0;
  for (auto& a : detail["actors"].GetArray()) {
    auto& details = a["details"];
    owners_seen += std::string(details["role"].GetString()) == "owner";
    EXPECT_EQ(std::string(details["status"].GetString()), "IN_PROGRESS");
    EXPECT_TRUE(details.HasMember("current_pick"));
  }
  EXPECT_EQ(owners_seen, 1);

  // Nodes: both, with their sockets counted by kind.
  auto nodes = admin_get(port, "nodes");
  ASSERT_EQ(nodes["nodes"].Size(), 2u);
  for (auto& n : nodes["nodes"].GetArray()) {
    ASSERT_FALSE(n.HasMember("error")) << n["node"].GetString();
    EXPECT_EQ(n["actors"]["socket"].GetInt(), 3) << n["node"].GetString();
    EXPECT_EQ(n["actors"]["database"].GetInt(), 3); // GATEWAY_DB_WORKERS
    for (auto kind : {"directory", "poller", "timer", "membership"})
      EXPECT_EQ(n["actors"][kind].GetInt(), 1) << kind;
    EXPECT_EQ(n["stuck"].GetInt(), 0);
    EXPECT_GE(n["actors"]["draft"].GetInt(), 1);
    EXPECT_GT(n["pid"].GetInt(), 0);
    EXPECT_GT(n["rss_bytes"].GetInt64(), 0);
  }
  // Top actors, limited; sockets filtered by kind.
  auto top = admin_get(port, "actors?top=mailbox&limit=3");
  EXPECT_EQ(top["actors"].Size(), 3u);
  auto sockets = admin_get(port, "actors?top=rate&kind=socket&limit=100");
  EXPECT_EQ(sockets["actors"].Size(), 6u);
  for (auto& a : sockets["actors"].GetArray())
    EXPECT_EQ(std::string(a["kind"].GetString()), "socket");
  // The outbox and dead letters come from PostgreSQL.
  auto outbox = admin_get(port, "outbox");
  ASSERT_TRUE(outbox.IsObject());
  EXPECT_EQ(outbox["rows"].GetInt(), static_cast<int>(f.outbox(d1).size()));
  auto dead = admin_get(port, "dead-letters");
  ASSERT_TRUE(dead.IsObject());
  EXPECT_TRUE(dead["relay"].IsArray() && dead["broadcast"].IsArray());
  // A draft no node has an actor for: 404 with a body that says so (not a
  // 500, not an empty answer).
  auto missing = http_call(port, "GET", "/admin/api/drafts/00000000-0000-4000-8000-000000000000",
                           "", admin_token());
  EXPECT_EQ(missing.status, 404) << missing.body;
  rapidjson::Document why;
  why.Parse(missing.body.c_str());
  ASSERT_TRUE(why.IsObject() && why.HasMember("error")) << missing.body;
  EXPECT_EQ(std::string(why["error"].GetString()), "no_draft_actor") << missing.body;
}

TEST_F(admin_cluster, actions_disconnect_restart_dead_letters_and_log_level) {
  auto d1 = f.create_draft(4, 3, 60);
  int port = f.gateway_port(0);
  auto owner = owners(port, {d1})[d1];
  int owner_node = node_index(owner), other_node = 1 - owner_node;
  auto victim = client(d1, "victim", other_node);
  auto on_owner = client(d1, "on-owner", owner_node);
  auto elsewhere = client(d1, "elsewhere", other_node);
  ASSERT_TRUE(gateway_fixture::eventually(
    [&] { return !connection_of(port, "victim").empty(); }, 10));
  auto id = connection_of(port, "victim");

  int status = 0;
  admin_post(port, "connections/" + id + "/disconnect", status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(close_code_of(*victim), 4010);
  EXPECT_TRUE(gateway_fixture::eventually(
    [&] { return connection_of(port, "victim").empty(); }, 10));
  admin_post(port, "connections/n9-1/disconnect", status);
  EXPECT_EQ(status, 404);

  // Restart the owner's draft actor: its clients are told to reconnect
  // (1012); the other node's clients stay and keep getting events.
  ASSERT_EQ(f.command(d1, "start"), 200);
  ASSERT_TRUE(elsewhere->read_until_seq(f.outbox(d1).back().first, 10s));
  auto restarted = admin_post(port, "drafts/" + d1 + "/restart", status);
  EXPECT_EQ(status, 200) << http_call(port, "GET", "/admin/api/drafts/" + d1, "",
                                      admin_token()).body;
  EXPECT_EQ(close_code_of(*on_owner), 1012);
  ASSERT_EQ(f.pick_best(d1), 201);
  auto log = f.outbox(d1);
  ASSERT_TRUE(elsewhere->read_until_seq(log.back().first, 20s));
  EXPECT_EQ(applied(*elsewhere), log);

  // Dead letters: a relay one replayed, another discarded, a broadcast one
  // discarded.
  auto relay_a = f.scalar("UPDATE draft_outbox SET dead = true, dead_at = now(), "
                          "last_error = 'broker down (test)' WHERE draft_id = '"
                          + d1 + "' AND seq = 1 RETURNING id");
  auto relay_b = f.scalar("UPDATE draft_outbox SET dead = true, dead_at = now(), "
                          "last_error = 'broker down (test)' WHERE draft_id = '"
                          + d1 + "' AND seq = 2 RETURNING id");
  auto broadcast = f.scalar(
    "INSERT INTO broadcast_dead_letters (draft_id, connection_id, "
    "user_subject, seq, reason, node) VALUES ('" + d1
    + "', 'n1-7', 'slow', 3, 'slow consumer (test)', 'n1') RETURNING id");
  auto dead = admin_get(port, "dead-letters");
  EXPECT_EQ(dead["relay"].Size(), 2u);
  EXPECT_EQ(dead["broadcast"].Size(), 1u);
  admin_post(port, "dead-letters/relay/" + std::to_string(relay_a) + "/replay",
             status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(f.scalar("SELECT count(*) FROM draft_outbox WHERE id = "
                     + std::to_string(relay_a) + " AND NOT dead AND sent_at IS NULL"),
            1);
  admin_post(port, "dead-letters/relay/" + std::to_string(relay_b) + "/discard",
             status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(f.scalar("SELECT count(*) FROM draft_outbox WHERE id = "
                     + std::to_string(relay_b)
                     + " AND NOT dead AND sent_at IS NOT NULL AND last_error "
                       "LIKE 'discarded by ops%'"),
            1);
  admin_post(port, "dead-letters/broadcast/" + std::to_string(broadcast)
                     + "/replay",
             status);
  EXPECT_EQ(status, 400); // the client resumes by itself
  admin_post(port, "dead-letters/broadcast/" + std::to_string(broadcast)
                     + "/discard",
             status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(f.scalar("SELECT count(*) FROM broadcast_dead_letters"), 0);
  admin_post(port, "dead-letters/relay/999999/replay", status);
  EXPECT_EQ(status, 404);

  // Log levels, on every node.
  admin_post(port, "log-level?component=draft&level=debug", status);
  EXPECT_EQ(status, 200);
  for (int n = 0; n < 2; ++n)
    EXPECT_EQ(std::string(
                admin_get(f.gateway_port(n), "log-levels")["levels"]["draft"]
                  .GetString()),
              "debug");
  admin_post(port, "log-level?component=draft&level=loud", status);
  EXPECT_EQ(status, 400);
  admin_post(port, "log-level?component=nosuch&level=info", status);
  EXPECT_EQ(status, 404);
}

TEST_F(admin_cluster, draftctl_prints_what_the_api_returns) {
  auto d1 = f.create_draft(4, 3, 60);
  auto a = client(d1, "ctl-a", 0);
  auto b = client(d1, "ctl-b", 0);
  auto c = client(d1, "ctl-c", 1);
  int port = f.gateway_port(0);
  ASSERT_TRUE(gateway_fixture::eventually(
    [&] { return admin_get(port, "connections")["count"].GetInt() == 3; }, 10));
  auto ctl = "DRAFT_ADMIN_TOKEN=" + admin_token() + " " + bin_dir()
             + "/draftctl --url http://127.0.0.1:" + std::to_string(port) + " ";
  std::string out;
  ASSERT_EQ(run_command(ctl + "nodes", out), 0) << out;
  EXPECT_NE(out.find("n1    self"), std::string::npos) << out;
  EXPECT_NE(out.find("n2    alive"), std::string::npos) << out;
  ASSERT_EQ(run_command(ctl + "connections --draft " + d1, out), 0) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 4) << out; // header + 3
  for (auto user : {"ctl-a", "ctl-b", "ctl-c"})
    EXPECT_NE(out.find(user), std::string::npos) << out;
  ASSERT_EQ(run_command(ctl + "--json connections --draft " + d1, out), 0) << out;
  rapidjson::Document doc;
  doc.Parse(out.c_str());
  ASSERT_TRUE(doc.IsObject()) << out;
  EXPECT_EQ(doc["count"].GetInt(), 3);
  ASSERT_EQ(run_command(ctl + "draft " + d1, out), 0)
    << out
    << http_call(port, "GET", "/admin/api/actors?top=name&limit=100", "",
                 admin_token())
         .body;
  EXPECT_NE(out.find("owner"), std::string::npos) << out;
  ASSERT_EQ(run_command(ctl + "drafts", out), 0) << out;
  EXPECT_NE(out.find(d1), std::string::npos) << out;
  auto id = connection_of(port, "ctl-c");
  ASSERT_EQ(run_command(ctl + "disconnect " + id, out), 0) << out;
  EXPECT_NE(out.find("disconnected " + id), std::string::npos) << out;
  EXPECT_EQ(close_code_of(*c), 4010);
  EXPECT_EQ(run_command(ctl + "disconnect " + id, out), 1) << out;
  EXPECT_NE(out.find("no connection"), std::string::npos) << out;
  EXPECT_EQ(run_command(bin_dir() + "/draftctl nodes", out), 1);
  EXPECT_NE(out.find("no token"), std::string::npos) << out;
}

TEST_F(admin_cluster, the_page_in_chromium_shows_the_cluster_and_disconnects) {
  std::string browser_dir = DRAFT_SOURCE_DIR "/tests/browser";
  struct stat st{};
  ASSERT_EQ(stat((browser_dir + "/node_modules/playwright-core").c_str(), &st), 0)
    << "playwright-core is not installed; ./dev test installs it (npm ci in "
       "tests/browser)";
  auto d1 = f.create_draft(4, 3, 60);
  auto a = client(d1, "page-a", 0);
  auto b = client(d1, "page-b", 0);
  auto victim = client(d1, "page-victim", 1);
  int port = f.gateway_port(0);
  ASSERT_TRUE(gateway_fixture::eventually(
    [&] { return !connection_of(port, "page-victim").empty(); }, 10));
  auto id = connection_of(port, "page-victim");
  std::string artifacts = DRAFT_ARTIFACT_DIR;
  mkdir(artifacts.c_str(), 0755);
  auto screenshot = artifacts + "/admin-console.png";
  std::remove(screenshot.c_str());
  std::string out;
  int status = run_command("node " + browser_dir + "/admin_console.mjs http://127.0.0.1:"
                     + std::to_string(port) + " " + admin_token() + " " + d1
                     + " 3 " + id + " " + screenshot,
                   out);
  std::printf("%s", out.c_str());
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(stat(screenshot.c_str(), &st), 0);
  EXPECT_GT(st.st_size, 0);
  EXPECT_EQ(close_code_of(*victim), 4010);
}

TEST(admin_single_node, refuses_without_an_admin_token_and_is_read_only_by_default) {
  gateway_fixture f;
  int port = f.gateway_port();
  for (auto path : {"/admin", "/admin/api/members", "/admin/api/nodes"}) {
    EXPECT_EQ(http_call(port, "GET", path).status, 401) << path;
    EXPECT_EQ(http_call(port, "GET", path, "", "not-a-jwt").status, 401) << path;
    EXPECT_EQ(http_call(port, "GET", path, "", reader_token("fan")).status, 403)
      << path;
    EXPECT_EQ(http_call(port, "GET", path, "", commissioner()).status, 403)
      << path;
    EXPECT_EQ(http_call(port, "GET", path, "", admin_token()).status, 200)
      << path;
  }
  auto page = http_call(port, "GET", "/admin?token=" + admin_token());
  EXPECT_NE(page.body.find("Draft Gateway"), std::string::npos);
  // Nobody may frame the console; it loads nothing from elsewhere.
  EXPECT_EQ(page.headers["x-frame-options"], "DENY");
  EXPECT_NE(page.headers["content-security-policy"].find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_NE(page.headers["content-security-policy"].find("default-src 'none'"),
            std::string::npos);
  // An action never takes its token from the URL.
  auto by_query = http_call(port, "POST",
                            "/admin/api/connections/n1-1/disconnect?token="
                              + admin_token());
  EXPECT_EQ(by_query.status, 401) << by_query.body;
  auto refused = http_call(port, "POST", "/admin/api/connections/n1-1/disconnect",
                           "", admin_token());
  EXPECT_EQ(refused.status, 403);
  // The scheme is case-insensitive (RFC 7235).
  EXPECT_EQ(http_call(port, "GET", "/admin/api/members", "", "", {{"Authorization",
                      "bearer " + admin_token()}}).status, 200);
  EXPECT_NE(refused.body.find("actions_disabled"), std::string::npos);
  EXPECT_EQ(http_call(port, "GET", "/admin/api/nope", "", admin_token()).status,
            404);
  EXPECT_EQ(http_call(port, "DELETE", "/admin/api/members", "", admin_token())
              .status,
            405);
  auto members = admin_get(port, "members");
  ASSERT_TRUE(members.IsObject());
  EXPECT_EQ(members["members"].Size(), 1u);
}

} // namespace
} // namespace draft::testing
