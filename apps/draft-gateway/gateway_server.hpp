#pragma once

// The gateway's one port: REST (state, picks), /health, /ready, /metrics and
// the WebSocket endpoint /drafts/{id}/connect. Beast stays in the .cpp.

#include <memory>

#include "gateway_context.hpp"
#include "protocol/result.hpp"

namespace draft {

class gateway_server {
public:
  /// Binds and starts the I/O threads.
  static result<std::unique_ptr<gateway_server>> start(gateway_context& context);
  ~gateway_server();

  std::uint16_t port() const;

  /// Stops accepting, closes every WebSocket with 1001 and waits up to
  /// `grace` for them to go, then stops the I/O threads.
  void drain_and_stop(std::chrono::milliseconds grace);

  struct impl;

private:
  explicit gateway_server(std::unique_ptr<impl> state);
  std::unique_ptr<impl> impl_;
};

} // namespace draft
