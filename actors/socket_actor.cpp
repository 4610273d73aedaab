#include "actors/socket_actor.hpp"

#include <algorithm>
#include <chrono>

#include <caf/all.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "protocol/json_codec.hpp"
#include "actors/gateway_types.hpp"
#include "runtime/database_clock.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"

namespace draft {

namespace {

struct socket_state {
  sink_ptr sink;
  draft_actor_api draft;
  database_api database;
  connection_info info;
  std::uint64_t handled = 0;
  timestamp opened_at = now_utc();
  double resume_tokens = -1; ///< the resume bucket; -1 until first use
  std::chrono::steady_clock::time_point resume_refilled{};
  static inline const char* name = "socket";
};

// One token of the connection's resume bucket (rate a second, bursts of 5×).
bool take_resume_token(socket_state& st) {
  auto rate = st.info.resumes_per_second;
  auto burst = std::max(1.0, rate * 5);
  auto now = std::chrono::steady_clock::now();
  if (st.resume_tokens < 0)
    st.resume_tokens = burst;
  else
    st.resume_tokens = std::min(
      burst, st.resume_tokens
               + rate * std::chrono::duration<double>(now - st.resume_refilled).count());
  st.resume_refilled = now;
  if (st.resume_tokens < 1)
    return false;
  st.resume_tokens -= 1;
  return true;
}

socket_api::behavior_type
socket_actor(socket_api::stateful_pointer<socket_state> self,
             sink_ptr sink, draft_actor_api draft,
             database_api database, connection_info info) {
  auto& st = self->state;
  st.sink = std::move(sink);
  st.draft = std::move(draft);
  st.database = std::move(database);
  st.info = std::move(info);
  self->monitor(st.draft);
  self->set_down_handler([=](caf::down_msg& msg) {
    if (msg.source == self->state.draft.address()) {
      self->state.sink->close(1012, "draft moved or restarted; reconnect with "
                                    "last_seq");
      self->quit();
    }
  });
  // Attachables run after the state is gone: capture what they need.
  self->attach_functor([sink = st.sink, draft = st.draft] {
    caf::anon_send(draft, unsubscribe_atom::value);
    // A no-op if the connection already ended; otherwise (e.g. a replay
    // failed) the client must not be left on a silent connection.
    sink->close(1011, "internal error; reconnect with last_seq");
  });
  self->send(st.draft, subscribe_atom::value, st.info.last_seq, st.sink,
             st.info.team_id);
  return {
    [=](resume_request resume) {
      ++self->state.handled;
      if (!take_resume_token(self->state)) {
        auto& i = self->state.info;
        logger::get("socket").warn("resume rate exceeded; closing",
                                   {{"connection", i.connection_id},
                                    {"user", i.user}});
        self->state.sink->close(4029, "too many resume messages (at most "
                                        + std::to_string(i.resumes_per_second)
                                        + " a second); reconnect with last_seq");
        self->quit();
        return;
      }
      // A resume resets this connection's cursor; the draft actor replays.
      self->send(self->state.draft, subscribe_atom::value, resume.last_seq,
                 self->state.sink, self->state.info.team_id);
    },
    [=](ping_request& ping) {
      ++self->state.handled;
      auto f = std::make_shared<frame>();
      f->text = json::encode(pong_reply{ping.nonce, database_now()});
      self->state.sink->send(f);
    },
    [=](slow_atom, std::int64_t seq) {
      auto& i = self->state.info;
      logger::get("socket").warn("slow consumer closed",
                                 {{"draft_id", i.draft_id},
                                  {"connection", i.connection_id},
                                  {"user", i.user},
                                  {"seq", seq}});
      self->send(self->state.database, dead_atom::value,
                 dead_letter{i.draft_id, i.connection_id, i.user, seq,
                             "slow consumer: send queue full"});
      self->quit();
    },
    [=](closed_atom) { self->quit(); },
    [=](shutdown_atom, const std::string& by) {
      // An operator's disconnect (admin console).
      auto& i = self->state.info;
      logger::get("socket").info("disconnected by an operator",
                                 {{"connection", i.connection_id},
                                  {"user", i.user},
                                  {"by", by}});
      self->state.sink->close(4010, "disconnected by an operator; reconnect "
                                    "with last_seq");
      self->quit();
    },
    [=](expire_atom) {
      // The session found the token expired on its lane's sweep and closes
      // with 4001 (actors/edge/ws_session.cpp): no timer per connection.
      auto& i = self->state.info;
      logger::get("socket").info("token expired; closing",
                                 {{"connection", i.connection_id},
                                  {"user", i.user}});
      self->quit();
    },
    [=](status_atom) -> actor_status {
      auto& st = self->state;
      auto& i = st.info;
      auto c = st.sink->counters();
      return {"socket-" + i.connection_id, "socket", self->mailbox().size(),
              st.handled,
              {{"connection", i.connection_id},
               {"draft_id", i.draft_id},
               {"user", i.user},
               {"queued", std::to_string(c.queued)},
               {"bytes_in", std::to_string(c.bytes_in)},
               {"bytes_out", std::to_string(c.bytes_out)},
               {"opened_at", std::to_string(st.opened_at)}}};
    },
  };
}

} // namespace

socket_api spawn_socket_actor(caf::actor_system& system, sink_ptr sink,
                              draft_actor_api draft, database_api database,
                              connection_info info) {
  return system.spawn(socket_actor, std::move(sink), std::move(draft),
                      std::move(database), std::move(info));
}

} // namespace draft
