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
  /// Makes the draft's pick on the clock overdue (its timeout a second ago,
  /// by the database's clock).
  void expire_current_pick(const std::string& draft_id);
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

/// A string member's value.
std::string str(const rapidjson::Value& v);

/// The team ids of a create response, by seat (index 0 = seat 1).
std::vector<std::string> team_ids(const rapidjson::Document& created);

/// A token of the team's manager (no role).
std::string team_token(const std::string& team_id);

/// GET /api/drafts/{id} as commissioner (the test fails on a refusal).
rapidjson::Document describe(orchestrator_fixture& f, const std::string& id);

/// The id of the player ranked `rank`.
std::string player_at_rank(const std::string& url, int rank);

/// `{"player_id", "pick_id"?}`.
std::string pick_body(const std::string& player, const std::string& pick_id = "");

/// A request that must be refused with `status` and `error`.
struct bad_case {
  const char* name;
  std::string method;
  std::string path; // {id} is replaced by the draft's id
  std::string body;
  std::string token;
  int status;
  std::string error;
  std::map<std::string, std::string> query = {};
};

/// Sends each case; each must be refused as it says, with a JSON error and a
/// message, and leave the database unchanged.
void expect_refused(orchestrator_fixture& f, const std::vector<bad_case>& cases,
                    const std::string& draft_id);

/// Checks a completed draft's outbox: seq 1..N without gap in commit order,
/// DraftStarted first, one PickStarted before each PickMade of the same slot,
/// one PickMade per slot that stands (a PickUndone takes back the last
/// standing one), nothing after a DraftCompleted but a PickUndone,
/// DraftCompleted last, every payload decodable, and every slot holding a
/// distinct player. Returns the problems
/// found (empty when all hold).
std::vector<std::string> outbox_problems(const std::string& database_url,
                                         const std::string& draft_id);

} // namespace draft::testing
