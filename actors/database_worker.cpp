#include "actors/database_worker.hpp"

#include <memory>

#include <caf/all.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/sec.hpp>
#include <pqxx/pqxx>

#include "actors/gateway_messages.hpp"
#include "actors/outbox_rows.hpp"
#include "protocol/uuid.hpp"
#include "actors/gateway_types.hpp"
#include "protocol/json_writer.hpp"
#include "runtime/draft_queries.hpp"
#include "runtime/logger.hpp"

namespace draft {

namespace {


struct worker_state {
  std::string url;
  std::string node;
  int index = 0;
  std::uint64_t handled = 0;
  std::unique_ptr<pqxx::connection> connection;

  pqxx::connection& db() {
    if (!connection || !connection->is_open())
      connection = std::make_unique<pqxx::connection>(url);
    return *connection;
  }
};

caf::error db_error(const std::string& what, const std::exception& e) {
  logger::get("database").error(what, {{"error", e.what()}});
  return caf::make_error(caf::sec::runtime_error, what + ": " + e.what());
}

draft_load load(pqxx::connection& c, const std::string& draft_id) {
  draft_load out;
  if (!is_uuid(draft_id))
    return out;
  // One snapshot of the database, so state and last_seq agree.
  pqxx::work tx(c);
  tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
  auto state = read_draft_state(tx, draft_id);
  tx.commit();
  if (!state)
    return out;
  out.found = true;
  out.snapshot = std::move(state->snapshot);
  out.paused_remaining_sec = state->paused_remaining_sec;
  out.draft_type = std::move(state->type);
  return out;
}

std::vector<outbox_row> fetch(pqxx::connection& c, const std::string& draft_id,
                              std::int64_t from, std::int64_t to) {
  pqxx::nontransaction tx(c);
  auto rows = tx.exec_params("SELECT " + outbox_columns()
                               + " FROM draft_outbox WHERE draft_id = $1 AND "
                                 "seq BETWEEN $2 AND $3 ORDER BY seq",
                             draft_id, from, to);
  std::vector<outbox_row> out;
  out.reserve(rows.size());
  for (auto r : rows)
    out.push_back(outbox_row_from(r, 0, draft_id));
  return out;
}

// Keyset pagination over the draft's made picks, by overall pick; the cursor
// is the last pick_id of the previous page, as the seed's example shows.
caf::result<std::string> picks_page(pqxx::connection& c,
                                    const std::string& draft_id,
                                    const std::string& cursor, int limit) {
  pqxx::nontransaction tx(c);
  int after = 0;
  if (!cursor.empty()) {
    auto at = tx.exec_params("SELECT overall_pick FROM picks WHERE id = $1 "
                             "AND draft_id = $2 AND player_id IS NOT NULL",
                             cursor, draft_id);
    if (at.empty())
      return caf::make_error(caf::sec::invalid_argument,
                             "cursor: not a pick of this draft; use the "
                             "next_cursor of an earlier page");
    after = at[0][0].as<int>();
  }
  auto rows = tx.exec_params(
    "SELECT p.id, p.player_id, p.team_id, p.round, p.pick, p.overall_pick, "
    "pl.name, t.name, " + sql_micros("p.picked_at") + ", p.auto_picked, "
    "p.autopick_source, p.picked_by"
    " FROM picks p JOIN players pl ON pl.id = p.player_id JOIN teams t ON "
    "t.id = p.team_id WHERE p.draft_id = $1 AND p.overall_pick > $2 ORDER BY "
    "p.overall_pick LIMIT $3",
    draft_id, after, limit + 1);
  std::vector<pqxx::row> page;
  for (auto r : rows)
    if (static_cast<int>(page.size()) < limit)
      page.push_back(r);
  bool more = static_cast<int>(rows.size()) > limit;
  return json::write_object([&](json::object_writer& o) {
    o.str("draft_id", draft_id);
    o.objects("picks", page, [](json::object_writer& p, const pqxx::row& r) {
      p.str("pick_id", r[0].as<std::string>())
        .str("player_id", r[1].as<std::string>())
        .str("team_id", r[2].as<std::string>())
        .num("round", r[3].as<int>())
        .num("pick", r[4].as<int>())
        .num("overall_pick", r[5].as<int>())
        .str("player_name", r[6].as<std::string>())
        .str("team_name", r[7].as<std::string>())
        .time("picked_at", r[8].as<long long>())
        .boolean("auto_picked", r[9].as<bool>())
        .str_or_null("autopick_source", !r[10].is_null(), r[10].c_str())
        .str_or_null("by", !r[11].is_null(), r[11].c_str());
    });
    o.str_or_null("next_cursor", more, more ? page.back()[0].as<std::string>() : "");
  });
}

// The admin console's view of the outbox: what the relay has not sent yet.
std::string outbox_report(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  auto r = tx.exec1(
    "SELECT count(*) FILTER (WHERE sent_at IS NULL AND NOT dead), "
    "coalesce(extract(epoch from now() - min(created_at) FILTER (WHERE "
    "sent_at IS NULL AND NOT dead)), 0)::float8, "
    "count(*) FILTER (WHERE dead), count(*), "
    "coalesce(extract(epoch from now() - max(created_at)), -1)::float8 "
    "FROM draft_outbox");
  return json::write_object([&](json::object_writer& o) {
    o.num("unsent", r[0].as<long long>())
      .real("oldest_unsent_age_sec", r[1].as<double>())
      .num("dead", r[2].as<long long>())
      .num("rows", r[3].as<long long>())
      .real("newest_age_sec", r[4].as<double>());
  });
}

// The last 100 dead letters of each kind, newest first.
std::string dead_letters_report(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  auto relay = tx.exec("SELECT id, draft_id, seq, event_id, event_type, "
                        "attempts, coalesce(last_error, ''), "
                        + sql_micros("dead_at")
                        + " FROM draft_outbox WHERE dead ORDER BY dead_at DESC "
                          "LIMIT 100");
  auto broadcast = tx.exec("SELECT id, draft_id, connection_id, user_subject, "
                           "seq, reason, node, "
                           + sql_micros("created_at")
                           + " FROM broadcast_dead_letters ORDER BY id DESC "
                             "LIMIT 100");
  return json::write_object([&](json::object_writer& o) {
    o.objects("relay", relay, [](json::object_writer& d, const pqxx::row& r) {
      d.num("id", r[0].as<long long>())
        .str("draft_id", r[1].as<std::string>())
        .num("seq", r[2].as<long long>())
        .str("event_id", r[3].as<std::string>())
        .str("event_type", r[4].as<std::string>())
        .num("attempts", r[5].as<int>())
        .str("last_error", r[6].as<std::string>())
        .str("dead_at", r[7].is_null() ? "" : format_rfc3339(r[7].as<long long>()));
    });
    o.objects("broadcast", broadcast, [](json::object_writer& d, const pqxx::row& r) {
      d.num("id", r[0].as<long long>())
        .str("draft_id", r[1].as<std::string>())
        .str("connection_id", r[2].as<std::string>())
        .str("user", r[3].as<std::string>())
        .num("seq", r[4].as<long long>())
        .str("reason", r[5].as<std::string>())
        .str("node", r[6].as<std::string>())
        .time("created_at", r[7].as<long long>());
    });
  });
}

// Replays (the relay publishes it again) or discards a dead letter; false if
// there is no such dead letter. A relay dead letter is never deleted — the
// gateway reads events by seq — so a discard marks it handled instead.
bool act_on_dead_letter(pqxx::connection& c, const std::string& kind,
                        std::int64_t id, const std::string& action,
                        const std::string& by) {
  pqxx::work tx(c);
  pqxx::result r;
  if (kind == "relay" && action == "replay")
    r = tx.exec_params("UPDATE draft_outbox SET dead = false, dead_at = NULL, "
                       "attempts = 0, next_attempt_at = now() "
                       "WHERE id = $1 AND dead RETURNING id",
                       id);
  else if (kind == "relay" && action == "discard")
    r = tx.exec_params("UPDATE draft_outbox SET dead = false, sent_at = now(), "
                       "last_error = 'discarded by ' || $2 || ': ' || "
                       "coalesce(last_error, '') WHERE id = $1 AND dead "
                       "RETURNING id",
                       id, by);
  else if (kind == "broadcast" && action == "discard")
    r = tx.exec_params("DELETE FROM broadcast_dead_letters WHERE id = $1 "
                       "RETURNING id",
                       id);
  tx.commit();
  return !r.empty();
}

database_api::behavior_type
database_worker(database_api::stateful_pointer<worker_state> self,
                std::string url, std::string node, int index) {
  self->state.url = std::move(url);
  self->state.node = std::move(node);
  self->state.index = index;
  // Every handler reconnects on demand; a broken connection is dropped so
  // the next request opens a fresh one.
  auto guarded = [self](const std::string& what, auto&& body)
    -> decltype(body()) {
    ++self->state.handled;
    try {
      return body();
    } catch (const pqxx::broken_connection& e) {
      self->state.connection.reset();
      return db_error(what, e);
    } catch (const std::exception& e) {
      return db_error(what, e);
    }
  };
  return {
    [=](load_atom, const std::string& draft_id) -> caf::result<draft_load> {
      return guarded("load draft", [&]() -> caf::result<draft_load> {
        return load(self->state.db(), draft_id);
      });
    },
    [=](fetch_atom, const std::string& draft_id, std::int64_t from,
        std::int64_t to) -> caf::result<std::vector<outbox_row>> {
      return guarded("fetch events",
                     [&]() -> caf::result<std::vector<outbox_row>> {
                       return fetch(self->state.db(), draft_id, from, to);
                     });
    },
    [=](picks_atom, const std::string& draft_id, const std::string& cursor,
        int limit) -> caf::result<std::string> {
      return guarded("picks page", [&]() -> caf::result<std::string> {
        return picks_page(self->state.db(), draft_id, cursor, limit);
      });
    },
    [=](report_atom, const std::string& what) -> caf::result<std::string> {
      return guarded("admin report", [&]() -> caf::result<std::string> {
        return what == "outbox" ? outbox_report(self->state.db())
                                : dead_letters_report(self->state.db());
      });
    },
    [=](dead_atom, const std::string& kind, std::int64_t id,
        const std::string& action, const std::string& by) -> caf::result<bool> {
      return guarded("dead letter action", [&]() -> caf::result<bool> {
        return act_on_dead_letter(self->state.db(), kind, id, action, by);
      });
    },
    [=](status_atom) -> actor_status {
      auto& st = self->state;
      bool open = st.connection && st.connection->is_open();
      return {"database-" + std::to_string(st.index), "database",
              self->mailbox().size(), st.handled,
              {{"connected", open ? "true" : "false"}}};
    },
    [=](dead_atom, const dead_letter& letter) -> caf::result<void> {
      return guarded("record dead letter", [&]() -> caf::result<void> {
        pqxx::work tx(self->state.db());
        tx.exec_params("INSERT INTO broadcast_dead_letters (draft_id, "
                       "connection_id, user_subject, seq, reason, node) "
                       "VALUES ($1, $2, $3, $4, $5, $6)",
                       letter.draft_id, letter.connection_id, letter.user,
                       letter.seq, letter.reason, self->state.node);
        tx.commit();
        return caf::unit;
      });
    },
  };
}

struct pool_state {
  std::vector<database_api> workers;
  std::size_t next = 0;
  std::uint64_t handled = 0;
  static inline const char* name = "database-pool";

  const database_api& pick() {
    ++handled;
    return workers[next++ % workers.size()];
  }
};

// Round robin over the workers: each request is delegated, so the worker
// answers the requester directly.
database_api::behavior_type
database_pool(database_api::stateful_pointer<pool_state> self,
              std::vector<database_api> workers) {
  self->state.workers = std::move(workers);
  for (auto& w : self->state.workers)
    self->link_to(w); // the pool and its workers stop together
  return {
    [=](load_atom a, std::string& id) {
      return self->delegate(self->state.pick(), a, std::move(id));
    },
    [=](fetch_atom a, std::string& id, std::int64_t from, std::int64_t to) {
      return self->delegate(self->state.pick(), a, std::move(id), from, to);
    },
    [=](picks_atom a, std::string& id, std::string& cursor, int limit) {
      return self->delegate(self->state.pick(), a, std::move(id),
                            std::move(cursor), limit);
    },
    [=](report_atom a, std::string& what) {
      return self->delegate(self->state.pick(), a, std::move(what));
    },
    [=](dead_atom a, std::string& kind, std::int64_t id, std::string& action,
        std::string& by) {
      return self->delegate(self->state.pick(), a, std::move(kind), id,
                            std::move(action), std::move(by));
    },
    [=](dead_atom a, dead_letter& letter) {
      return self->delegate(self->state.pick(), a, std::move(letter));
    },
    [=](status_atom) -> actor_status {
      auto& st = self->state;
      return {"database-pool", "database", self->mailbox().size(), st.handled,
              {{"workers", std::to_string(st.workers.size())}}};
    },
  };
}

} // namespace

database_api spawn_database_pool(caf::actor_system& system,
                                 const std::string& database_url,
                                 const std::string& node_id, int workers,
                                 std::function<void(database_api)> on_worker) {
  std::vector<database_api> pool;
  for (int i = 1; i <= workers; ++i) {
    auto worker = system.spawn<caf::detached>(database_worker, database_url,
                                              node_id, i);
    if (on_worker)
      on_worker(worker);
    pool.push_back(worker);
  }
  return system.spawn(database_pool, std::move(pool));
}

} // namespace draft
