// JWT verification. Valid tokens are made with the `openssl` command line, so
// acceptance does not rest on our own signer; each attack has its own error.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "runtime/base64url.hpp"
#include "runtime/jwt.hpp"

using namespace draft;

namespace {

const std::string secret = "a-test-secret-that-is-32-bytes-long!";

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe)
    return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0)
    out.append(buf, n);
  EXPECT_EQ(pclose(pipe), 0) << command;
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream(path) << content;
}

class jwt_test : public testing::Test {
protected:
  static void SetUpTestSuite() {
    char dir_template[] = "/tmp/draft-jwt-test-XXXXXX";
    dir = mkdtemp(dir_template);
    for (auto name : {"key", "other"}) {
      run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "
          + dir + "/" + name + ".pem 2>/dev/null");
      run("openssl pkey -in " + dir + "/" + name + ".pem -pubout -out " + dir
          + "/" + name + ".pub 2>/dev/null");
    }
    public_pem = read_file(dir + "/key.pub");
  }

  static void TearDownTestSuite() {
    run("rm -rf " + dir);
  }

  // base64url(header).base64url(payload), encoded by openssl and tr.
  static std::string signing_input(const std::string& header,
                                   const std::string& payload) {
    auto encode = [](const std::string& text) {
      write_file(dir + "/part", text);
      return run("openssl base64 -A -in " + dir
                 + "/part | tr '+/' '-_' | tr -d '='");
    };
    return encode(header) + "." + encode(payload);
  }

  static std::string openssl_sign(const std::string& input,
                                  const std::string& dgst_args) {
    write_file(dir + "/input", input);
    return run("openssl dgst -sha256 " + dgst_args + " -binary " + dir
               + "/input | openssl base64 -A | tr '+/' '-_' | tr -d '='");
  }

  static std::string hs256(const std::string& payload,
                           const std::string& key = secret,
                           const std::string& header
                           = R"({"alg":"HS256","typ":"JWT"})") {
    auto input = signing_input(header, payload);
    write_file(dir + "/hmac-key", key);
    // -hmac takes the key on the command line; -mac HMAC -macopt with a hex
    // key copes with any bytes (such as a PEM).
    std::string hex_key = run("od -An -tx1 -v " + dir + "/hmac-key | tr -d ' \\n'");
    return input + "."
           + openssl_sign(input, "-mac HMAC -macopt hexkey:" + hex_key);
  }

  static std::string rs256(const std::string& payload,
                           const std::string& key_name = "key") {
    auto input = signing_input(R"({"alg":"RS256","typ":"JWT"})", payload);
    return input + "." + openssl_sign(input, "-sign " + dir + "/" + key_name + ".pem");
  }

  static std::string claims(const std::string& extra = "") {
    return R"({"sub":"user-7","exp":)" + std::to_string(now_sec + 3600)
           + extra + "}";
  }

  static jwt_verifier verifier(jwt_settings s) {
    auto v = jwt_verifier::create(s);
    EXPECT_TRUE(v) << (v ? "" : v.error().to_string());
    return *v;
  }

  static jwt_verifier both() {
    jwt_settings s;
    s.hs256_secret = secret;
    s.rs256_public_key_pem = public_pem;
    return verifier(s);
  }

  static jwt_error error_of(const jwt_verifier& v, const std::string& token) {
    auto r = v.verify(token, now_sec * 1'000'000);
    EXPECT_FALSE(r) << "accepted: " << token;
    return r ? jwt_error::malformed : r.error().code;
  }

  static inline std::string dir;
  static inline std::string public_pem;
  static inline const std::int64_t now_sec = 1'800'000'000;
};

} // namespace

TEST_F(jwt_test, accepts_hs256_signed_by_openssl) {
  auto token = hs256(claims(
    R"(,"role":"commissioner","team_id":"t-1","drafts":["d-1","d-2"])"));
  auto r = both().verify(token, now_sec * 1'000'000);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->subject, "user-7");
  EXPECT_EQ(r->user_role, role::commissioner);
  EXPECT_EQ(r->team_id, "t-1");
  EXPECT_TRUE(r->may_read_draft("d-2"));
  EXPECT_FALSE(r->may_read_draft("d-3"));
}

TEST_F(jwt_test, accepts_rs256_signed_by_openssl) {
  auto r = both().verify(rs256(claims(R"(,"drafts":["*"])")),
                         now_sec * 1'000'000);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->may_read_draft("any"));
}

TEST_F(jwt_test, our_signer_agrees_with_openssl) {
  auto payload = claims(R"(,"role":"admin")");
  EXPECT_EQ(sign_hs256(payload, secret),
            hs256(payload, secret, R"({"alg":"HS256","typ":"JWT"})"));
  auto r = both().verify(sign_hs256(payload, secret), now_sec * 1'000'000);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->may_read_draft("whatever")); // admins read every draft
}

TEST_F(jwt_test, refuses_alg_none) {
  auto input = signing_input(R"({"alg":"none"})", claims());
  EXPECT_EQ(error_of(both(), input + "."), jwt_error::alg_none);
  auto mixed_case = signing_input(R"({"alg":"nOnE"})", claims());
  EXPECT_EQ(error_of(both(), mixed_case + "."), jwt_error::alg_none);
}

TEST_F(jwt_test, refuses_hs256_made_with_the_public_key_as_secret) {
  // The classic confusion attack: the public key is public.
  auto forged = hs256(claims(R"(,"role":"admin")"), public_pem);
  EXPECT_EQ(error_of(both(), forged), jwt_error::bad_signature);
  jwt_settings rs_only;
  rs_only.rs256_public_key_pem = public_pem;
  EXPECT_EQ(error_of(verifier(rs_only), forged), jwt_error::alg_not_enabled);
}

TEST_F(jwt_test, refuses_rs256_when_only_a_secret_is_configured) {
  jwt_settings hs_only;
  hs_only.hs256_secret = secret;
  EXPECT_EQ(error_of(verifier(hs_only), rs256(claims())),
            jwt_error::alg_not_enabled);
}

TEST_F(jwt_test, refuses_other_keys_and_tampering) {
  EXPECT_EQ(error_of(both(), rs256(claims(), "other")), jwt_error::bad_signature);
  EXPECT_EQ(error_of(both(), hs256(claims(), secret + "x")),
            jwt_error::bad_signature);
  // Swap in an admin payload under the original signature.
  auto token = hs256(claims());
  auto first = token.find('.'), last = token.rfind('.');
  auto tampered = token.substr(0, first) + "."
                  + base64url_encode(claims(R"(,"role":"admin")"))
                  + token.substr(last);
  EXPECT_EQ(error_of(both(), tampered), jwt_error::bad_signature);
}

TEST_F(jwt_test, refuses_structural_garbage) {
  auto v = both();
  auto token = hs256(claims());
  EXPECT_EQ(error_of(v, "abc.def"), jwt_error::malformed);
  EXPECT_EQ(error_of(v, token + ".x"), jwt_error::malformed);
  EXPECT_EQ(error_of(v, std::string(9000, 'a')), jwt_error::malformed);
  EXPECT_EQ(error_of(v, "e30=." + token.substr(token.find('.') + 1)),
            jwt_error::bad_base64);
  EXPECT_EQ(error_of(v, token.substr(0, token.rfind('.')) + ".sig*"),
            jwt_error::bad_base64);
  auto not_json = base64url_encode("{alg:HS256") + "."
                  + base64url_encode(claims()) + ".c2ln";
  EXPECT_EQ(error_of(v, not_json), jwt_error::bad_header);
  auto no_alg = signing_input(R"({"typ":"JWT"})", claims()) + ".c2ln";
  EXPECT_EQ(error_of(v, no_alg), jwt_error::bad_header);
  EXPECT_EQ(error_of(v, hs256(R"(["not","an","object"])")),
            jwt_error::bad_payload);
  EXPECT_EQ(error_of(v, hs256(claims(), secret, R"({"alg":"HS512"})")),
            jwt_error::alg_unsupported);
}

TEST_F(jwt_test, refuses_critical_extensions_it_does_not_understand) {
  // RFC 7515 4.1.11: correctly signed, but "crit" names an extension.
  auto v = both();
  EXPECT_EQ(error_of(v, hs256(claims(), secret,
                              R"({"alg":"HS256","crit":["exp"],"exp":1})")),
            jwt_error::bad_header);
  EXPECT_EQ(error_of(v, hs256(claims(), secret, R"({"alg":"HS256","crit":[]})")),
            jwt_error::bad_header);
  EXPECT_TRUE(v.verify(hs256(claims(), secret, R"({"alg":"HS256","typ":"JWT"})")));
}

TEST_F(jwt_test, checks_time_issuer_and_audience) {
  auto v = both();
  auto at = [&](std::int64_t exp, const std::string& extra = "") {
    return hs256(R"({"sub":"u","exp":)" + std::to_string(exp) + extra + "}");
  };
  EXPECT_EQ(error_of(v, at(now_sec - 60)), jwt_error::expired);
  EXPECT_TRUE(v.verify(at(now_sec - 10), now_sec * 1'000'000)); // leeway
  EXPECT_EQ(error_of(v, at(now_sec + 600, R"(,"nbf":)"
                                            + std::to_string(now_sec + 300))),
            jwt_error::not_yet_valid);
  jwt_settings s;
  s.hs256_secret = secret;
  s.issuer = "draft-auth";
  s.audience = "draft-gateway";
  auto strict = verifier(s);
  auto good = at(now_sec + 600, R"(,"iss":"draft-auth","aud":["x","draft-gateway"])");
  EXPECT_TRUE(strict.verify(good, now_sec * 1'000'000));
  EXPECT_EQ(error_of(strict, at(now_sec + 600, R"(,"iss":"evil","aud":"draft-gateway")")),
            jwt_error::wrong_issuer);
  EXPECT_EQ(error_of(strict, at(now_sec + 600, R"(,"iss":"draft-auth","aud":"other")")),
            jwt_error::wrong_audience);
}

TEST_F(jwt_test, checks_claims) {
  auto v = both();
  auto exp = std::to_string(now_sec + 600);
  EXPECT_EQ(error_of(v, hs256(R"({"exp":)" + exp + "}")),
            jwt_error::missing_claim);
  EXPECT_EQ(error_of(v, hs256(R"({"sub":"u"})")), jwt_error::missing_claim);
  EXPECT_EQ(error_of(v, hs256(R"({"sub":"u","exp":"soon"})")),
            jwt_error::bad_claim);
  EXPECT_EQ(error_of(v, hs256(claims(R"(,"role":"superuser")"))),
            jwt_error::bad_claim);
  EXPECT_EQ(error_of(v, hs256(claims(R"(,"drafts":"d-1")"))),
            jwt_error::bad_claim);
}

TEST(jwt_settings_test, refuses_unusable_keys) {
  jwt_settings none;
  EXPECT_FALSE(jwt_verifier::create(none));
  jwt_settings short_secret;
  short_secret.hs256_secret = "short";
  EXPECT_FALSE(jwt_verifier::create(short_secret));
  jwt_settings bad_pem;
  bad_pem.rs256_public_key_pem = "-----BEGIN PUBLIC KEY-----\nAAAA\n";
  EXPECT_FALSE(jwt_verifier::create(bad_pem));
}

TEST(jwt, leeway_comes_from_the_environment_and_bad_values_are_named) {
  setenv("DRAFT_JWT_LEEWAY_SEC", "5", 1);
  auto s = jwt_settings_from_environment();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->leeway_sec, 5);
  setenv("DRAFT_JWT_LEEWAY_SEC", "soon", 1);
  auto bad = jwt_settings_from_environment();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().to_string().find("DRAFT_JWT_LEEWAY_SEC"),
            std::string::npos);
  unsetenv("DRAFT_JWT_LEEWAY_SEC");
}
