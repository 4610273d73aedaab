// draft-token: prints an HS256 token signed with $DRAFT_JWT_SECRET, for
// development and demos (production tokens come from your identity provider).
//
//   draft-token [--sub S] [--role admin|commissioner] [--team ID]
//               [--drafts id,id|*] [--ttl SECONDS] [--iss I] [--aud A]

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

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
  std::string claims = "{\"sub\":" + draft::json_quoted(sub)
                       + ",\"iat\":" + std::to_string(now)
                       + ",\"exp\":" + std::to_string(now + ttl);
  if (!role.empty())
    claims += ",\"role\":" + draft::json_quoted(role);
  if (!team.empty())
    claims += ",\"team_id\":" + draft::json_quoted(team);
  if (!iss.empty())
    claims += ",\"iss\":" + draft::json_quoted(iss);
  if (!aud.empty())
    claims += ",\"aud\":" + draft::json_quoted(aud);
  claims += ",\"drafts\":[";
  bool first = true;
  for (auto& item : draft::split_list(drafts)) {
    claims += (first ? "" : ",") + draft::json_quoted(item);
    first = false;
  }
  claims += "]}";
  std::printf("%s\n", draft::sign_hs256(claims, secret).c_str());
  return 0;
}
