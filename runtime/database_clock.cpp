#include "runtime/database_clock.hpp"

#include <atomic>

#include <pqxx/pqxx>

#include "runtime/draft_queries.hpp"
#include "runtime/metrics.hpp"

namespace draft {

namespace {

std::atomic<std::int64_t> offset_us{0};

} // namespace

timestamp database_now() {
  return now_utc() + offset_us.load(std::memory_order_relaxed);
}

std::int64_t database_clock_offset() {
  return offset_us.load(std::memory_order_relaxed);
}

std::int64_t measure_database_clock(pqxx::connection_base& connection) {
  pqxx::nontransaction tx(connection);
  auto sent = now_utc();
  auto db = tx.exec1("SELECT " + sql_micros("clock_timestamp()"))[0].as<long long>();
  auto received = now_utc();
  auto offset = db - (sent + (received - sent) / 2);
  offset_us.store(offset, std::memory_order_relaxed);
  static auto& gauge = default_metrics().get_gauge(
    "gateway_database_clock_offset_seconds",
    "The database's clock minus this process's, as last measured.");
  gauge.set(static_cast<double>(offset) / 1e6);
  return offset;
}

} // namespace draft
