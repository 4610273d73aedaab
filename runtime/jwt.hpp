#pragma once

// JSON Web Token verification for clients and operators: HS256 with a shared
// secret, RS256 with a PEM public key. Each algorithm is bound to its own key,
// so a token cannot choose how it is checked (no `alg: none`, no HS/RS
// confusion).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol/result.hpp"
#include "protocol/time_format.hpp"

namespace draft {

/// Why a token was refused; each attack gets its own code.
enum class jwt_error {
  malformed,          ///< not three dot-separated parts, or too long
  bad_base64,         ///< a part is not base64url
  bad_header,         ///< header is not a JSON object with a string "alg"
  bad_payload,        ///< payload is not a JSON object
  alg_none,           ///< "alg": "none" (unsigned token)
  alg_unsupported,    ///< an algorithm we never accept (HS512, ES256, …)
  alg_not_enabled,    ///< HS256 or RS256 without its key configured
  bad_signature,      ///< signature does not match
  expired,            ///< now > exp (+ leeway)
  not_yet_valid,      ///< now < nbf (- leeway)
  wrong_issuer,       ///< iss differs from the configured issuer
  wrong_audience,     ///< aud does not contain the configured audience
  missing_claim,      ///< sub or exp absent
  bad_claim,          ///< a claim has the wrong type or value
};

/// Stable snake_case name of the code, e.g. "alg_none".
const char* to_string(jwt_error code);

/// A refusal: the code and a sentence for the user.
struct jwt_failure {
  jwt_error code;
  std::string message;
};

/// Roles a token may carry.
enum class role { none, commissioner, admin };

/// What a verified token says about its bearer.
struct jwt_claims {
  std::string subject;               ///< "sub"
  role user_role = role::none;       ///< "role"
  std::string team_id;               ///< "team_id", empty if absent
  std::vector<std::string> drafts;   ///< "drafts": ids, or "*" for all
  std::int64_t expires_at = 0;       ///< "exp", seconds since the epoch
  std::int64_t not_before = 0;       ///< "nbf", 0 if absent

  /// True for role admin, a "*" entry, or `draft_id` listed.
  bool may_read_draft(const std::string& draft_id) const;
};

/// Keys and checks. Leave a key empty to disable its algorithm.
struct jwt_settings {
  std::string hs256_secret;          ///< DRAFT_JWT_SECRET
  std::string rs256_public_key_pem;  ///< contents of DRAFT_JWT_PUBLIC_KEY_FILE
  std::string issuer;                ///< checked when non-empty
  std::string audience;              ///< checked when non-empty
  std::int64_t leeway_sec = 30;      ///< clock skew tolerated on exp/nbf
};

/// Verifies tokens; immutable after creation, safe to share across threads.
class jwt_verifier {
public:
  /// Fails if no key is configured, the secret is shorter than 32 bytes, or
  /// the PEM is not an RSA public key.
  static result<jwt_verifier> create(const jwt_settings& settings);

  /// Checks signature and claims at time `now`.
  result<jwt_claims, jwt_failure> verify(const std::string& token,
                                         timestamp now = now_utc()) const;

  /// When a token with `claims` stops verifying (exp plus the leeway), in
  /// seconds since the epoch; 0 if it has no exp.
  std::int64_t valid_until(const jwt_claims& claims) const {
    return claims.expires_at > 0 ? claims.expires_at + settings_.leeway_sec : 0;
  }

private:
  struct rsa_key;
  jwt_settings settings_;
  std::shared_ptr<rsa_key> rsa_;
};

/// Signs `claims_json` (a JSON object) as an HS256 token — for development
/// tokens (`./dev token`) and tests.
std::string sign_hs256(const std::string& claims_json,
                       const std::string& secret);

/// Reads the JWT settings from DRAFT_JWT_SECRET, DRAFT_JWT_PUBLIC_KEY_FILE,
/// DRAFT_JWT_ISSUER and DRAFT_JWT_AUDIENCE.
result<jwt_settings> jwt_settings_from_environment();

/// A verifier from those variables; a problem names the variable at fault.
result<jwt_verifier> jwt_verifier_from_environment();

} // namespace draft
