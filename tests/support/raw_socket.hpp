#pragma once

// A raw TCP connection for tests that send bytes no client library would
// (partial requests, oversized headers, junk on a cluster port).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace draft::testing {

/// Connects to 127.0.0.1:`port`; the descriptor, or -1 on failure. With
/// `receive_timeout_sec` > 0, reads give up after that long.
inline int raw_connect(int port, int receive_timeout_sec = 0) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  if (receive_timeout_sec > 0) {
    timeval tv{receive_timeout_sec, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  return fd;
}

} // namespace draft::testing
