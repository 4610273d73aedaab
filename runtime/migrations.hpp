#pragma once

// Versioned SQL migrations (runtime/sql/NNN_name.sql, compiled into the
// binary) applied at start-up. Idempotent and safe when several processes
// start at once: all pending migrations run in one transaction under an
// advisory lock, and each applied version is recorded in schema_migrations.

#include <string>
#include <vector>

#include "protocol/result.hpp"

namespace pqxx {
class connection_base;
}

namespace draft {

/// One migration as compiled in.
struct migration {
  int version;
  std::string name;
  std::string sql;
};

/// All migrations, in version order.
const std::vector<migration>& all_migrations();

/// Applies the migrations not yet applied; returns how many ran.
result<int> apply_migrations(pqxx::connection_base& connection);

/// Connects to `database_url` and applies the migrations.
result<int> apply_migrations(const std::string& database_url);

} // namespace draft
