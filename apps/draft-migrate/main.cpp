// draft-migrate: applies the schema migrations to a database and exits.
//
//   draft-migrate [--database-url URL]     (default: $DATABASE_URL)

#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/logger.hpp"
#include "runtime/migrations.hpp"

int main(int argc, char** argv) {
  std::string url;
  if (auto env = std::getenv("DATABASE_URL"))
    url = env;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--database-url" && i + 1 < argc) {
      url = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: draft-migrate [--database-url URL]\n"
                   "  applies the schema migrations (default URL: "
                   "$DATABASE_URL)\n");
      return 2;
    }
  }
  auto& log = draft::logger::get("migrate");
  if (url.empty()) {
    log.error("no database: pass --database-url or set DATABASE_URL");
    return 2;
  }
  auto applied = draft::apply_migrations(url);
  if (!applied) {
    log.error("migration failed", {{"error", applied.error().to_string()}});
    return 1;
  }
  log.info("schema up to date", {{"applied", *applied},
                                 {"known", static_cast<int>(
                                             draft::all_migrations().size())}});
  return 0;
}
