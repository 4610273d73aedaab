#pragma once

// Structured logging: one JSON object per line, one named logger per
// component, levels changeable at run time (e.g. from the admin console).

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace draft {

/// Severity, lowest first.
enum class log_level : int { debug, info, warn, error };

/// "debug", "info", "warn", "error".
const char* to_string(log_level level);

/// Parses a level name; false for anything else.
bool parse_log_level(std::string_view name, log_level& out);

/// One key/value of a log line; numbers stay numbers in the JSON.
struct log_field {
  log_field(std::string_view k, std::string_view v) : key(k), text(v) {}
  log_field(std::string_view k, const std::string& v) : key(k), text(v) {}
  log_field(std::string_view k, const char* v) : key(k), text(v) {}
  log_field(std::string_view k, std::int64_t v)
    : key(k), text(std::to_string(v)), is_number(true) {}
  log_field(std::string_view k, int v) : log_field(k, std::int64_t{v}) {}
  log_field(std::string_view k, std::uint64_t v)
    : key(k), text(std::to_string(v)), is_number(true) {}

  std::string_view key;
  std::string text;
  bool is_number = false;
};

/// A component's logger. Obtain with `logger::get("component")`; the
/// reference stays valid for the life of the process.
class logger {
public:
  /// The logger named `component`, created at its first use.
  static logger& get(std::string_view component);

  /// Sets the node id written on every line.
  static void set_node(std::string node);

  /// Redirects all output (default: stderr). The file is not closed.
  static void set_output(std::FILE* file);

  /// Sets the level of one component, or of every component for "*".
  /// Returns false if no such component exists.
  static bool set_level(std::string_view component, log_level level);

  /// The names and levels of all components.
  static std::vector<std::pair<std::string, log_level>> levels();

  bool enabled(log_level level) const {
    return level >= level_.load(std::memory_order_relaxed);
  }

  void log(log_level level, std::string_view message,
           std::initializer_list<log_field> fields = {});

  void debug(std::string_view m, std::initializer_list<log_field> f = {}) {
    if (enabled(log_level::debug))
      log(log_level::debug, m, f);
  }
  void info(std::string_view m, std::initializer_list<log_field> f = {}) {
    if (enabled(log_level::info))
      log(log_level::info, m, f);
  }
  void warn(std::string_view m, std::initializer_list<log_field> f = {}) {
    if (enabled(log_level::warn))
      log(log_level::warn, m, f);
  }
  void error(std::string_view m, std::initializer_list<log_field> f = {}) {
    if (enabled(log_level::error))
      log(log_level::error, m, f);
  }

  const std::string& component() const { return component_; }

  explicit logger(std::string component) : component_(std::move(component)) {}

private:
  std::string component_;
  std::atomic<log_level> level_{log_level::info};
};

/// Appends `text` to `out` as the body of a JSON string (no quotes).
void append_json_escaped(std::string& out, std::string_view text);

/// `text` as a JSON string literal, quotes included.
std::string json_quoted(std::string_view text);

} // namespace draft
