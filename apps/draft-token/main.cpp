// draft-token: prints an HS256 token signed with $DRAFT_JWT_SECRET, for
// development and demos (production tokens come from your identity provider).
//
//   draft-token [--sub S] [--role admin|commissioner] [--team ID]
//               [--drafts id,id|*] [--ttl SECONDS] [--iss I] [--aud A]

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "protocol/json_writer.hpp"
#include "runtime/config.hpp"
#include "runtime/jwt.hpp"
#include "runtime/logger.hpp"

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: draft-token [--sub S] [--role admin|commissioner] "
               "[--team ID] [--drafts id,id|*] [--ttl SECONDS] [--iss I] "
               "[--aud A]\n  signs with $DRAFT_JWT_SECRET (HS256)\n");
}

} // namespace

int main(int argc, char** argv) {
  std::string sub = "dev-user", role, team, drafts = "*", iss, aud;
  long ttl = 24 * 3600;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) {
      usage();
      return 2;
    }
    std::string value = argv[++i];
    if (arg == "--sub")
      sub = value;
    else if (arg == "--role")
      role = value;
    else if (arg == "--team")
      team = value;
    else if (arg == "--drafts")
      drafts = value;
    else if (arg == "--iss")
      iss = value;
    else if (arg == "--aud")
      aud = value;
    else if (arg == "--ttl")
      ttl = std::atol(value.c_str());
    else {
      usage();
      return 2;
    }
  }
  if (role != "" && role != "admin" && role != "commissioner") {
    std::fprintf(stderr, "draft-token: --role must be admin or commissioner\n");
    return 2;
  }
  auto secret = std::getenv("DRAFT_JWT_SECRET");
  if (!secret || std::string(secret).size() < 32) {
    std::fprintf(stderr, "draft-token: set DRAFT_JWT_SECRET (32+ bytes)\n");
    return 2;
  }
  auto now = static_cast<long>(std::time(nullptr));
  auto claims = draft::json::write_object([&](draft::json::object_writer& o) {
    o.str("sub", sub)
      .num("iat", now)
      .num("exp", now + ttl)
      .optional_str("role", role)
      .optional_str("team_id", team)
      .optional_str("iss", iss)
      .optional_str("aud", aud)
      .strings("drafts", draft::split_list(drafts));
  });
  std::printf("%s\n", draft::sign_hs256(claims, secret).c_str());
  return 0;
}
