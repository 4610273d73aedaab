// The runtime HTTP server's edge policy, in-process (no child processes):
// every refusal is a status with a JSON body, a handler's exception is a 500,
// HEAD has no body, the connection cap answers 503, idle connections are
// closed, and the accept loop survives descriptor exhaustion.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <mutex>

#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "runtime/http_lane.hpp"
#include "runtime/http_server.hpp"
#include "runtime/metrics.hpp"
#include "support/raw_socket.hpp"

using namespace draft;
using draft::testing::raw_connect;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<http_server> serve(http_server::options opts = {}) {
  auto server = http_server::start(opts, [](const http_request& r) -> http_response {
    if (r.path == "/throw")
      throw std::runtime_error("boom");
    return {200, R"({"path":")" + r.path + "\"}"};
  });
  EXPECT_TRUE(server);
  return server ? std::move(*server) : nullptr;
}

// Sends `request` on a fresh connection and returns what comes back until
// the server closes (or 5 s pass).
std::string round_trip(int port, const std::string& request) {
  int fd = raw_connect(port);
  EXPECT_GE(fd, 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

struct reply_text {
  int status = 0;
  std::string body;
};

// GET `target` on a fresh connection (the runtime's HTTP client is not used:
// its http_request function would hide the server's http_request type).
reply_text get(int port, const std::string& target) {
  auto raw = round_trip(port, "GET " + target
                              + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  reply_text out;
  if (raw.rfind("HTTP/1.1 ", 0) == 0)
    out.status = std::stoi(raw.substr(9, 3));
  auto end = raw.find("\r\n\r\n");
  if (end != std::string::npos)
    out.body = raw.substr(end + 4);
  return out;
}

} // namespace

TEST(http_server, refusals_are_statuses_with_json_bodies) {
  auto s = serve();
  auto port = s->port();
  auto big_body = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 70000\r\n\r\n"
                  + std::string(70000, 'x');
  auto r = round_trip(port, big_body);
  EXPECT_EQ(r.rfind("HTTP/1.1 413", 0), 0u) << r.substr(0, 200);
  EXPECT_NE(r.find("\"body_too_large\""), std::string::npos);
  auto big_token = "GET /x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer "
                   + std::string(20000, 'a') + "\r\n\r\n";
  r = round_trip(port, big_token);
  EXPECT_EQ(r.rfind("HTTP/1.1 431", 0), 0u) << r.substr(0, 200);
  EXPECT_NE(r.find("\"headers_too_large\""), std::string::npos);
  r = round_trip(port, "GARBAGE\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r.substr(0, 200);
  EXPECT_NE(r.find("\"bad_request\""), std::string::npos);
  r = round_trip(port, "GET /%zz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r.substr(0, 200);
  // A handler that throws: a 500 with JSON, and the server keeps serving.
  auto thrown = get(port, "/throw");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_NE(thrown.body.find("\"error\""), std::string::npos) << thrown.body;
  EXPECT_EQ(get(port, "/after").status, 200);
}

TEST(http_server, head_is_answered_without_a_body) {
  auto s = serve();
  auto r = round_trip(s->port(), "HEAD /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r;
  EXPECT_NE(r.find("Content-Length: 13"), std::string::npos) << r;
  EXPECT_EQ(r.substr(r.find("\r\n\r\n") + 4), "") << r;
}

TEST(http_server, the_connection_cap_answers_503_and_frees_its_slots) {
  http_server::options opts;
  opts.max_connections = 2;
  auto s = serve(opts);
  int a = raw_connect(s->port()), b = raw_connect(s->port());
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  for (int i = 0; i < 100 && s->connections() < 2; ++i)
    std::this_thread::sleep_for(20ms); // until both are accepted
  ASSERT_EQ(s->connections(), 2);
  auto third = get(s->port(), "/x");
  EXPECT_EQ(third.status, 503) << third.body;
  EXPECT_NE(third.body.find("too_many_connections"), std::string::npos);
  ::close(a);
  ::close(b);
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    served = get(s->port(), "/x").status == 200;
    if (!served)
      std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(served);
}

TEST(http_server, idle_connections_are_closed) {
  http_server::options opts;
  opts.idle_timeout = 300ms;
  auto s = serve(opts);
  int fd = raw_connect(s->port());
  ASSERT_GE(fd, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  EXPECT_EQ(::recv(fd, &c, 1, 0), 0); // the server closed it
  ::close(fd);
}

TEST(http_server, the_accept_loop_survives_descriptor_exhaustion) {
  auto s = serve();
  auto port = s->port();
  ASSERT_EQ(get(port, "/before").status, 200);
  // Leave this process a handful of descriptors, then take them all with
  // connections the kernel completes but the server cannot accept.
  rlimit saved{};
  getrlimit(RLIMIT_NOFILE, &saved);
  int probe = ::dup(0);
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(probe + 8);
  ::close(probe);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> held;
  for (int fd; (fd = raw_connect(port)) >= 0;)
    held.push_back(fd);
  auto errors = [] {
    auto text = default_metrics().render();
    return text.find("http_accept_errors_total") != std::string::npos;
  };
  for (int i = 0; i < 50 && !errors(); ++i)
    std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(errors()) << "the server never met EMFILE";
  for (int fd : held)
    ::close(fd);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  // Descriptors are free again: the loop accepts as before.
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    served = get(port, "/after").status == 200;
    if (!served)
      std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(served) << "the accept loop did not recover";
  EXPECT_GE(held.size(), 1u);
}

TEST(http_server, an_unfinished_request_gets_408) {
  http_server::options opts;
  opts.idle_timeout = 300ms;
  auto s = serve(opts);
  auto r = round_trip(s->port(), "GET /x HTTP/1.1\r\nHost: a\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 408", 0), 0u) << r;
  EXPECT_NE(r.find("\"request_timeout\""), std::string::npos);
}

// Asynchronous handlers (the gateway's): answers from another thread, a
// throw or a forgotten answer is a 500, and an upgrade hands the connection
// over.
TEST(http_server, async_handlers_answer_late_fail_safe_and_hand_connections_over) {
  std::vector<std::thread> later;
  std::mutex mutex;
  auto started = http_server::start_async(
    {}, [&](http_request req, http_responder reply) {
      if (req.path == "/throw")
        throw std::runtime_error("boom");
      if (req.path == "/forget")
        return; // the responder goes without an answer
      if (req.path == "/upgrade") {
        reply.upgrade([](http_upgrade& up) {
          std::string hello = "raw bytes from the new owner";
          boost::asio::write(up.stream.socket(), boost::asio::buffer(hello));
          boost::beast::error_code ignored;
          up.stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send,
                                      ignored);
        });
        return;
      }
      std::lock_guard<std::mutex> guard(mutex);
      later.emplace_back([reply, path = req.path] {
        std::this_thread::sleep_for(20ms);
        reply({200, R"({"late":")" + path + "\"}"});
        reply({500, "a second answer is ignored"});
      });
    });
  ASSERT_TRUE(started);
  auto& s = *started;
  auto late = get(s->port(), "/late");
  EXPECT_EQ(late.status, 200);
  EXPECT_EQ(late.body, R"({"late":"/late"})");
  auto thrown = get(s->port(), "/throw");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_NE(thrown.body.find("\"internal\""), std::string::npos);
  auto forgot = get(s->port(), "/forget");
  EXPECT_EQ(forgot.status, 500);
  EXPECT_NE(forgot.body.find("not answered"), std::string::npos);
  auto raw = round_trip(s->port(), "GET /upgrade HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(raw, "raw bytes from the new owner");
  std::lock_guard<std::mutex> guard(mutex);
  for (auto& t : later)
    t.join();
}
