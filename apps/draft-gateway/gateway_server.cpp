#include "gateway_server.hpp"

#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <caf/all.hpp>

#include "ask.hpp"
#include "protocol/json_codec.hpp"
#include "protocol/uuid.hpp"
#include "runtime/http_edge.hpp"
#include "runtime/config.hpp"
#include "runtime/http_server.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"
#include "runtime/trace_context.hpp"
#include "admin_api.hpp"
#include "ws_session.hpp"

namespace draft {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

using request_type = http::request<http::string_body>;

counter& refused(const std::string& reason) {
  return default_metrics().get_counter("gateway_refusals_total",
                                       "Requests and handshakes refused.",
                                       {{"reason", reason}});
}

// One HTTP connection; it hands itself over to a ws_session on upgrade.
class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(tcp::socket socket, io_lane& lane, gateway_context& context)
    : stream_(std::move(socket)), lane_(lane), context_(context) {
  }

  void run() {
    asio::dispatch(stream_.get_executor(),
                   [self = shared_from_this()] { self->read(); });
  }

private:
  static constexpr std::size_t max_body = 16 * 1024;
  static constexpr std::size_t max_header = 8 * 1024;

  void read() {
    parser_.emplace();
    parser_->body_limit(max_body);
    parser_->header_limit(max_header);
    // Idle keep-alive connections, and requests that never finish, end here.
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec,
                                                 std::size_t) {
                       if (!ec)
                         return self->route(self->parser_->release());
                       // The same answers as every server of the product.
                       auto refusal = read_refusal(ec, max_body, max_header);
                       if (!refusal)
                         return self->shutdown();
                       request_type req;
                       req.version(11);
                       req.keep_alive(false);
                       self->reply(req, *refusal);
                     });
  }

  void reply(const request_type& req, const http_response& res) {
    auto msg = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(res.status), req.version());
    msg->set(http::field::server, "draft-gateway");
    msg->set(http::field::content_type, res.content_type);
    msg->set(http::field::cache_control, "no-store");
    for (auto& [name, value] : res.headers)
      msg->set(name, value);
    msg->keep_alive(req.keep_alive());
    msg->body() = res.body;
    msg->prepare_payload();
    http::async_write(stream_, *msg,
                      [self = shared_from_this(), msg](beast::error_code ec,
                                                       std::size_t) {
                        if (ec || !msg->keep_alive())
                          return self->shutdown();
                        self->read();
                      });
  }

  // Replies from a CAF thread: hop back onto this connection's strand.
  void reply_later(request_type req, http_response res) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this(), req = std::move(req),
                res = std::move(res)] { self->reply(req, res); });
  }

  // The client's IP address ("" if the socket is already gone).
  std::string peer_address() {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    return ec ? std::string() : endpoint.address().to_string();
  }

  void shutdown() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  static std::string bearer_token(const request_type& req,
                                  const std::map<std::string, std::string>& query) {
    return request_token(std::string(req.method_string()),
                         std::string(req[http::field::authorization]), query);
  }

  // Verifies the token; fills `who` or refuses (401/403). A refusal costs
  // the client's address one token of its refusal budget; past it, the
  // connection is closed without an answer (a flood of bad tokens gets no
  // work from this node, and never touches what real clients are admitted
  // by).
  bool authorize(const request_type& req,
                 const std::map<std::string, std::string>& query,
                 const std::string& draft_id, jwt_claims& who) {
    auto refuse = [&](const std::string& reason, http_response res) {
      if (!context_.charge_refusal(peer_address())) {
        refused("refusal_rate").inc();
        shutdown();
        return false;
      }
      refused(reason).inc();
      reply(req, res);
      return false;
    };
    auto token = bearer_token(req, query);
    if (token.empty())
      return refuse("no_token",
                    json_error(401, "unauthorized",
                               "send a JWT in 'Authorization: Bearer <token>' "
                               "or ?token="));
    auto claims = context_.verifier.verify(token);
    if (!claims)
      return refuse(std::string("token_") + to_string(claims.error().code),
                    json_error(401,
                               std::string("token_")
                                 + to_string(claims.error().code),
                               claims.error().message));
    if (!claims->may_read_draft(draft_id))
      return refuse("forbidden",
                    json_error(403, "forbidden",
                               "the token does not grant draft " + draft_id));
    who = *claims;
    return true;
  }

  // Finds the draft's actor (loading it if needed), then continues on the
  // strand; answers 404 for an unknown draft.
  void with_draft(request_type req, const std::string& draft_id,
                  std::function<void(caf::actor)> then) {
    auto self = shared_from_this();
    ask<caf::actor>(
      context_.system, context_.directory,
      [self, then](caf::actor draft) {
        asio::post(self->stream_.get_executor(),
                   [then, draft] { then(draft); });
      },
      [self, req, draft_id](const caf::error& err) {
        bool unknown = err == caf::sec::invalid_argument;
        self->reply_later(req, unknown ? json_error(404, "unknown_draft",
                                                    "no draft with id "
                                                      + draft_id)
                                       : json_error(503, "unavailable",
                                                    "the draft could not be "
                                                    "loaded; retry shortly"));
      },
      caf::get_atom::value, draft_id);
  }

  void route(request_type req) {
    // The request's correlation on the log lines written while routing it
    // (the caller's traceparent and X-Request-Id, or new ones).
    auto span = child_span(parse_traceparent(std::string(req["traceparent"])));
    auto request_id = std::string(req["x-request-id"]);
    correlation_scope scope(span.header(), "request_id",
                            request_id.empty() || request_id.size() > 64
                              ? span.span_id
                              : request_id);
    std::string path;
    std::map<std::string, std::string> query;
    if (!parse_request_target(std::string(req.target()), path, query))
      return reply(req, json_error(400, "bad_request",
                                   "malformed percent-encoding in the URL"));
    auto parts = split_path(path);
    if (parts == std::vector<std::string>{"health"})
      return reply(req, {200, R"({"status":"ok"})"});
    if (parts == std::vector<std::string>{"metrics"})
      return reply(req, {200, default_metrics().render(),
                         "text/plain; version=0.0.4"});
    if (parts == std::vector<std::string>{"ready"})
      return ready(std::move(req));
    if (parts == std::vector<std::string>{"admin"}) {
      if (auto refused = admin_refusal(context_, bearer_token(req, query)))
        return reply(req, *refused);
      // The page runs its own inline script and talks to its own origin;
      // nobody may frame it (clickjacking of the action buttons).
      return reply(req, {200, admin_page_html(), "text/html; charset=utf-8",
                         {{"X-Frame-Options", "DENY"},
                          {"Content-Security-Policy",
                           "default-src 'none'; script-src 'unsafe-inline'; "
                           "style-src 'unsafe-inline'; connect-src 'self'; "
                           "img-src 'self' data:; frame-ancestors 'none'; "
                           "base-uri 'none'; form-action 'none'"},
                          {"Referrer-Policy", "no-referrer"}}});
    }
    if (parts.size() >= 2 && parts[0] == "admin" && parts[1] == "api") {
      admin_request admin{std::string(req.method_string()),
                          {parts.begin() + 2, parts.end()}, query,
                          bearer_token(req, query), req.body()};
      auto self = shared_from_this();
      return handle_admin_api(context_, std::move(admin),
                              [self, req](http_response res) {
                                self->reply_later(req, std::move(res));
                              });
    }
    if (parts.size() == 3 && parts[0] == "drafts" && parts[2] == "connect")
      return connect(std::move(req), parts[1], query);
    if (parts.size() == 4 && parts[0] == "api" && parts[1] == "drafts") {
      if (req.method() != http::verb::get)
        return reply(req, json_error(405, "method_not_allowed",
                                     "use GET " + path));
      if (parts[3] == "state")
        return state(std::move(req), parts[2], query);
      if (parts[3] == "picks")
        return picks(std::move(req), parts[2], query);
    }
    reply(req, json_error(404, "not_found", "no such endpoint: " + path));
  }

  void ready(request_type req) {
    // Ready = the database answers (a load of a draft that cannot exist).
    auto self = shared_from_this();
    ask<draft_load>(
      context_.system, context_.database,
      [self, req](draft_load) {
        self->reply_later(req, {200, R"({"status":"ready"})"});
      },
      [self, req](const caf::error&) {
        self->reply_later(req, json_error(503, "not_ready",
                                          "the database is unreachable"));
      },
      load_atom::value, std::string("00000000-0000-4000-8000-000000000000"));
  }

  // Shared by the REST routes: a well-formed id and a token that may read
  // the draft; otherwise answers and returns false.
  bool rest_preamble(const request_type& req,
                     const std::map<std::string, std::string>& query,
                     std::string& draft_id) {
    draft_id = normalize_uuid(draft_id);
    if (!is_uuid(draft_id)) {
      reply(req, json_error(400, "invalid_id", "the draft id must be a UUID"));
      return false;
    }
    jwt_claims who;
    if (!authorize(req, query, draft_id, who))
      return false;
    // Charged after identity, per user: one client cannot keep the node's
    // database pool busy for everyone.
    if (!context_.charge_rest(who.subject)) {
      refused("rest_rate").inc();
      reply(req, json_error(429, "rate_limited",
                            "too many requests for user " + who.subject
                              + " (GATEWAY_REST_PER_USER a second); retry "
                                "with backoff"));
      return false;
    }
    return true;
  }

  void state(request_type req, std::string draft_id,
             const std::map<std::string, std::string>& query) {
    if (!rest_preamble(req, query, draft_id))
      return;
    auto self = shared_from_this();
    with_draft(req, draft_id, [self, req](caf::actor draft) {
      ask<draft_snapshot>(
        self->context_.system, draft,
        [self, req](draft_snapshot s) {
          self->reply_later(req, {200, json::encode(s)});
        },
        [self, req](const caf::error&) {
          self->reply_later(req, json_error(503, "unavailable",
                                            "the draft did not answer"));
        },
        state_atom::value);
    });
  }

  void picks(request_type req, std::string draft_id,
             const std::map<std::string, std::string>& query) {
    if (!rest_preamble(req, query, draft_id))
      return;
    std::int64_t limit = 20;
    if (auto it = query.find("limit"); it != query.end())
      if (!parse_integer(it->second, 1, 100, limit))
        return reply(req, json_error(400, "invalid_limit",
                                     "limit must be an integer from 1 to 100"));
    std::string cursor;
    if (auto it = query.find("cursor"); it != query.end()) {
      cursor = it->second;
      if (!is_uuid(cursor))
        return reply(req, json_error(400, "invalid_cursor",
                                     "cursor must be the next_cursor of an "
                                     "earlier page (a pick id)"));
      cursor = normalize_uuid(cursor);
    }
    auto self = shared_from_this();
    with_draft(req, draft_id, [self, req, draft_id, cursor, limit](caf::actor) {
      ask<std::string>(
        self->context_.system, self->context_.database,
        [self, req](std::string page) {
          self->reply_later(req, {200, std::move(page)});
        },
        [self, req](const caf::error& err) {
          self->reply_later(
            req, err == caf::sec::invalid_argument
                   ? json_error(400, "invalid_cursor",
                                "cursor is not a pick of this draft; use the "
                                "next_cursor of an earlier page")
                   : json_error(503, "unavailable",
                                "the database is unreachable"));
        },
        picks_atom::value, draft_id, cursor, static_cast<int>(limit));
    });
  }

  void connect(request_type req, std::string draft_id,
               const std::map<std::string, std::string>& query) {
    if (!beast::websocket::is_upgrade(req))
      return reply(req, json_error(426, "upgrade_required",
                                   "connect with a WebSocket client"));
    if (context_.draining)
      return reply(req, json_error(503, "shutting_down",
                                   "this node is shutting down"));
    if (!is_uuid(draft_id))
      return reply(req, json_error(404, "unknown_draft",
                                   "the draft id must be a UUID"));
    draft_id = normalize_uuid(draft_id);
    std::int64_t last_seq = -1;
    if (auto it = query.find("last_seq"); it != query.end()) {
      if (!parse_integer(it->second, 0, INT64_MAX, last_seq))
        return reply(req, json_error(400, "invalid_last_seq",
                                     "last_seq must be an integer from 0 to "
                                     "9223372036854775807, got \""
                                       + it->second.substr(0, 40) + "\""));
    }
    jwt_claims who;
    if (!authorize(req, query, draft_id, who))
      return;
    // The node's handshake budget is charged after identity: only clients
    // with a valid token spend it.
    if (!context_.take_handshake_token()) {
      refused("handshake_rate").inc();
      return reply(req, json_error(429, "rate_limited",
                                   "too many handshakes per second on this "
                                   "node; retry with backoff"));
    }
    refusal why;
    if (!context_.admit(who.subject, why)) {
      refused(why.code).inc();
      return reply(req, json_error(why.status, why.code, why.message));
    }
    connection_info info{context_.next_connection_id(), who.subject,
                         normalize_uuid(draft_id), last_seq,
                         context_.verifier.valid_until(who)};
    auto self = shared_from_this();
    ask<caf::actor>(
      context_.system, context_.directory,
      [self, req, info](caf::actor draft) mutable {
        asio::post(self->stream_.get_executor(), [self, req, info, draft] {
          self->upgrade(req, info, draft);
        });
      },
      [self, req, info](const caf::error& err) {
        self->context_.release(info.user);
        bool unknown = err == caf::sec::invalid_argument;
        self->reply_later(req, unknown ? json_error(404, "unknown_draft",
                                                    "no draft with id "
                                                      + info.draft_id)
                                       : json_error(503, "unavailable",
                                                    "the draft could not be "
                                                    "loaded; retry shortly"));
      },
      caf::get_atom::value, info.draft_id);
  }

  void upgrade(request_type req, connection_info info, caf::actor draft) {
    if (context_.options.socket_send_buffer > 0) {
      beast::error_code ignored;
      stream_.socket().set_option(
        asio::socket_base::send_buffer_size(context_.options.socket_send_buffer),
        ignored);
    }
    // The last reference may drop on any thread (a socket actor, a draft
    // actor's fan-out task); the session itself must die on its lane, where
    // its socket and Beast's timers live, so the deleter hands it back there.
    auto* lane = &lane_;
    std::shared_ptr<ws_session> session(
      new ws_session(std::move(stream_), lane_, context_, std::move(info)),
      [lane](ws_session* s) { asio::post(lane->io, [s] { delete s; }); });
    session->start(std::move(req), std::move(draft));
  }

  beast::tcp_stream stream_;
  io_lane& lane_;
  gateway_context& context_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

} // namespace

struct gateway_server::impl {
  gateway_context& context;
  // One loop per I/O thread; connections are spread over them round-robin.
  std::vector<std::unique_ptr<io_lane>> lanes;
  tcp::acceptor acceptor;
  accept_guard guard;
  std::size_t next_lane = 0;
  std::vector<std::thread> threads;

  explicit impl(gateway_context& c, int lane_count)
    : context(c), lanes(make_lanes(lane_count)), acceptor(lanes[0]->io),
      guard(lanes[0]->io.get_executor(), "gateway", "gateway") {
  }

  static std::vector<std::unique_ptr<io_lane>> make_lanes(int n) {
    std::vector<std::unique_ptr<io_lane>> out;
    for (int i = 0; i < std::max(1, n); ++i)
      out.push_back(std::make_unique<io_lane>());
    return out;
  }

  void accept() {
    auto& lane = *lanes[next_lane++ % lanes.size()];
    acceptor.async_accept(lane.io, [this, &lane](beast::error_code ec,
                                                 tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open())
        return; // shutting down
      if (ec) // e.g. out of descriptors: back off, then accept again
        return guard.failed(ec, [this] { accept(); });
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<http_session>(std::move(socket), lane, context)->run();
      accept();
    });
  }

  void stop_lanes() {
    for (auto& lane : lanes)
      lane->io.stop();
    for (auto& t : threads)
      if (t.joinable())
        t.join();
  }
};

gateway_server::gateway_server(std::unique_ptr<impl> state)
  : impl_(std::move(state)) {
}

gateway_server::~gateway_server() {
  impl_->stop_lanes();
}

result<std::unique_ptr<gateway_server>>
gateway_server::start(gateway_context& context) {
  auto state = std::make_unique<impl>(context, context.options.io_threads);
  beast::error_code ec;
  auto address = asio::ip::make_address(context.options.host, ec);
  if (ec)
    return problem{"GATEWAY_HOST", "not an IP address: " + context.options.host};
  tcp::endpoint endpoint(address, context.options.port);
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    state->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    state->acceptor.bind(endpoint, ec);
  if (!ec)
    state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return problem{context.options.host + ":"
                     + std::to_string(context.options.port),
                   "cannot listen: " + ec.message()};
  state->accept();
  for (auto& lane : state->lanes)
    state->threads.emplace_back([l = lane.get()] {
      auto guard = asio::make_work_guard(l->io);
      l->io.run();
    });
  return std::unique_ptr<gateway_server>(new gateway_server(std::move(state)));
}

std::uint16_t gateway_server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void gateway_server::drain_and_stop(std::chrono::milliseconds grace) {
  impl_->context.draining = true;
  asio::post(impl_->lanes[0]->io, [s = impl_.get()] {
    beast::error_code ignored;
    s->acceptor.close(ignored);
  });
  for (auto& sink : impl_->context.live_sinks())
    sink->close(1001, "node shutting down; reconnect with last_seq");
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl_->context.connections() > 0
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  impl_->stop_lanes();
}

} // namespace draft
