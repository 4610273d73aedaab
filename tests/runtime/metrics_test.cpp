#include <gtest/gtest.h>

#include "runtime/metrics.hpp"

using namespace draft;

TEST(metrics, renders_prometheus_text) {
  metrics_registry r;
  r.get_counter("events_total", "Events applied.", {{"type", "PickMade"}}).inc(3);
  r.get_counter("events_total", "Events applied.", {{"type", "PickStarted"}}).inc();
  r.get_gauge("connections", "Open connections.").set(12);
  auto& h = r.get_histogram("latency_seconds", "Latency.", {0.001, 0.01});
  h.observe(0.0005);
  h.observe(0.005);
  h.observe(0.5);
  r.add_callback_gauge("rss_bytes", "Resident memory.", [] { return 4096.0; });
  EXPECT_EQ(r.render(),
            "# HELP connections Open connections.\n"
            "# TYPE connections gauge\n"
            "connections 12\n"
            "# HELP events_total Events applied.\n"
            "# TYPE events_total counter\n"
            "events_total{type=\"PickMade\"} 3\n"
            "events_total{type=\"PickStarted\"} 1\n"
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{le=\"0.001\"} 1\n"
            "latency_seconds_bucket{le=\"0.01\"} 2\n"
            "latency_seconds_bucket{le=\"+Inf\"} 3\n"
            "latency_seconds_sum 0.5055\n"
            "latency_seconds_count 3\n"
            "# HELP rss_bytes Resident memory.\n"
            "# TYPE rss_bytes gauge\n"
            "rss_bytes 4096\n");
}

TEST(metrics, same_name_and_labels_is_the_same_series) {
  metrics_registry r;
  auto& a = r.get_counter("x_total", "x", {{"k", "v"}});
  auto& b = r.get_counter("x_total", "x", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(r.get_gauge("x_total", "x"), std::invalid_argument);
  EXPECT_THROW(r.get_counter("bad name", "x"), std::invalid_argument);
}

TEST(metrics, escapes_label_values) {
  metrics_registry r;
  r.get_counter("e_total", "e", {{"reason", "say \"hi\"\\"}}).inc();
  EXPECT_NE(r.render().find("e_total{reason=\"say \\\"hi\\\"\\\\\"} 1"),
            std::string::npos);
}

TEST(metrics, estimates_quantiles_from_buckets) {
  histogram h({1, 2, 4});
  for (int i = 0; i < 100; ++i)
    h.observe(i < 90 ? 0.5 : 3);
  EXPECT_LE(h.estimate_quantile(0.5), 1.0);
  EXPECT_GT(h.estimate_quantile(0.99), 2.0);
}
