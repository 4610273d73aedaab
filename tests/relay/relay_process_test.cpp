// The outbox-relay program itself: what its HTTP port serves.

#include <gtest/gtest.h>

#include "gateway_fixture.hpp"
#include "support/http_client.hpp"
#include "support/test_database.hpp"

using namespace draft::testing;

TEST(relay_process, enable_metrics_false_removes_the_metrics_endpoint) {
  test_database db;
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()},
                                         {"PUBLISHER_TYPE", "mock"}};
  {
    service with("outbox-relay", "relay-with-metrics", env, "HEALTH_PORT");
    auto metrics = http_call(with.port, "GET", "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("relay_oldest_unsent_seconds"), std::string::npos)
      << metrics.body;
  }
  env["ENABLE_METRICS"] = "false";
  service without("outbox-relay", "relay-without-metrics", env,
                  "HEALTH_PORT");
  auto metrics = http_call(without.port, "GET", "/metrics");
  EXPECT_EQ(metrics.status, 404) << metrics.body;
  EXPECT_NE(metrics.body.find("ENABLE_METRICS=false"), std::string::npos)
    << metrics.body;
  EXPECT_EQ(http_call(without.port, "GET", "/health").status, 200);
}
