#pragma once

// The gateway's one port, on the runtime HTTP server: REST (state, picks),
// /health, /ready, /metrics, the admin console and API, and the WebSocket
// endpoint /drafts/{id}/connect. Routes and admission live here; HTTP itself
// (limits, timeouts, errors) is runtime/http_server's. No Beast here.

#include <chrono>
#include <memory>

#include "actors/edge/gateway_context.hpp"
#include "protocol/result.hpp"

namespace draft {

class http_server;

class gateway_server {
public:
  /// Binds and starts the I/O lanes.
  static result<std::unique_ptr<gateway_server>> start(gateway_context& context);
  ~gateway_server();

  std::uint16_t port() const;

  /// Stops accepting and closes every WebSocket with 1001 (the client
  /// resumes elsewhere); waits up to `grace` for them to go.
  void drain(std::chrono::milliseconds grace);

  /// Stops the lanes and joins their threads, letting them finish what is
  /// queued (a session's last task) for up to `grace`. Call it after the
  /// actors that hold sessions are done.
  void stop(std::chrono::milliseconds grace);

private:
  gateway_server(gateway_context& context, std::unique_ptr<http_server> http);
  gateway_context* context_;
  std::unique_ptr<http_server> http_;
};

} // namespace draft
