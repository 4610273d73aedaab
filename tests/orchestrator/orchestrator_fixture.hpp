#pragma once

// Shared by the orchestrator's database and process tests: a migrated test
// database, the commands behind a real JWT verifier, tokens, and the outbox
// invariant every draft must satisfy.

#include <memory>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "connection_pool.hpp"
#include "draft_commands.hpp"
#include "orchestrator_api.hpp"
#include "support/test_database.hpp"

namespace draft::testing {

inline const std::string test_secret = "orchestrator-test-secret-32-bytes!!";

/// An HS256 token with the given claims (JSON members, without braces).
std::string token_with(const std::string& claims);

/// A commissioner token for every draft.
std::string commissioner_token();

/// Parses a JSON body (the test fails on garbage).
rapidjson::Document parse_json(const std::string& body);

class orchestrator_fixture {
public:
  orchestrator_fixture();

  const std::string& url() const { return db_.url(); }
  draft_commands& commands() { return commands_; }
  orchestrator_api& api() { return *api_; }

  /// Answers a request as the HTTP server would, without a socket.
  http_response call(const std::string& method, const std::string& path,
                     const std::string& body, const std::string& token,
                     const std::map<std::string, std::string>& query = {});

  /// Creates a draft; returns the 201 body.
  rapidjson::Document create(const std::string& type, int teams, int rounds,
                             int clock_sec);

  /// A digest of every business and outbox row, to show nothing changed.
  std::string fingerprint();

private:
  test_database db_;
  connection_pool pool_;
  draft_commands commands_;
  std::unique_ptr<orchestrator_api> api_;
};

/// Checks a completed draft's outbox: seq 1..N without gap in commit order,
/// DraftStarted first, one PickStarted before each PickMade of the same slot,
/// exactly one PickMade per slot, DraftCompleted last and once, every payload
/// decodable, and every slot holding a distinct player. Returns the problems
/// found (empty when all hold).
std::vector<std::string> outbox_problems(const std::string& database_url,
                                         const std::string& draft_id);

} // namespace draft::testing
