#include "runtime/ws_frames.hpp"

#include <cctype>

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace draft::ws {

namespace {

bool is_control(std::uint8_t op) { return op & 0x8; }

// Close codes a peer may send (RFC 6455 7.4): 1004-1006 and 1015 are
// reserved, 1012-1014 are registered since, 3000-4999 are for applications.
bool valid_close_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999)
    return true;
  return code >= 1000 && code <= 1014 && code != 1004 && code != 1005
         && code != 1006;
}

} // namespace

std::size_t server_header(opcode op, std::size_t size, std::uint8_t* out) {
  out[0] = 0x80 | static_cast<std::uint8_t>(op);
  if (size < 126) {
    out[1] = static_cast<std::uint8_t>(size);
    return 2;
  }
  if (size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(size >> 8);
    out[3] = static_cast<std::uint8_t>(size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i)
    out[2 + i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(size)
                                           >> (56 - 8 * i));
  return 10;
}

std::string server_frame(opcode op, std::string_view payload) {
  std::uint8_t header[max_header_bytes];
  auto n = server_header(op, payload.size(), header);
  std::string out(reinterpret_cast<const char*>(header), n);
  out.append(payload);
  return out;
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  std::string out;
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFF));
  if (reason.size() > 123) {
    std::size_t cut = 123;
    while (cut > 0 && (static_cast<std::uint8_t>(reason[cut]) & 0xC0) == 0x80)
      --cut; // do not split a character
    reason = reason.substr(0, cut);
  }
  out.append(reason);
  return out;
}

bool valid_utf8(std::string_view text) {
  auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  auto* end = p + text.size();
  while (p < end) {
    std::uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    std::uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (end - p <= extra)
      return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    p += extra + 1;
  }
  return true;
}

std::string accept_key(std::string_view client_key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(client_key);
  input.append(guid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char out[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

bool valid_client_key(std::string_view key) {
  // 16 bytes in base64: 22 characters and "==".
  if (key.size() != 24 || key.substr(22) != "==")
    return false;
  for (char c : key.substr(0, 22))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/')
      return false;
  return true;
}

void client_reader::fail(std::uint16_t code, std::string why,
                         std::vector<client_event>& out) {
  done_ = true;
  out.push_back({client_event::error, std::move(why), code});
}

bool client_reader::next_frame(std::size_t& at, std::vector<client_event>& out) {
  auto* p = reinterpret_cast<const std::uint8_t*>(pending_.data()) + at;
  std::size_t have = pending_.size() - at;
  if (have < 2)
    return false;
  bool fin = p[0] & 0x80;
  std::uint8_t op = p[0] & 0x0F;
  if (p[0] & 0x70)
    return fail(1002, "protocol error: reserved bits set (no extension was agreed)", out), false;
  if (!(p[1] & 0x80))
    return fail(1002, "protocol error: a client frame must be masked", out), false;
  std::uint64_t size = p[1] & 0x7F;
  std::size_t header = 2;
  if (size == 126) {
    if (have < 4)
      return false;
    size = (std::uint64_t{p[2]} << 8) | p[3];
    header = 4;
  } else if (size == 127) {
    if (have < 10)
      return false;
    size = 0;
    for (int i = 0; i < 8; ++i)
      size = (size << 8) | p[2 + i];
    header = 10;
    if (size >> 63)
      return fail(1002, "protocol error: frame length over 2^63", out), false;
  }
  if (is_control(op)) {
    if (op != 0x8 && op != 0x9 && op != 0xA)
      return fail(1002, "protocol error: unknown opcode " + std::to_string(op), out), false;
    if (!fin || size > 125)
      return fail(1002, "protocol error: a control frame must be final and at most 125 bytes", out), false;
  } else {
    if (op == 0x2)
      return fail(1003, "binary messages are not accepted: send JSON text", out), false;
    if (op != 0x0 && op != 0x1)
      return fail(1002, "protocol error: unknown opcode " + std::to_string(op), out), false;
    if (op == 0x0 && !in_message_)
      return fail(1002, "protocol error: continuation without a message", out), false;
    if (op == 0x1 && in_message_)
      return fail(1002, "protocol error: a new message inside a fragmented one", out), false;
    if (message_.size() + size > max_message_)
      return fail(too_big_code_, "message too big: at most "
                                   + std::to_string(max_message_) + " bytes", out), false;
  }
  if (have - header < 4 + size)
    return false;
  const std::uint8_t* mask = p + header;
  std::string payload(reinterpret_cast<const char*>(mask + 4),
                      static_cast<std::size_t>(size));
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>(payload[i] ^ mask[i & 3]);
  at += header + 4 + static_cast<std::size_t>(size);
  switch (op) {
    case 0x8: {
      if (payload.size() == 1)
        return fail(1002, "protocol error: a close payload of one byte", out), false;
      std::uint16_t code = 1005;
      std::string reason;
      if (payload.size() >= 2) {
        code = static_cast<std::uint16_t>(
          (static_cast<std::uint8_t>(payload[0]) << 8) | static_cast<std::uint8_t>(payload[1]));
        reason = payload.substr(2);
        if (!valid_close_code(code))
          return fail(1002, "protocol error: close code " + std::to_string(code), out), false;
        if (!valid_utf8(reason))
          return fail(1007, "the close reason is not UTF-8", out), false;
      }
      done_ = true;
      out.push_back({client_event::close, std::move(reason), code});
      return false;
    }
    case 0x9:
      out.push_back({client_event::ping, std::move(payload)});
      return true;
    case 0xA:
      out.push_back({client_event::pong, std::move(payload)});
      return true;
    default:
      break;
  }
  if (!in_message_ && fin) {
    message_.swap(payload);
  } else {
    message_.append(payload);
  }
  in_message_ = !fin;
  if (fin) {
    if (!valid_utf8(message_))
      return fail(1007, "a text message must be UTF-8", out), false;
    out.push_back({client_event::message, std::move(message_)});
    std::string().swap(message_);
  }
  return true;
}

void client_reader::feed(std::string_view bytes, std::vector<client_event>& out) {
  if (done_)
    return;
  pending_.append(bytes);
  std::size_t at = 0;
  while (!done_ && next_frame(at, out)) {
  }
  if (done_)
    std::string().swap(message_);
  if (done_ || at == pending_.size())
    std::string().swap(pending_); // idle: hold nothing
  else
    pending_.erase(0, at);
}

} // namespace draft::ws
