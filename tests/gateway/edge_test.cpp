// The gateway's network edge in-process: the real routes, admission, limits
// and WebSocket sessions on the runtime HTTP server, with a real actor
// system, directory and draft actors over a scripted database. No child
// processes. Each status of the one HTTP policy, admission not charged for
// refused tokens, a replay to a client that does not read closed with 4008,
// close-code precedence, and the ordered shutdown (TearDown).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actors/actor_system_config.hpp"
#include "actors/draft_directory.hpp"
#include "actors/edge/gateway_context.hpp"
#include "actors/edge/gateway_server.hpp"
#include "draft_actor_support.hpp"
#include "protocol/json_codec.hpp"
#include "runtime/jwt.hpp"
#include "runtime/metrics.hpp"
#include "support/http_client.hpp"
#include "support/raw_socket.hpp"
#include "support/ws_client.hpp"

using namespace draft;
using namespace draft::test;
using namespace std::chrono_literals;
using draft::testing::http_call;
using draft::testing::raw_connect;
using draft::testing::ws_client;

namespace {

const std::string secret(40, 'k');
const std::string missing_id = "0f0f0f0f-0000-4000-8000-000000000001";

std::string token(const std::string& sub, const std::string& drafts = "\"*\"") {
  return sign_hs256("{\"exp\":" + std::to_string(now_utc() / 1'000'000 + 600)
                      + ",\"sub\":\"" + sub + "\",\"drafts\":[" + drafts + "]}",
                    secret);
}

// A database holding one draft whose outbox has rows 1..`last`.
caf::behavior scripted_database(caf::event_based_actor*, std::int64_t last) {
  return {
    [=](load_atom, const std::string& id) {
      draft_load l;
      l.found = id == draft_id;
      l.snapshot.draft_id = id;
      l.snapshot.status = draft_status::paused;
      l.snapshot.last_seq = l.found ? last : 0;
      return l;
    },
    [=](fetch_atom, const std::string&, std::int64_t from, std::int64_t to) {
      std::vector<outbox_row> rows;
      for (auto s = from; s <= std::min(to, last); ++s)
        rows.push_back(row(s));
      return rows;
    },
    [](picks_atom, const std::string&, const std::string&, int) {
      return std::string(R"({"picks":[],"next_cursor":null})");
    },
  };
}

// Reads what the server sends on `fd` until it ends the connection, then
// closes `fd`; `ended` says whether it did end it (else the receive timed out).
std::string read_until_closed(int fd, bool* ended = nullptr) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  if (ended)
    *ended = n == 0;
  return out;
}

// Sends `bytes` on a fresh connection and reads until the server closes.
std::string exchange_raw_ended(int port, const std::string& bytes, bool& ended) {
  int fd = raw_connect(port, 10);
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  return read_until_closed(fd, &ended);
}

std::string exchange_raw(int port, const std::string& bytes) {
  bool ended = false;
  return exchange_raw_ended(port, bytes, ended);
}

// A WebSocket upgrade request for the test draft, written by hand (the RFC's
// example key unless another is given).
std::string upgrade_request(const std::string& bearer,
                            const std::string& key = "dGhlIHNhbXBsZSBub25jZQ==") {
  return "GET /drafts/" + draft_id + "/connect HTTP/1.1\r\nHost: x\r\n"
         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + "\r\n"
         "Authorization: Bearer " + bearer + "\r\n\r\n";
}

int status_of(const std::string& response) {
  return response.size() > 12 ? std::atoi(response.c_str() + 9) : 0;
}

double counter_value(const std::string& name, const std::string& labels = "") {
  auto text = default_metrics().render();
  auto line = name + (labels.empty() ? "" : "{" + labels + "}") + " ";
  auto at = text.find("\n" + line);
  return at == std::string::npos ? 0 : std::stod(text.substr(at + 1 + line.size()));
}

struct edge_test : ::testing::Test {
  gateway_system_config config;
  caf::actor_system system{config};
  std::vector<caf::actor> actors;
  directory_api directory;
  std::unique_ptr<gateway_context> context;
  std::unique_ptr<gateway_server> server;
  int port = 0;

  void start(gateway_options o = {}, std::int64_t rows = 40) {
    o.port = 0;
    auto database = system.spawn(scripted_database, rows);
    draft_actor_config dc;
    dc.database = caf::actor_cast<database_api>(database);
    dc.poller = silent<poller_api>(system);
    dc.timer = silent<timer_api>(system);
    dc.replay_stall = 300ms;
    dc.replay_batch = replay_batch_for(o);
    directory = spawn_draft_directory(system, dc);
    actors = {database, caf::actor_cast<caf::actor>(dc.poller),
              caf::actor_cast<caf::actor>(dc.timer),
              caf::actor_cast<caf::actor>(directory)};
    jwt_settings settings;
    settings.hs256_secret = secret;
    auto verifier = jwt_verifier::create(settings);
    ASSERT_TRUE(verifier);
    context = std::make_unique<gateway_context>(system, o, *verifier, directory,
                                                dc.database);
    auto started = gateway_server::start(*context);
    ASSERT_TRUE(started) << started.error().to_string();
    server = std::move(*started);
    port = server->port();
  }

  // `user`'s connection to the draft replaying it from the start
  // (?last_seq=0); null, and the test failed, when refused.
  std::unique_ptr<ws_client> replaying_client(const std::string& user,
                                               int receive_buffer = 0) {
    int status = 0;
    std::string body;
    auto client = ws_client::connect(port, "/drafts/" + draft_id + "/connect?last_seq=0",
                                     token(user), status, body, receive_buffer);
    if (!client)
      ADD_FAILURE() << "refused: " << status << " " << body;
    return client;
  }

  // The gateway's own teardown order (apps/draft-gateway/main.cpp): drain,
  // stop the actors, then the lanes.
  void TearDown() override {
    if (!server)
      return;
    server->drain(2s);
    caf::scoped_actor self{system};
    self->request(directory, 2s, actors_atom::value)
      .receive(
        [](const std::vector<draft_actor_api>& drafts) {
          for (auto& d : drafts)
            caf::anon_send_exit(d, caf::exit_reason::user_shutdown);
        },
        [](caf::error&) {});
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    server->stop(2s);
  }
};

} // namespace

TEST_F(edge_test, every_refusal_is_a_status_with_a_json_body) {
  gateway_options o;
  o.rest_per_user = 1; // bursts of 2
  start(o);
  auto reader = token("reader");
  auto state = "/api/drafts/" + draft_id + "/state";
  EXPECT_EQ(http_call(port, "GET", "/nowhere").status, 404);
  EXPECT_EQ(http_call(port, "POST", state, "{}", reader).status, 405);
  EXPECT_EQ(http_call(port, "GET", "/api/drafts/not-a-uuid/state", {}, reader).status,
            400);
  EXPECT_EQ(http_call(port, "GET", state).status, 401);
  EXPECT_EQ(http_call(port, "GET", state, {}, token("other", "\"" + missing_id + "\""))
              .status,
            403);
  EXPECT_EQ(http_call(port, "GET", "/api/drafts/" + missing_id + "/state", {},
                      token("lost"))
              .status,
            404);
  auto connect = "/drafts/" + draft_id + "/connect";
  EXPECT_EQ(http_call(port, "GET", connect, {}, reader).status, 426);
  // REST is charged per user after identity: the burst, then 429.
  auto first = http_call(port, "GET", state, {}, reader);
  EXPECT_EQ(first.status, 200) << first.body;
  http_call(port, "GET", state, {}, reader);
  auto limited = http_call(port, "GET", state, {}, reader);
  EXPECT_EQ(limited.status, 429);
  EXPECT_NE(limited.body.find("\"error\":\"rate_limited\""), std::string::npos);
  // The body and header limits, from the one HTTP policy.
  auto big = exchange_raw(port, "POST " + state + " HTTP/1.1\r\nHost: a\r\n"
                                  "Content-Length: 20000\r\n\r\n"
                                  + std::string(20000, 'x'));
  EXPECT_EQ(status_of(big), 413) << big;
  auto huge_token = exchange_raw(port, "GET " + state + " HTTP/1.1\r\nHost: a\r\n"
                                         "Authorization: Bearer "
                                         + std::string(10000, 'a') + "\r\n\r\n");
  EXPECT_EQ(status_of(huge_token), 431) << huge_token;
  EXPECT_NE(huge_token.find("\"error\":\"headers_too_large\""), std::string::npos);
  // HEAD answers as GET, without the body.
  auto head = exchange_raw(port, "HEAD /health HTTP/1.1\r\nHost: a\r\n"
                                 "Connection: close\r\n\r\n");
  EXPECT_EQ(status_of(head), 200);
  EXPECT_EQ(head.substr(head.find("\r\n\r\n") + 4), "");
}

TEST_F(edge_test, a_20_digit_last_seq_is_a_400_not_int64_max) {
  start();
  int status = 0;
  std::string body;
  auto client = ws_client::connect(
    port, "/drafts/" + draft_id + "/connect?last_seq=99999999999999999999",
    token("r"), status, body);
  EXPECT_FALSE(client);
  EXPECT_EQ(status, 400);
  EXPECT_NE(body.find("invalid_last_seq"), std::string::npos);
}

TEST_F(edge_test, an_unfinished_request_gets_408_and_an_idle_one_is_closed) {
  gateway_options o;
  o.http_idle_timeout = 300ms;
  start(o);
  auto partial = exchange_raw(port, "GET /health HTTP/1.1\r\nHost: a\r\n");
  EXPECT_EQ(status_of(partial), 408) << partial;
  EXPECT_EQ(exchange_raw(port, ""), ""); // idle: closed without an answer
}

TEST_F(edge_test, http_connections_above_the_cap_get_503) {
  gateway_options o;
  o.max_http_connections = 2;
  start(o);
  int a = raw_connect(port, 10), b = raw_connect(port, 10);
  // Both are being served (a request on each proves it), and stay open.
  for (int fd : {a, b}) {
    std::string req = "GET /health HTTP/1.1\r\nHost: a\r\n\r\n";
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    char buf[512];
    EXPECT_GT(::recv(fd, buf, sizeof buf, 0), 0);
  }
  auto third = exchange_raw(port, "GET /health HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(status_of(third), 503) << third;
  ::close(a);
  ::close(b);
}

TEST_F(edge_test, refused_tokens_do_not_spend_the_handshake_budget) {
  gateway_options o;
  o.handshakes_per_second = 2;
  o.refusals_per_address = 1000;
  start(o);
  auto target = "/drafts/" + draft_id + "/connect";
  for (int i = 0; i < 30; ++i) {
    int status = 0;
    std::string body;
    EXPECT_FALSE(ws_client::connect(port, target, "not-a-token", status, body));
    EXPECT_EQ(status, 401);
  }
  int status = 0;
  std::string body;
  auto client = ws_client::connect(port, target, token("real"), status, body);
  ASSERT_TRUE(client) << status << " " << body;
  auto snapshot = client->read(5s);
  ASSERT_TRUE(snapshot);
  EXPECT_NE(snapshot->find("StateSnapshot"), std::string::npos);
}

TEST_F(edge_test, a_replay_to_a_client_that_does_not_read_is_closed_with_4008_first) {
  gateway_options o;
  o.socket_send_buffer = 4096;
  start(o, /*rows=*/3000);
  double stalls = counter_value("gateway_replay_stalls_total");
  auto client = replaying_client("slow", /*receive_buffer=*/4096);
  ASSERT_TRUE(client);
  // The client reads nothing: the replay stops after the kernel buffers and
  // one batch, and the stall closes it.
  for (int i = 0; i < 200 && counter_value("gateway_replay_stalls_total") <= stalls; ++i)
    std::this_thread::sleep_for(50ms);
  ASSERT_GT(counter_value("gateway_replay_stalls_total"), stalls);
  // A later reason (the node shutting down) does not replace the first one.
  server->drain(0ms);
  std::int64_t frames = 0;
  while (client->read(5s))
    ++frames;
  EXPECT_EQ(client->close_code(), 4008) << client->close_reason();
  EXPECT_LT(frames, 3000); // it never got (or queued) the whole replay
}

TEST_F(edge_test, too_many_resume_messages_close_with_4029) {
  gateway_options o;
  o.resumes_per_second = 1; // bursts of 5
  start(o);
  int status = 0;
  std::string body;
  auto client = ws_client::connect(port, "/drafts/" + draft_id + "/connect",
                                   token("resumer"), status, body);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->read(5s)); // the snapshot
  for (int i = 0; i < 20; ++i)
    client->send(R"({"type":"resume","last_seq":39})");
  while (client->read(5s)) {
  }
  EXPECT_EQ(client->close_code(), 4029) << client->close_reason();
}

TEST_F(edge_test, a_long_replay_through_a_small_queue_reaches_a_reading_client) {
  gateway_options o;
  o.send_queue_limit = 16; // a replay far longer than the queue
  start(o, /*rows=*/500);
  auto client = replaying_client("patient");
  ASSERT_TRUE(client);
  std::int64_t frames = 0;
  while (frames < 500 && client->read(5s))
    ++frames;
  EXPECT_EQ(frames, 500) << "closed with " << client->close_code() << " "
                         << client->close_reason();
}

// The gateway writes its own frames: a replay's batch goes out in gather
// writes of many frames each, and the client (Beast's, which refuses a
// malformed frame) reads every one intact and in order.
TEST_F(edge_test, queued_frames_share_gather_writes_and_arrive_intact_in_order) {
  start({}, /*rows=*/600);
  auto writes = counter_value("gateway_ws_writes_total");
  auto frames = counter_value("gateway_ws_frames_written_total");
  auto client = replaying_client("reader");
  ASSERT_TRUE(client);
  std::int64_t next = 1;
  while (next <= 600) {
    auto text = client->read(5s);
    ASSERT_TRUE(text) << "closed with " << client->close_code() << " "
                      << client->close_reason();
    auto message = json::decode_server_message(*text);
    ASSERT_TRUE(message) << *text;
    if (auto e = std::get_if<draft_event>(&*message);
        e && e->type() != event_type::timer_tick) {
      ASSERT_EQ(e->seq, next) << *text;
      ++next;
    }
  }
  auto written = counter_value("gateway_ws_frames_written_total") - frames;
  auto calls = counter_value("gateway_ws_writes_total") - writes;
  EXPECT_GE(written, 600);
  EXPECT_LT(calls * 4, written) << calls << " writes for " << written << " frames";
}

// A client ping gets its pong; a binary message, an unmasked frame and a
// bad UTF-8 text are refused with the RFC's codes and a reason.
TEST_F(edge_test, frames_outside_the_protocol_close_with_the_rfc_code) {
  start();
  auto upgrade = [&](const std::string& user) {
    int fd = raw_connect(port, 10);
    auto request = upgrade_request(token(user));
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    return fd;
  };
  // The upgrade's response, read up to its end (a client sends frames only
  // after it).
  auto response_head = [](int fd) {
    std::string out;
    char c;
    while (out.find("\r\n\r\n") == std::string::npos && ::recv(fd, &c, 1, 0) == 1)
      out.push_back(c);
    return out;
  };
  auto masked = [](std::uint8_t first, const std::string& payload) {
    std::string out{static_cast<char>(first), static_cast<char>(0x80 | payload.size())};
    out += std::string("\0\0\0\0", 4); // a zero mask
    return out + payload;
  };
  struct refused_case {
    std::string frame;
    std::string close; // the close frame's code and reason
  };
  std::vector<refused_case> cases = {
    {masked(0x89, "hi") + masked(0x82, "bin"),
     "\x03\xEB" "binary messages are not accepted: send JSON text"},
    {std::string("\x81\x02hi", 4), "\x03\xEA" "protocol error: a client frame must be masked"},
    {masked(0x81, "\xC0\x80"), "\x03\xEF" "a text message must be UTF-8"},
  };
  for (auto& c : cases) {
    int fd = upgrade("raw");
    auto head = response_head(fd);
    EXPECT_NE(head.find("101 Switching Protocols"), std::string::npos) << head;
    EXPECT_NE(head.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos) << head;
    ::send(fd, c.frame.data(), c.frame.size(), MSG_NOSIGNAL);
    auto out = read_until_closed(fd);
    auto close = std::string("\x88") + static_cast<char>(c.close.size()) + c.close;
    EXPECT_NE(out.find(close), std::string::npos) << c.close;
    if (c.frame[0] == '\x89') { // the ping before the binary got its pong
      EXPECT_NE(out.find(std::string("\x8A\x02hi", 4)), std::string::npos);
    }
  }
  // A handshake without a valid key is refused before the upgrade.
  auto out = exchange_raw(port, upgrade_request(token("raw"), "short"));
  EXPECT_EQ(status_of(out), 400) << out;
  EXPECT_NE(out.find("bad_websocket_key"), std::string::npos) << out;
}

// Keep-alive: a connection that sends nothing gets a ping at half the idle
// timeout and is dropped at the timeout (one sweep per lane, no timer per
// connection).
TEST_F(edge_test, a_silent_connection_is_pinged_then_dropped) {
  gateway_options o;
  o.ws_idle_timeout = 2s;
  start(o);
  double idle = counter_value("gateway_closes_total", "reason=\"idle\"");
  bool ended = false;
  auto out = exchange_raw_ended(port, upgrade_request(token("silent")), ended);
  EXPECT_TRUE(ended) << "the server did not end the connection (receive timed out)";
  auto head_end = out.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << out;
  EXPECT_NE(out.find(std::string("\x89\x00", 2), head_end), std::string::npos)
    << "no ping before the drop";
  EXPECT_EQ(counter_value("gateway_closes_total", "reason=\"idle\""), idle + 1);
}

// The draft room page and the SDK's modules, served from the binary: the
// page only for a token that may read an existing draft, with its
// configuration filled in and a policy that lets it talk to the configured
// gateways and orchestrator only.
TEST_F(edge_test, the_draft_room_page_and_the_sdk_are_served_from_the_binary) {
  gateway_options o;
  o.room_urls = {"ws://127.0.0.1:9101", "ws://127.0.0.1:9102"};
  o.room_orchestrator_url = "http://127.0.0.1:9100";
  start(o);
  auto path = "/drafts/" + draft_id;
  EXPECT_EQ(http_call(port, "GET", path).status, 401);
  EXPECT_EQ(http_call(port, "GET", path + "?token=" + token("fan", "\"" + missing_id + "\"")).status,
            403);
  EXPECT_EQ(http_call(port, "GET", "/drafts/" + missing_id + "?token=" + token("fan")).status, 404);
  EXPECT_EQ(http_call(port, "GET", "/drafts/not-a-uuid?token=" + token("fan")).status, 404);
  EXPECT_EQ(http_call(port, "POST", path, "{}", token("fan")).status, 405);
  auto page = http_call(port, "GET", path + "?token=" + token("fan"));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("\"draftId\":\"" + draft_id + "\""), std::string::npos);
  EXPECT_NE(page.body.find("\"gateways\":[\"ws://127.0.0.1:9101\",\"ws://127.0.0.1:9102\"]"),
            std::string::npos);
  EXPECT_NE(page.body.find("\"orchestrator\":\"http://127.0.0.1:9100\""), std::string::npos);
  EXPECT_EQ(page.body.find("@ROOM_CONFIG@"), std::string::npos);
  auto policy = page.headers["content-security-policy"];
  EXPECT_NE(policy.find("script-src 'self'"), std::string::npos) << policy;
  // Each gateway by WebSocket and by HTTP (the picks API), the orchestrator.
  EXPECT_NE(policy.find("connect-src 'self' ws://127.0.0.1:9101 http://127.0.0.1:9101 "
                        "ws://127.0.0.1:9102 http://127.0.0.1:9102 http://127.0.0.1:9100;"),
            std::string::npos)
    << policy;
  auto sdk = http_call(port, "GET", "/sdk/index.js");
  ASSERT_EQ(sdk.status, 200);
  EXPECT_NE(sdk.headers["content-type"].find("text/javascript"), std::string::npos);
  EXPECT_NE(sdk.body.find("DraftRoom"), std::string::npos);
  auto script = http_call(port, "GET", "/room/room.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_NE(script.body.find("from \"/sdk/index.js\""), std::string::npos);
  EXPECT_EQ(http_call(port, "GET", "/room/room.css").status, 200);
  EXPECT_EQ(http_call(port, "GET", "/room/room.html").status, 404); // only as a page
  EXPECT_EQ(http_call(port, "GET", "/sdk/missing.js").status, 404);
}
