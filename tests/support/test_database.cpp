#include "support/test_database.hpp"

#include <atomic>
#include <cstdlib>
#include <stdexcept>

#include <pqxx/pqxx>
#include <unistd.h>

#include "runtime/migrations.hpp"

namespace draft::testing {

namespace {

std::string base_url() {
  auto env = std::getenv("DRAFT_TEST_DATABASE_URL");
  if (!env || !*env)
    throw std::runtime_error("DRAFT_TEST_DATABASE_URL is not set: run the "
                             "tests that need PostgreSQL through ./dev test");
  return env;
}

// The URL with its database name replaced.
std::string with_database(const std::string& url, const std::string& name) {
  auto slash = url.rfind('/');
  auto query = url.find('?', slash);
  return url.substr(0, slash + 1) + name
         + (query == std::string::npos ? "" : url.substr(query));
}

} // namespace

test_database::test_database(bool migrate) {
  static std::atomic<int> counter{0};
  admin_url_ = base_url();
  name_ = "test_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  url_ = with_database(admin_url_, name_);
  pqxx::connection admin(admin_url_);
  pqxx::nontransaction tx(admin);
  tx.exec("DROP DATABASE IF EXISTS " + name_);
  tx.exec("CREATE DATABASE " + name_);
  if (migrate) {
    auto applied = apply_migrations(url_);
    if (!applied)
      throw std::runtime_error(applied.error().to_string());
  }
}

test_database::~test_database() {
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // A leftover test database is harmless; ./dev test's server is throwaway.
  }
}

} // namespace draft::testing
