#include "publishers.hpp"

#include <chrono>
#include <map>
#include <mutex>

#include <nats/nats.h>

#include "protocol/json_codec.hpp"
#include "runtime/metrics.hpp"

namespace draft::relay {

std::string envelope_of(const outbox_event& e) {
  relay_envelope env;
  env.event_id = e.event_id;
  parse_event_type(e.event_type, env.type);
  env.draft_id = e.draft_id;
  env.time = e.created_at;
  env.payload_json = e.payload_json;
  env.seq = e.seq;
  return json::encode(env);
}

std::optional<std::string> mock_publisher::publish(const outbox_event& e) {
  std::lock_guard<std::mutex> guard(mutex_);
  published_.push_back(envelope_of(e));
  return std::nullopt;
}

std::vector<std::string> mock_publisher::published() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return published_;
}

struct nats_publisher::connection {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  ~connection() {
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
  }
};

// The batch whose PubAcks are awaited: the library's thread fills in the
// outcomes by event id (the Nats-Msg-Id header) while publish_batch waits.
struct nats_publisher::batch {
  std::map<std::string, std::size_t> index; // event id -> position
  std::vector<publish_outcome> outcomes;
};

nats_publisher::nats_publisher(nats_settings settings, bool jetstream)
  : settings_(std::move(settings)), jetstream_(jetstream) {
}

nats_publisher::~nats_publisher() = default;

namespace {

std::string nats_error(const char* what, natsStatus s, jsErrCode jerr = static_cast<jsErrCode>(0)) {
  std::string out = std::string(what) + ": " + natsStatus_GetText(s);
  if (jerr != 0)
    out += " (JetStream error " + std::to_string(jerr) + ")";
  return out;
}

} // namespace

std::optional<std::string> nats_publisher::connect() {
  auto c = std::make_unique<connection>();
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, settings_.url.c_str());
  natsOptions_SetTimeout(opts, settings_.timeout_ms);
  auto s = natsConnection_Connect(&c->nc, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK)
    return nats_error(("connect to " + settings_.url).c_str(), s);
  if (jetstream_) {
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = settings_.timeout_ms;
    jo.PublishAsync.MaxPending = settings_.window;
    jo.PublishAsync.StallWait = settings_.timeout_ms;
    jo.PublishAsync.AckHandler = &nats_publisher::on_ack;
    jo.PublishAsync.AckHandlerClosure = this;
    s = natsConnection_JetStream(&c->js, c->nc, &jo);
    if (s != NATS_OK)
      return nats_error("JetStream context", s);
    // Create the stream if it is absent; one subject per draft below it.
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    s = js_GetStreamInfo(&si, c->js, settings_.stream.c_str(), nullptr, &jerr);
    if (s == NATS_NOT_FOUND) {
      jsStreamConfig cfg;
      jsStreamConfig_Init(&cfg);
      cfg.Name = settings_.stream.c_str();
      auto subjects = settings_.subject_prefix + ".>";
      const char* list[] = {subjects.c_str()};
      cfg.Subjects = list;
      cfg.SubjectsLen = 1;
      cfg.Storage = js_FileStorage;
      s = js_AddStream(&si, c->js, &cfg, nullptr, &jerr);
    }
    jsStreamInfo_Destroy(si);
    if (s != NATS_OK)
      return nats_error(("stream " + settings_.stream).c_str(), s, jerr);
  }
  conn_ = std::move(c);
  return std::nullopt;
}

// One event's message: the envelope on the draft's subject; its trace
// context and (JetStream) its event id as headers (NATS 2.2+). The stream
// keeps one copy per Nats-Msg-Id: a retry after a lost PubAck is dropped.
natsMsg* nats_publisher::message_of(const outbox_event& e) const {
  auto subject = settings_.subject_prefix + "." + e.draft_id;
  auto body = envelope_of(e);
  natsMsg* msg = nullptr;
  natsMsg_Create(&msg, subject.c_str(), nullptr, body.data(),
                 static_cast<int>(body.size()));
  if (!e.traceparent.empty())
    natsMsgHeader_Set(msg, "traceparent", e.traceparent.c_str());
  if (jetstream_)
    natsMsgHeader_Set(msg, "Nats-Msg-Id", e.event_id.c_str());
  return msg;
}

void nats_publisher::on_ack(jsCtx*, natsMsg* msg, jsPubAck*, jsPubAckErr* pae,
                            void* closure) {
  auto* self = static_cast<nats_publisher*>(closure);
  const char* id = nullptr;
  natsMsgHeader_Get(msg, "Nats-Msg-Id", &id);
  std::lock_guard<std::mutex> guard(self->batch_mutex_);
  // A PubAck that comes after its batch gave up is ignored: the row was
  // marked for a retry, and the stream drops the second copy.
  if (self->batch_ && id) {
    auto it = self->batch_->index.find(id);
    if (it != self->batch_->index.end())
      self->batch_->outcomes[it->second] =
        pae ? nats_error("JetStream publish", pae->Err, pae->ErrCode)
            : publish_outcome{};
  }
  natsMsg_Destroy(msg);
}

std::vector<publish_outcome> nats_publisher::publish_batch(
  const std::vector<const outbox_event*>& events) {
  if (!jetstream_)
    return event_publisher::publish_batch(events);
  if (!conn_)
    if (auto err = connect())
      return std::vector<publish_outcome>(events.size(), err);
  auto b = std::make_shared<batch>();
  auto missing = "no PubAck within " + std::to_string(settings_.timeout_ms) + " ms";
  b->outcomes.assign(events.size(), missing);
  for (std::size_t i = 0; i < events.size(); ++i)
    b->index.emplace(events[i]->event_id, i);
  {
    std::lock_guard<std::mutex> guard(batch_mutex_);
    batch_ = b;
  }
  bool broken = false;
  for (std::size_t i = 0; i < events.size() && !broken; ++i) {
    auto* msg = message_of(*events[i]);
    // Blocks (up to StallWait) while `window` publishes await their PubAck.
    auto s = js_PublishMsgAsync(conn_->js, &msg, nullptr);
    if (s != NATS_OK) {
      natsMsg_Destroy(msg); // still ours when the call failed
      // A broken link fails the rest at once, rather than each after its
      // own stall: they are retried with this error.
      auto error = nats_error("JetStream publish", s);
      std::lock_guard<std::mutex> guard(batch_mutex_);
      for (auto k = i; k < events.size(); ++k)
        b->outcomes[k] = error;
      broken = true;
    }
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = settings_.timeout_ms;
  if (js_PublishAsyncComplete(conn_->js, &po) != NATS_OK) {
    // What is still pending stays "no PubAck": drop it and reconnect.
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, conn_->js) == NATS_OK)
      natsMsgList_Destroy(&pending);
    broken = true;
  }
  std::vector<publish_outcome> out;
  {
    std::lock_guard<std::mutex> guard(batch_mutex_);
    batch_.reset();
    out = std::move(b->outcomes);
  }
  if (broken)
    conn_.reset();
  return out;
}

std::optional<std::string> nats_publisher::publish(const outbox_event& e) {
  if (!conn_)
    if (auto err = connect())
      return err;
  natsMsg* msg = message_of(e);
  struct destroy_msg {
    natsMsg* m;
    ~destroy_msg() { natsMsg_Destroy(m); }
  } owned{msg};
  if (jetstream_) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = settings_.timeout_ms;
    jsPubAck* ack = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    auto s = js_PublishMsg(&ack, conn_->js, msg, &po, &jerr);
    jsPubAck_Destroy(ack);
    if (s != NATS_OK) {
      conn_.reset();
      return nats_error("JetStream publish", s, jerr);
    }
    return std::nullopt;
  }
  auto s = natsConnection_PublishMsg(conn_->nc, msg);
  if (s == NATS_OK)
    s = natsConnection_FlushTimeout(conn_->nc, settings_.timeout_ms);
  if (s != NATS_OK) {
    conn_.reset();
    return nats_error("NATS publish", s);
  }
  return std::nullopt;
}

std::optional<std::string> metric_publisher::publish(const outbox_event& e) {
  auto start = std::chrono::steady_clock::now();
  auto err = inner_->publish(e);
  if (err)
    metrics_->failed(inner_->name());
  else
    metrics_->published(inner_->name(),
                        std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start));
  return err;
}

std::vector<publish_outcome> metric_publisher::publish_batch(
  const std::vector<const outbox_event*>& events) {
  auto start = std::chrono::steady_clock::now();
  auto outcomes = inner_->publish_batch(events);
  // Each event of a batch took the batch's time to be acknowledged.
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(
    std::chrono::steady_clock::now() - start);
  for (auto& o : outcomes)
    if (o)
      metrics_->failed(inner_->name());
    else
      metrics_->published(inner_->name(), took);
  return outcomes;
}

void prometheus_metrics::published(const std::string& publisher,
                                   std::chrono::microseconds took) {
  default_metrics()
    .get_counter("relay_published_total", "Events published.",
                 {{"publisher", publisher}})
    .inc();
  default_metrics()
    .get_histogram("relay_publish_seconds", "Time to publish one event.",
                   exponential_buckets(0.0001, 2, 16), {{"publisher", publisher}})
    .observe(static_cast<double>(took.count()) / 1e6);
}

void prometheus_metrics::failed(const std::string& publisher) {
  default_metrics()
    .get_counter("relay_publish_failures_total", "Failed publish attempts.",
                 {{"publisher", publisher}})
    .inc();
}

void prometheus_metrics::dead_lettered() {
  default_metrics()
    .get_counter("relay_dead_lettered_total",
                 "Events marked dead after their last retry.")
    .inc();
}

void prometheus_metrics::polled(std::size_t claimed) {
  default_metrics()
    .get_counter("relay_claimed_total", "Events claimed for publishing.")
    .inc(claimed);
}

} // namespace draft::relay
