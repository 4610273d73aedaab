#include "runtime/jwt.hpp"

#include "protocol/json_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <rapidjson/document.h>

#include "runtime/base64url.hpp"

namespace draft {

struct jwt_verifier::rsa_key {
  EVP_PKEY* key = nullptr;
  ~rsa_key() { EVP_PKEY_free(key); }
};

namespace {

constexpr size_t max_token_bytes = 8192;
constexpr size_t min_secret_bytes = 32;

jwt_failure fail(jwt_error code, std::string message) {
  return jwt_failure{code, std::move(message)};
}

std::string hmac_sha256(std::string_view data, const std::string& secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
       &length);
  return std::string(reinterpret_cast<char*>(mac), length);
}

bool rsa_sha256_verifies(EVP_PKEY* key, std::string_view data,
                         const std::string& signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx
            && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key)
                 == 1
            && EVP_DigestVerify(
                 ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                 signature.size(),
                 reinterpret_cast<const unsigned char*>(data.data()),
                 data.size())
                 == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

bool read_role(const std::string& name, role& out) {
  if (name == "admin")
    out = role::admin;
  else if (name == "commissioner")
    out = role::commissioner;
  else
    return false;
  return true;
}

// Reads an optional NumericDate claim; false if present but not a number.
bool read_time(const rapidjson::Value& payload, const char* key,
               std::int64_t& out) {
  auto it = payload.FindMember(key);
  if (it == payload.MemberEnd())
    return true;
  if (!it->value.IsNumber())
    return false;
  // Found by fuzz_jwt: a NumericDate past int64 (1e64) was converted with
  // undefined behaviour. A date beyond 31 million years is no date.
  auto seconds = it->value.GetDouble();
  if (!(seconds > -1e15 && seconds < 1e15))
    return false;
  out = static_cast<std::int64_t>(seconds);
  return true;
}

bool audience_matches(const rapidjson::Value& aud, const std::string& wanted) {
  if (aud.IsString())
    return wanted == aud.GetString();
  if (aud.IsArray())
    for (auto& entry : aud.GetArray())
      if (entry.IsString() && wanted == entry.GetString())
        return true;
  return false;
}

} // namespace

const char* to_string(jwt_error code) {
  static constexpr const char* names[] = {
    "malformed",     "bad_base64",      "bad_header",     "bad_payload",
    "alg_none",      "alg_unsupported", "alg_not_enabled", "bad_signature",
    "expired",       "not_yet_valid",   "wrong_issuer",   "wrong_audience",
    "missing_claim", "bad_claim",
  };
  return names[static_cast<int>(code)];
}

bool jwt_claims::may_read_draft(const std::string& draft_id) const {
  if (user_role == role::admin)
    return true;
  // Ids compare without regard to the case of their hex digits.
  auto same = [](const std::string& a, const std::string& b) {
    return a.size() == b.size()
           && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                return std::tolower(static_cast<unsigned char>(x))
                       == std::tolower(static_cast<unsigned char>(y));
              });
  };
  for (auto& d : drafts)
    if (d == "*" || same(d, draft_id))
      return true;
  return false;
}

result<jwt_verifier> jwt_verifier::create(const jwt_settings& settings) {
  if (settings.hs256_secret.empty() && settings.rs256_public_key_pem.empty())
    return problem{"DRAFT_JWT_SECRET",
                   "no JWT key configured: set DRAFT_JWT_SECRET (HS256) "
                   "and/or DRAFT_JWT_PUBLIC_KEY_FILE (RS256)"};
  if (!settings.hs256_secret.empty()
      && settings.hs256_secret.size() < min_secret_bytes)
    return problem{"DRAFT_JWT_SECRET",
                   "an HS256 secret needs at least 32 bytes"};
  jwt_verifier out;
  out.settings_ = settings;
  if (!settings.rs256_public_key_pem.empty()) {
    auto key = std::make_shared<rsa_key>();
    BIO* bio = BIO_new_mem_buf(settings.rs256_public_key_pem.data(),
                               static_cast<int>(
                                 settings.rs256_public_key_pem.size()));
    key->key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!key->key || EVP_PKEY_get_base_id(key->key) != EVP_PKEY_RSA)
      return problem{"DRAFT_JWT_PUBLIC_KEY_FILE",
                     "not a PEM RSA public key (-----BEGIN PUBLIC KEY-----)"};
    out.rsa_ = std::move(key);
  }
  return out;
}

result<jwt_claims, jwt_failure> jwt_verifier::verify(const std::string& token,
                                                     timestamp now) const {
  if (token.size() > max_token_bytes)
    return fail(jwt_error::malformed, "token longer than 8192 bytes");
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string::npos || token.find('.', dot2 + 1) != std::string::npos)
    return fail(jwt_error::malformed,
                "a JWT has three base64url parts separated by dots");
  std::string_view view(token);
  auto header_part = view.substr(0, dot1);
  auto payload_part = view.substr(dot1 + 1, dot2 - dot1 - 1);
  auto signature_part = view.substr(dot2 + 1);
  auto header_json = base64url_decode(header_part);
  auto payload_json = base64url_decode(payload_part);
  auto signature = base64url_decode(signature_part);
  if (!header_json)
    return fail(jwt_error::bad_base64, "the header is not valid base64url");
  if (!payload_json)
    return fail(jwt_error::bad_base64, "the payload is not valid base64url");
  if (!signature)
    return fail(jwt_error::bad_base64, "the signature is not valid base64url");

  rapidjson::Document header;
  header.Parse<rapidjson::kParseValidateEncodingFlag>(header_json->data(),
                                                      header_json->size());
  if (header.HasParseError() || !header.IsObject())
    return fail(jwt_error::bad_header, "the header is not a JSON object");
  // RFC 7515 §4.1.11: a recipient must refuse a token whose "crit" names an
  // extension it does not understand; we understand none.
  if (header.HasMember("crit"))
    return fail(jwt_error::bad_header,
                "the header's \"crit\" names extensions this server does not "
                "understand (RFC 7515 4.1.11)");
  auto alg_it = header.FindMember("alg");
  if (alg_it == header.MemberEnd() || !alg_it->value.IsString())
    return fail(jwt_error::bad_header, "the header has no string \"alg\"");
  std::string alg = alg_it->value.GetString();

  // The key decides the algorithm, never the token.
  auto signed_part = view.substr(0, dot2);
  std::string lowered;
  for (char c : alg)
    lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lowered == "none")
    return fail(jwt_error::alg_none, "unsigned tokens (alg none) are refused");
  if (alg == "HS256") {
    if (settings_.hs256_secret.empty())
      return fail(jwt_error::alg_not_enabled,
                  "HS256 tokens are not accepted here (no shared secret)");
    auto expected = hmac_sha256(signed_part, settings_.hs256_secret);
    if (signature->size() != expected.size()
        || CRYPTO_memcmp(signature->data(), expected.data(), expected.size())
             != 0)
      return fail(jwt_error::bad_signature, "the signature does not match");
  } else if (alg == "RS256") {
    if (!rsa_)
      return fail(jwt_error::alg_not_enabled,
                  "RS256 tokens are not accepted here (no public key)");
    if (!rsa_sha256_verifies(rsa_->key, signed_part, *signature))
      return fail(jwt_error::bad_signature, "the signature does not match");
  } else {
    return fail(jwt_error::alg_unsupported,
                "algorithm " + alg + " is not supported; use HS256 or RS256");
  }

  rapidjson::Document payload;
  payload.Parse<rapidjson::kParseValidateEncodingFlag>(payload_json->data(),
                                                       payload_json->size());
  if (payload.HasParseError() || !payload.IsObject())
    return fail(jwt_error::bad_payload, "the payload is not a JSON object");
  if (json::has_unpaired_surrogate(payload))
    return fail(jwt_error::bad_payload,
                "the payload holds an unpaired UTF-16 surrogate escape");

  jwt_claims claims;
  auto sub = payload.FindMember("sub");
  if (sub == payload.MemberEnd())
    return fail(jwt_error::missing_claim, "the token has no \"sub\" claim");
  if (!sub->value.IsString() || sub->value.GetStringLength() == 0)
    return fail(jwt_error::bad_claim, "\"sub\" must be a non-empty string");
  claims.subject = sub->value.GetString();
  if (!payload.HasMember("exp"))
    return fail(jwt_error::missing_claim, "the token has no \"exp\" claim");
  if (!read_time(payload, "exp", claims.expires_at))
    return fail(jwt_error::bad_claim, "\"exp\" must be a number of seconds");
  if (!read_time(payload, "nbf", claims.not_before))
    return fail(jwt_error::bad_claim, "\"nbf\" must be a number of seconds");
  auto now_sec = now / 1'000'000;
  if (now_sec > claims.expires_at + settings_.leeway_sec)
    return fail(jwt_error::expired, "the token has expired");
  if (claims.not_before != 0
      && now_sec < claims.not_before - settings_.leeway_sec)
    return fail(jwt_error::not_yet_valid, "the token is not valid yet (nbf)");
  if (!settings_.issuer.empty()) {
    auto iss = payload.FindMember("iss");
    if (iss == payload.MemberEnd() || !iss->value.IsString()
        || settings_.issuer != iss->value.GetString())
      return fail(jwt_error::wrong_issuer,
                  "the token was not issued by " + settings_.issuer);
  }
  if (!settings_.audience.empty()) {
    auto aud = payload.FindMember("aud");
    if (aud == payload.MemberEnd()
        || !audience_matches(aud->value, settings_.audience))
      return fail(jwt_error::wrong_audience,
                  "the token is not meant for " + settings_.audience);
  }
  auto role_it = payload.FindMember("role");
  if (role_it != payload.MemberEnd() && !role_it->value.IsNull()) {
    if (!role_it->value.IsString()
        || !read_role(role_it->value.GetString(), claims.user_role))
      return fail(jwt_error::bad_claim,
                  "\"role\" must be \"admin\" or \"commissioner\"");
  }
  auto team = payload.FindMember("team_id");
  if (team != payload.MemberEnd() && !team->value.IsNull()) {
    if (!team->value.IsString())
      return fail(jwt_error::bad_claim, "\"team_id\" must be a string");
    claims.team_id = team->value.GetString();
  }
  auto drafts = payload.FindMember("drafts");
  if (drafts != payload.MemberEnd()) {
    if (!drafts->value.IsArray())
      return fail(jwt_error::bad_claim,
                  "\"drafts\" must be an array of draft ids or [\"*\"]");
    for (auto& d : drafts->value.GetArray()) {
      if (!d.IsString())
        return fail(jwt_error::bad_claim,
                    "\"drafts\" must contain only strings");
      claims.drafts.emplace_back(d.GetString(), d.GetStringLength());
    }
  }
  return claims;
}

std::string sign_hs256(const std::string& claims_json,
                       const std::string& secret) {
  auto signing_input = base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "."
                       + base64url_encode(claims_json);
  return signing_input + "."
         + base64url_encode(hmac_sha256(signing_input, secret));
}

result<jwt_settings> jwt_settings_from_environment() {
  jwt_settings s;
  if (auto v = std::getenv("DRAFT_JWT_SECRET"))
    s.hs256_secret = v;
  if (auto v = std::getenv("DRAFT_JWT_PUBLIC_KEY_FILE"); v && *v) {
    std::ifstream in(v);
    if (!in)
      return problem{"DRAFT_JWT_PUBLIC_KEY_FILE",
                     std::string("cannot read ") + v};
    std::stringstream buffer;
    buffer << in.rdbuf();
    s.rs256_public_key_pem = buffer.str();
  }
  if (auto v = std::getenv("DRAFT_JWT_ISSUER"))
    s.issuer = v;
  if (auto v = std::getenv("DRAFT_JWT_AUDIENCE"))
    s.audience = v;
  if (auto v = std::getenv("DRAFT_JWT_LEEWAY_SEC"); v && *v) {
    char* end = nullptr;
    long sec = std::strtol(v, &end, 10);
    if (*end || sec < 0 || sec > 3600)
      return problem{"DRAFT_JWT_LEEWAY_SEC",
                     std::string("must be whole seconds from 0 to 3600, got '")
                       + v + "'"};
    s.leeway_sec = sec;
  }
  return s;
}

result<jwt_verifier> jwt_verifier_from_environment() {
  auto settings = jwt_settings_from_environment();
  if (!settings)
    return settings.error();
  return jwt_verifier::create(*settings);
}

} // namespace draft
