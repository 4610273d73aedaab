#include "load_clients.hpp"

#include <netinet/in.h>

#include <chrono>
#include <optional>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "protocol/client_session.hpp"
#include "protocol/json_codec.hpp"

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace draft::load {


// One connection's client: the product's client session (where and when to
// reconnect, the seq rule, the resume) over an asynchronous stream.
struct client {
  client(asio::io_context& io, client_session session)
    : ws(std::in_place, io), session(std::move(session)) {}
  std::optional<websocket::stream<beast::tcp_stream>> ws; // fresh per connection
  beast::flat_buffer buffer;
  int draft = 0;
  int index = 0; ///< its place among the clients (its source address)
  bool remote = false; ///< its first node does not own its draft (a cluster hop)
  client_session session;
  std::atomic<std::int64_t> last{0};  ///< its last_seq, for the main thread
  bool open = false;
  bool resuming = false;              ///< a resume message is being written
  std::string resume_text;
};

// One thread's share of the connections.
class client_group::impl {
public:
  impl(const options& opts, const std::vector<std::string>& draft_ids,
               const std::vector<std::string>& tokens,
               std::vector<std::pair<int, int>> drafts_and_nodes,
               const std::vector<int>& owner_nodes)
    : opts_(opts), draft_ids_(draft_ids), tokens_(tokens) {
    auto nodes = std::make_shared<std::vector<gateway_address>>();
    for (auto port : opts_.ports)
      nodes->push_back({opts_.host, static_cast<std::uint16_t>(port)});
    std::uint32_t seed = 1;
    for (auto [d, node] : drafts_and_nodes) {
      clients_.push_back(std::make_unique<client>(
        io_, client_session(draft_ids_[static_cast<size_t>(d)], nodes,
                            static_cast<std::size_t>(node),
                            backoff_policy{std::chrono::milliseconds(200),
                                           std::chrono::seconds(5)},
                            seed++)));
      clients_.back()->draft = d;
      clients_.back()->index = static_cast<int>(clients_.size() - 1);
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

  // Client i connects from 127.0.0.(2 + i mod sources), so that more
  // connections than one address's ephemeral ports can reach one node. The
  // port is chosen at connect time (IP_BIND_ADDRESS_NO_PORT), per
  // destination, not at bind.
  void bind_source(client* c) {
    auto& socket = beast::get_lowest_layer(*c->ws).socket();
    beast::error_code ec;
    if (!socket.is_open())
      socket.open(tcp::v4(), ec);
    int one = 1;
    ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT,
                 &one, sizeof one);
    auto source = asio::ip::address_v4(
      0x7F000002u + static_cast<std::uint32_t>(c->index % opts_.sources));
    socket.bind(tcp::endpoint(source, 0), ec); // unbound if it fails
  }

  // Connects `c` where its session says; a resume (after a dropped
  // connection) asks for the events after the last one it applied, as the
  // apps do.
  void open(client* c, bool resume) {
    auto target
      = c->session.target("token=" + tokens_[static_cast<size_t>(c->draft)]);
    tcp::endpoint ep(asio::ip::make_address(c->session.node().host),
                     c->session.node().port);
    auto& ws = *c->ws;
    if (opts_.sources > 1)
      bind_source(c);
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(ws).async_connect(
      ep, [this, c, target, resume](beast::error_code ec) {
        if (ec)
          return resume ? retry(c, c->session.refused(0))
                        : failed(c, "connect: " + ec.message());
        beast::error_code ignored;
        beast::get_lowest_layer(*c->ws).socket().set_option(tcp::no_delay(true),
                                                            ignored);
        c->ws->async_handshake(opts_.host, target, [this, c, resume](
                                                     beast::error_code ec) {
          if (ec)
            return resume ? retry(c, c->session.refused(0))
                          : failed(c, "handshake: " + ec.message());
          beast::get_lowest_layer(*c->ws).expires_never();
          c->open = true;
          c->session.opened();
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

  // The connection ended (a node went away) or a reconnect failed: again
  // where and when the session says.
  void retry(client* c, const client_session::next_step& next) {
    if (next.action == close_action::give_up) {
      ++errors_["gave up: " + next.reason];
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(io_);
    timer->expires_after(next.delay);
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
          retry(c, c->session.closed(static_cast<int>(c->ws->reason().code)));
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
    c->resume_text = c->session.sequence().resume_message();
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
    auto missing_before = c->session.sequence().missing();
    std::string reply; // the resume after a gap: sent below, one at a time
    auto seen = c->session.take(*message, reply);
    auto last = c->session.sequence().last_seq();
    c->last = last < 0 ? 0 : last;
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
      stats_.gaps += c->session.sequence().missing() - missing_before;
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


client_group::client_group(const options& opts,
                           const std::vector<std::string>& draft_ids,
                           const std::vector<std::string>& tokens,
                           std::vector<std::pair<int, int>> drafts_and_nodes,
                           const std::vector<int>& owner_nodes)
  : impl_(std::make_unique<impl>(opts, draft_ids, tokens,
                                 std::move(drafts_and_nodes), owner_nodes)) {}

client_group::~client_group() = default;

void client_group::start() { impl_->start(); }
void client_group::stop() { impl_->stop(); }
bool client_group::connecting_done() const { return impl_->connecting_done(); }
std::size_t client_group::opened() const { return impl_->opened(); }
const std::map<std::string, int>& client_group::errors() const {
  return impl_->errors();
}
void client_group::measure_from(double ms) { impl_->measure_from(ms); }
const load_stats& client_group::stats() const { return impl_->stats(); }

std::vector<client_view> client_group::clients() const {
  std::vector<client_view> out;
  for (auto& c : impl_->clients())
    out.push_back({c->draft, c->open, c->last.load()});
  return out;
}

} // namespace draft::load
