#pragma once

// A blocking WebSocket client of the gateway (Beast behind this header): the
// transport of draft-bots and the tests. What to do with the frames and
// where to reconnect is protocol/client_session.hpp; the loadgen, which
// holds thousands of connections per thread, drives the same session over
// asynchronous streams instead.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace draft {

class ws_client {
public:
  /// Connects to ws://`host`:`port``target` (127.0.0.1 unless said). On a refused upgrade
  /// returns null and sets `status` and `body` to the HTTP answer.
  /// `receive_buffer` > 0 shrinks SO_RCVBUF (to make a slow consumer).
  static std::unique_ptr<ws_client> connect(int port, const std::string& target,
                                            const std::string& bearer,
                                            int& status, std::string& body,
                                            int receive_buffer = 0,
                                            const std::string& host = "127.0.0.1");
  ~ws_client();

  /// The next text message; nothing on close, error or timeout.
  std::optional<std::string> read(std::chrono::milliseconds timeout
                                  = std::chrono::seconds(30));

  void send(const std::string& text);

  /// Close code the server sent (0 if none yet / the socket just dropped).
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  /// True once a read ended the connection (a close or a dropped socket),
  /// as opposed to a read that only timed out.
  bool closed() const { return closed_; }

  struct impl;

private:
  explicit ws_client(std::unique_ptr<impl> state);
  std::unique_ptr<impl> impl_;
  int close_code_ = 0;
  std::string close_reason_;
  bool closed_ = false;
};

} // namespace draft
