#pragma once

#include <string>

namespace draft::testing {

/// A fresh database on the PostgreSQL server that `./dev test` started
/// (DRAFT_TEST_DATABASE_URL), dropped again when this object goes. Tests that
/// need PostgreSQL fail — never skip — when the variable is missing.
class test_database {
public:
  /// Creates the database; with `migrate`, applies the schema migrations.
  explicit test_database(bool migrate = true);
  ~test_database();

  test_database(const test_database&) = delete;
  test_database& operator=(const test_database&) = delete;

  /// Connection URL of the new database.
  const std::string& url() const { return url_; }

private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

} // namespace draft::testing
