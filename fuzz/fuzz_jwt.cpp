// libFuzzer target: JWT parsing and verification (HS256 and RS256 enabled),
// on arbitrary tokens and on correctly signed tokens with arbitrary headers
// and payloads.

#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/base64url.hpp"
#include "runtime/jwt.hpp"

using namespace draft;

namespace {

const std::string secret = "fuzzing-secret-of-at-least-32-bytes!";

const jwt_verifier& verifier() {
  static jwt_verifier v = [] {
    jwt_settings s;
    s.hs256_secret = secret;
    return *jwt_verifier::create(s);
  }();
  return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  (void) verifier().verify(input);
  // The same bytes as the payload of a token signed with the right key: the
  // claims parser sees them after the signature check passes.
  auto split = input.find('\n');
  auto header = split == std::string::npos ? std::string(R"({"alg":"HS256"})")
                                           : input.substr(0, split);
  auto payload = split == std::string::npos ? input : input.substr(split + 1);
  (void) verifier().verify(sign_hs256(payload, secret));
  auto signing_input = base64url_encode(header) + "." + base64url_encode(payload);
  (void) verifier().verify(signing_input + ".c2ln");
  return 0;
}
