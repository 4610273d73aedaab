// The relay benchmark's baseline (scripts/bench-relay.sh): the same outbox
// rows published to JetStream by the plainest program that can do it — one
// SELECT, then every row's envelope (the relay's own bytes) published
// asynchronously with its event id as the message id, and one wait for all
// PubAcks. No claim, no lease, no
// mark-sent: what the broker and the client library give at best.
//
//   jetstream-baseline <database-url> <nats-url> <stream> <subject-prefix>
//
// Prints one JSON line: {"label":"baseline","events":N,"events_per_s":…}.

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <nats/nats.h>
#include <pqxx/pqxx>

#include "relay_types.hpp"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: jetstream-baseline <database-url> <nats-url> <stream> <subject-prefix>\n");
    return 2;
  }
  struct row {
    std::string event_id, subject, body;
  };
  std::vector<row> rows;
  {
    pqxx::connection db(argv[1]);
    pqxx::nontransaction tx(db);
    for (auto r : tx.exec("SELECT id, event_id, draft_id, seq, event_type, payload::text,"
                          " (extract(epoch from created_at) * 1000000)::bigint FROM draft_outbox ORDER BY id")) {
      draft::relay::outbox_event e{r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                                   r[3].as<std::int64_t>(), r[4].as<std::string>(), r[5].as<std::string>(),
                                   r[6].as<std::int64_t>(), 1, ""};
      rows.push_back({e.event_id, std::string(argv[4]) + "." + e.draft_id, draft::relay::envelope_of(e)});
    }
  }
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = 4096;
  if (natsConnection_ConnectTo(&nc, argv[2]) != NATS_OK || natsConnection_JetStream(&js, nc, &jo) != NATS_OK) {
    std::fprintf(stderr, "jetstream-baseline: cannot reach JetStream at %s\n", argv[2]);
    return 1;
  }
  // The stream the relay would create (file storage, one subject per draft).
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = argv[3];
  auto subjects = std::string(argv[4]) + ".>";
  const char* list[] = {subjects.c_str()};
  cfg.Subjects = list;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  jsStreamInfo* si = nullptr;
  if (js_AddStream(&si, js, &cfg, nullptr, nullptr) != NATS_OK) {
    std::fprintf(stderr, "jetstream-baseline: cannot create stream %s\n", argv[3]);
    return 1;
  }
  jsStreamInfo_Destroy(si);
  auto start = std::chrono::steady_clock::now();
  for (auto& r : rows) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = r.event_id.c_str();
    auto s = js_PublishAsync(js, r.subject.c_str(), r.body.data(), static_cast<int>(r.body.size()), &po);
    if (s != NATS_OK) {
      std::fprintf(stderr, "jetstream-baseline: publish: %s\n", natsStatus_GetText(s));
      return 1;
    }
  }
  jsPubOptions done;
  jsPubOptions_Init(&done);
  done.MaxWait = 60000;
  if (auto s = js_PublishAsyncComplete(js, &done); s != NATS_OK) {
    std::fprintf(stderr, "jetstream-baseline: waiting for PubAcks: %s\n", natsStatus_GetText(s));
    return 1;
  }
  double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"label\":\"baseline\",\"events\":%zu,\"seconds\":%.3f,\"events_per_s\":%.0f}\n", rows.size(), sec,
              rows.size() / sec);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return 0;
}
