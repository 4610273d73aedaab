#include "actors/gateway_metrics.hpp"

namespace draft {

histogram& fanout_latency_histogram() {
  static auto& h = default_metrics().get_histogram(
    "gateway_fanout_latency_seconds",
    "From the outbox row's created_at to the frame written to the socket.",
    exponential_buckets(0.0005, 2, 16));
  return h;
}

counter& deliveries_counter() {
  static auto& c = default_metrics().get_counter(
    "gateway_deliveries_total", "Frames handed to connections.");
  return c;
}

counter& events_applied_counter() {
  static auto& c = default_metrics().get_counter(
    "gateway_events_applied_total", "Outbox events applied.");
  return c;
}

counter& cluster_refusals(const std::string& reason) {
  return default_metrics().get_counter(
    "gateway_cluster_refused_total",
    "Cluster messages refused: an unauthenticated sender, a failed hello, a "
    "node id claimed from another node's connection, an event not from the "
    "draft's owner.",
    {{"reason", reason}});
}

} // namespace draft
