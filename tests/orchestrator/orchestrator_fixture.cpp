#include "orchestrator_fixture.hpp"

#include <gtest/gtest.h>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <algorithm>

#include "protocol/json_codec.hpp"

namespace draft::testing {

std::string token_with(const std::string& claims) {
  return sign_hs256("{\"exp\":" + std::to_string(now_utc() / 1'000'000 + 3600)
                      + "," + claims + "}",
                    test_secret);
}

std::string commissioner_token() {
  return token_with(R"("sub":"commish","role":"commissioner","drafts":["*"])");
}

rapidjson::Document parse_json(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  EXPECT_FALSE(doc.HasParseError()) << body;
  return doc;
}

std::string str(const rapidjson::Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

std::vector<std::string> team_ids(const rapidjson::Document& created) {
  std::vector<std::string> ids;
  for (auto& t : created["teams"].GetArray())
    ids.push_back(str(t["team_id"]));
  return ids;
}

std::string team_token(const std::string& team_id) {
  return token_with(R"("sub":"manager","team_id":")" + team_id + "\"");
}

std::string player_at_rank(const std::string& url, int rank) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec_params1("SELECT id FROM players WHERE rank = $1", rank)[0]
    .as<std::string>();
}

std::string pick_body(const std::string& player, const std::string& pick_id) {
  return "{\"player_id\":\"" + player + "\""
         + (pick_id.empty() ? "" : ",\"pick_id\":\"" + pick_id + "\"") + "}";
}

rapidjson::Document describe(orchestrator_fixture& f, const std::string& id) {
  auto res = f.call("GET", "/api/drafts/" + id, "", commissioner_token());
  EXPECT_EQ(res.status, 200) << res.body;
  return parse_json(res.body);
}

void expect_refused(orchestrator_fixture& f, const std::vector<bad_case>& cases,
                    const std::string& draft_id) {
  for (auto& bc : cases) {
    auto before = f.fingerprint();
    auto path = bc.path;
    if (auto at = path.find("{id}"); at != std::string::npos)
      path.replace(at, 4, draft_id);
    auto res = f.call(bc.method, path, bc.body, bc.token, bc.query);
    EXPECT_EQ(res.status, bc.status) << bc.name << ": " << res.body;
    auto doc = parse_json(res.body);
    ASSERT_TRUE(doc.IsObject() && doc.HasMember("error")
                && doc.HasMember("message"))
      << bc.name << ": " << res.body;
    EXPECT_EQ(str(doc["error"]), bc.error) << bc.name << ": " << res.body;
    EXPECT_GT(doc["message"].GetStringLength(), 10u) << bc.name;
    EXPECT_EQ(f.fingerprint(), before) << bc.name << " changed the database";
  }
}

orchestrator_fixture::orchestrator_fixture()
  : pool_(db_.url()), commands_(pool_) {
  jwt_settings s;
  s.hs256_secret = test_secret;
  auto verifier = jwt_verifier::create(s);
  api_ = std::make_unique<orchestrator_api>(commands_, *verifier);
}

http_response
orchestrator_fixture::call(const std::string& method, const std::string& path,
                           const std::string& body, const std::string& token,
                           const std::map<std::string, std::string>& query) {
  http_request req;
  req.method = method;
  req.path = path;
  req.body = body;
  req.query = query;
  if (!token.empty())
    req.headers["authorization"] = "Bearer " + token;
  return api_->handle(req);
}

rapidjson::Document orchestrator_fixture::create(const std::string& type,
                                                 int teams, int rounds,
                                                 int clock_sec) {
  std::string names;
  for (int i = 1; i <= teams; ++i)
    names += std::string(i > 1 ? "," : "") + "\"Team " + std::to_string(i) + "\"";
  auto res = call("POST", "/api/drafts",
                  "{\"type\":\"" + type + "\",\"rounds\":" + std::to_string(rounds)
                    + ",\"time_per_pick_sec\":" + std::to_string(clock_sec)
                    + ",\"teams\":[" + names + "]}",
                  commissioner_token());
  EXPECT_EQ(res.status, 201) << res.body;
  return parse_json(res.body);
}

void orchestrator_fixture::expire_current_pick(const std::string& draft_id) {
  pqxx::connection c(url());
  pqxx::nontransaction tx(c);
  tx.exec_params("UPDATE picks SET timeout_at = clock_timestamp() - "
                 "interval '1 second' WHERE draft_id = $1 AND player_id IS "
                 "NULL AND timeout_at IS NOT NULL",
                 draft_id);
}

std::string orchestrator_fixture::fingerprint() {
  pqxx::connection c(db_.url());
  pqxx::nontransaction tx(c);
  return tx
    .exec1("SELECT md5(coalesce((SELECT string_agg(d::text, '|' ORDER BY id) "
           "FROM drafts d), '') || coalesce((SELECT string_agg(t::text, '|' "
           "ORDER BY id) FROM teams t), '') || coalesce((SELECT "
           "string_agg(p::text, '|' ORDER BY id) FROM picks p), '') || "
           "coalesce((SELECT string_agg(o::text, '|' ORDER BY id) FROM "
           "draft_outbox o), '') || coalesce((SELECT string_agg(q::text, '|' "
           "ORDER BY team_id, position) FROM team_queues q), ''))")[0]
    .as<std::string>();
}

std::vector<std::string> outbox_problems(const std::string& database_url,
                                         const std::string& draft_id) {
  std::vector<std::string> problems;
  pqxx::connection c(database_url);
  pqxx::nontransaction tx(c);
  auto total = tx.exec_params1("SELECT rounds * team_count FROM drafts WHERE "
                               "id = $1",
                               draft_id)[0]
                 .as<int>();
  auto rows = tx.exec_params("SELECT seq, event_type, payload::text FROM "
                             "draft_outbox WHERE draft_id = $1 ORDER BY id",
                             draft_id);
  long expected_seq = 1;
  std::string open_pick;          // pick_id of the last PickStarted
  std::vector<std::string> standing; // slots picked and not undone, in order
  bool completed = false;         // the last DraftCompleted still stands
  for (auto row : rows) {
    auto seq = row[0].as<long>();
    auto type_name = row[1].as<std::string>();
    if (seq != expected_seq)
      problems.push_back("seq " + std::to_string(seq) + " where "
                         + std::to_string(expected_seq) + " was due");
    expected_seq = seq + 1;
    event_type type;
    if (!parse_event_type(type_name, type)) {
      problems.push_back("unknown type " + type_name);
      continue;
    }
    auto payload = json::decode_payload(type, row[2].as<std::string>());
    if (!payload) {
      problems.push_back("seq " + std::to_string(seq) + ": "
                         + payload.error().to_string());
      continue;
    }
    if (seq == 1 && type != event_type::draft_started)
      problems.push_back("first event is " + type_name);
    if (completed && type != event_type::pick_undone)
      problems.push_back("event after DraftCompleted: " + type_name);
    if (auto started = std::get_if<pick_started_payload>(&*payload))
      open_pick = started->pick_id;
    if (auto pick = std::get_if<pick_made_payload>(&*payload)) {
      if (pick->pick_id != open_pick)
        problems.push_back("PickMade for " + pick->pick_id
                           + " without its PickStarted");
      if (std::find(standing.begin(), standing.end(), pick->pick_id)
          != standing.end())
        problems.push_back("second PickMade for slot "
                           + std::to_string(pick->overall_pick));
      standing.push_back(pick->pick_id);
      open_pick.clear();
    }
    if (auto undone = std::get_if<pick_undone_payload>(&*payload)) {
      if (standing.empty() || standing.back() != undone->pick_id)
        problems.push_back("PickUndone of slot "
                           + std::to_string(undone->overall_pick)
                           + ", not the last pick");
      else
        standing.pop_back();
      completed = false;
    }
    if (type == event_type::draft_completed)
      completed = true;
  }
  if (static_cast<int>(standing.size()) != total)
    problems.push_back(std::to_string(standing.size()) + " slots picked of "
                       + std::to_string(total));
  if (!completed)
    problems.push_back("the outbox does not end with DraftCompleted");
  auto slots = tx.exec_params1("SELECT count(*), count(player_id), count(DISTINCT "
                               "player_id) FROM picks WHERE draft_id = $1",
                               draft_id);
  if (slots[1].as<int>() != total || slots[2].as<int>() != total)
    problems.push_back("picks table: " + slots[1].as<std::string>()
                       + " filled, " + slots[2].as<std::string>()
                       + " distinct players, of " + std::to_string(total));
  return problems;
}

} // namespace draft::testing
