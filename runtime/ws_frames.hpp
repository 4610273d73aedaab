#pragma once

// The server side of WebSocket framing (RFC 6455), without I/O: the gateway
// writes its own frames so that frames queued for one socket go out in one
// gather write, and reads client frames with no buffer held while a
// connection is idle. Pure functions and one parser, so they are unit tested
// and fuzzed (fuzz/fuzz_ws_frames.cpp) apart from any socket.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace draft::ws {

enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

/// The longest server frame header: 2 bytes and a 64-bit length.
constexpr std::size_t max_header_bytes = 10;

/// Writes the header of an unmasked, final server frame of `size` payload
/// bytes into `out` (room for max_header_bytes); returns its length (2, 4
/// or 10).
std::size_t server_header(opcode op, std::size_t size, std::uint8_t* out);

/// A whole server frame (header and payload), for control frames.
std::string server_frame(opcode op, std::string_view payload);

/// The payload of a close frame: the code, then the reason cut to the 123
/// bytes a control frame leaves for it (on a UTF-8 character boundary).
std::string close_payload(std::uint16_t code, std::string_view reason);

/// True if `text` is well-formed UTF-8 (no overlong forms, surrogates or
/// code points past U+10FFFF), as a text message must be.
bool valid_utf8(std::string_view text);

/// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key.
std::string accept_key(std::string_view client_key);

/// True if `key` is a valid Sec-WebSocket-Key: base64 of 16 bytes.
bool valid_client_key(std::string_view key);

/// What the parser found in the client's bytes.
struct client_event {
  enum kind_t {
    message, ///< a whole text message, in `data` (valid UTF-8)
    ping,    ///< a ping; answer a pong with `data`
    pong,    ///< a pong (ignored by the gateway)
    close,   ///< the client's close: `code` (1005 when absent) and `data` (reason)
    error,   ///< the client broke the protocol or a limit: close with `code`, `data`
  } kind;
  std::string data;
  std::uint16_t code = 0;
};

/// Reads the frames a client sends: masked, possibly fragmented, control
/// frames between fragments. Bytes are fed as they arrive; a partial frame is
/// kept until the rest comes, and nothing is held once every frame is
/// complete. After a close or an error it reads no more.
class client_reader {
public:
  /// `max_message`: the longest text message accepted; a longer one is an
  /// error with `too_big_code` as soon as its length is known.
  explicit client_reader(std::size_t max_message,
                         std::uint16_t too_big_code = 1009)
    : max_message_(max_message), too_big_code_(too_big_code) {}

  /// Parses `bytes`, appending what it finds to `out`.
  void feed(std::string_view bytes, std::vector<client_event>& out);

  /// True after a close or an error: the reader ignores further bytes.
  bool done() const { return done_; }

  /// Heap bytes held for an incomplete frame or message (0 when idle).
  std::size_t held() const { return heap(pending_) + heap(message_); }

private:
  static std::size_t heap(const std::string& s) {
    return s.capacity() > std::string().capacity() ? s.capacity() : 0;
  }
  /// Parses one frame from pending_ at `at`; false if it is incomplete.
  bool next_frame(std::size_t& at, std::vector<client_event>& out);
  void fail(std::uint16_t code, std::string why, std::vector<client_event>& out);

  std::size_t max_message_;
  std::uint16_t too_big_code_;
  std::string pending_; ///< bytes of frames not yet complete
  std::string message_; ///< the fragments of a message so far
  bool in_message_ = false;
  bool done_ = false;
};

} // namespace draft::ws
