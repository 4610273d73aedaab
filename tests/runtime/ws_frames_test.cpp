#include "runtime/ws_frames.hpp"

#include <vector>

#include <gtest/gtest.h>

using namespace draft::ws;

namespace {

// A client frame as a browser sends it: masked with `mask`.
std::string client_frame(std::uint8_t first, std::string_view payload,
                         std::uint32_t mask = 0x37fa213d) {
  std::string out(1, static_cast<char>(first));
  auto n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i)
      out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xFF));
  }
  char m[4] = {char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask)};
  out.append(m, 4);
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(static_cast<char>(payload[i] ^ m[i & 3]));
  return out;
}

std::vector<client_event> read_all(client_reader& r, std::string_view bytes) {
  std::vector<client_event> out;
  r.feed(bytes, out);
  return out;
}

} // namespace

TEST(ws_frames, server_headers_use_the_shortest_length_form) {
  struct expected {
    opcode op;
    std::size_t size;
    std::vector<std::uint8_t> header;
  };
  const std::vector<expected> cases = {
    {opcode::text, 0, {0x81, 0}},
    {opcode::text, 125, {0x81, 125}},
    {opcode::text, 126, {0x81, 126, 0, 126}},
    {opcode::pong, 65535, {0x8A, 126, 0xFF, 0xFF}},
    {opcode::text, 65536, {0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
  };
  for (auto& c : cases) {
    std::uint8_t h[max_header_bytes];
    auto n = server_header(c.op, c.size, h);
    EXPECT_EQ(std::vector<std::uint8_t>(h, h + n), c.header) << c.size;
  }
  EXPECT_EQ(server_frame(opcode::text, "hi"), std::string("\x81\x02hi"));
}

TEST(ws_frames, accept_key_is_the_rfc_example) {
  // RFC 6455, section 1.3.
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_TRUE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ="));
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub2!jZQ=="));
  EXPECT_FALSE(valid_client_key(""));
}

TEST(ws_frames, a_message_split_anywhere_reads_the_same_and_leaves_nothing_held) {
  auto bytes = client_frame(0x81, R"({"type":"ping","nonce":"n-1"})")
               + client_frame(0x81, std::string(300, 'x'));
  client_reader whole(4096);
  auto a = read_all(whole, bytes);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].kind, client_event::message);
  EXPECT_EQ(a[0].data, R"({"type":"ping","nonce":"n-1"})");
  EXPECT_EQ(a[1].data, std::string(300, 'x'));
  EXPECT_EQ(whole.held(), 0u);

  client_reader bytewise(4096);
  std::vector<client_event> b;
  for (char c : bytes)
    bytewise.feed(std::string_view(&c, 1), b);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].data, a[0].data);
  EXPECT_EQ(b[1].data, a[1].data);
  EXPECT_EQ(bytewise.held(), 0u);
}

TEST(ws_frames, fragments_join_and_a_ping_between_them_is_answered_first) {
  client_reader r(4096);
  auto events = read_all(r, client_frame(0x01, "{\"type\":") + client_frame(0x89, "p")
                              + client_frame(0x80, "\"ping\"}"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, client_event::ping);
  EXPECT_EQ(events[0].data, "p");
  EXPECT_EQ(events[1].kind, client_event::message);
  EXPECT_EQ(events[1].data, "{\"type\":\"ping\"}");
}

TEST(ws_frames, protocol_errors_name_the_close_code_and_stop_the_reader) {
  struct bad {
    std::string bytes;
    std::uint16_t code;
    std::string says;
  };
  std::string unmasked = "\x81\x02hi";
  std::vector<bad> cases = {
    {unmasked, 1002, "masked"},
    {client_frame(0x82, "bin"), 1003, "binary"},
    {client_frame(0xC1, "x"), 1002, "reserved"},
    {client_frame(0x83, "x"), 1002, "opcode 3"},
    {client_frame(0x80, "x"), 1002, "continuation"},
    {client_frame(0x01, "a") + client_frame(0x81, "b"), 1002, "inside"},
    {client_frame(0x09, "x"), 1002, "control frame"},
    {client_frame(0x89, std::string(126, 'p')), 1002, "control frame"},
    {client_frame(0x81, "\xC0\x80"), 1007, "UTF-8"},
    {client_frame(0x88, "\x03"), 1002, "one byte"},
    {client_frame(0x88, "\x03\xED"), 1002, "close code 1005"},
  };
  for (auto& c : cases) {
    client_reader r(4096);
    auto events = read_all(r, c.bytes + client_frame(0x81, "after"));
    ASSERT_EQ(events.size(), 1u) << c.says;
    EXPECT_EQ(events[0].kind, client_event::error) << c.says;
    EXPECT_EQ(events[0].code, c.code) << c.says;
    EXPECT_NE(events[0].data.find(c.says), std::string::npos) << events[0].data;
    EXPECT_TRUE(r.done());
  }
}

TEST(ws_frames, an_oversized_message_is_refused_from_its_header_alone) {
  client_reader r(4096, 4009);
  auto frame = client_frame(0x81, std::string(5000, 'x'));
  auto events = read_all(r, frame.substr(0, 8)); // header and mask only
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, client_event::error);
  EXPECT_EQ(events[0].code, 4009);
  EXPECT_EQ(events[0].data, "message too big: at most 4096 bytes");
  // Fragments count together.
  client_reader f(10, 4009);
  events = read_all(f, client_frame(0x01, "123456") + client_frame(0x80, "78901"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, 4009);
}

TEST(ws_frames, a_close_carries_code_and_reason_and_ends_reading) {
  client_reader r(4096);
  auto events = read_all(r, client_frame(0x88, std::string("\x03\xE8") + "bye")
                              + client_frame(0x81, "late"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, client_event::close);
  EXPECT_EQ(events[0].code, 1000);
  EXPECT_EQ(events[0].data, "bye");
  client_reader empty(4096);
  events = read_all(empty, client_frame(0x88, ""));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, 1005);
}

TEST(ws_frames, utf8_is_checked_strictly) {
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80")); // é € 😀
  EXPECT_FALSE(valid_utf8("\xC0\x80"));         // overlong NUL
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));     // a surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80")); // past U+10FFFF
  EXPECT_FALSE(valid_utf8("\xE2\x82"));         // cut short
  EXPECT_FALSE(valid_utf8("\xFF"));
}

TEST(ws_frames, a_close_reason_is_cut_on_a_character_boundary) {
  std::string reason(122, 'a');
  reason += "\xC3\xA9\xC3\xA9"; // two 2-byte characters across byte 123
  auto payload = close_payload(4008, reason);
  EXPECT_EQ(payload.substr(0, 2), std::string("\x0F\xA8"));
  EXPECT_LE(payload.size(), 125u);
  EXPECT_TRUE(valid_utf8(payload.substr(2)));
  EXPECT_EQ(payload.size(), 2u + 122u);
}
