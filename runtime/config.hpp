#pragma once

// Configuration from a file and the environment. A file holds `key = value`
// lines, `# comments` and `[section]` headers (keys below a header are
// `section.key`). Environment variables override file values through an
// explicit mapping, so every variable an app reads is listed in one place.
// Getters validate and name the offending key or variable in their problem.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/result.hpp"

namespace draft {

/// A validated key/value configuration.
class config {
public:
  /// Reads `path`. A malformed line is a problem naming the file and line.
  static result<config> from_file(const std::string& path);

  /// Parses `text` as a config file named `origin` in problems.
  static result<config> from_text(const std::string& text,
                                  const std::string& origin);

  /// Sets `key` to `value`; `origin` says where it came from in problems.
  void set(const std::string& key, std::string value, std::string origin);

  /// For each {key, VARIABLE}: if VARIABLE is set in the environment, it
  /// overrides `key`.
  void apply_environment(
    const std::vector<std::pair<std::string, std::string>>& mapping);

  bool has(const std::string& key) const;

  /// The keys that start with `prefix`, in order.
  std::vector<std::string> keys_with_prefix(const std::string& prefix) const;

  /// The value of `key`, or `fallback` when absent.
  std::string get_string(const std::string& key,
                         const std::string& fallback = {}) const;

  /// An integer in [min, max].
  result<std::int64_t> get_int(const std::string& key, std::int64_t fallback,
                               std::int64_t min, std::int64_t max) const;

  /// true/false, yes/no, on/off, 1/0.
  result<bool> get_bool(const std::string& key, bool fallback) const;

  /// A duration such as "500ms", "10s", "1m30s" (Go syntax; a bare number is
  /// refused because its unit would be a guess), in [min, max].
  result<std::chrono::milliseconds>
  get_duration(const std::string& key, std::chrono::milliseconds fallback,
               std::chrono::milliseconds min,
               std::chrono::milliseconds max) const;

  /// A value that must be one of `allowed`.
  result<std::string> get_choice(const std::string& key,
                                 const std::string& fallback,
                                 const std::vector<std::string>& allowed) const;

  /// Where `key`'s value came from: "file.conf:12", "environment variable X",
  /// or "default".
  std::string origin_of(const std::string& key) const;

private:
  struct entry {
    std::string value;
    std::string origin;
  };

  problem invalid(const std::string& key, const std::string& expected) const;

  std::map<std::string, entry> entries_;
};

/// Parses a Go-style duration ("1h2m3.5s", "250ms"); false on bad syntax.
bool parse_duration(const std::string& text, std::chrono::milliseconds& out);

/// The comma-separated items of `text` ("a,b,c" or "a, b"), blanks around an
/// item trimmed and empty items dropped — for
/// list-valued options and query parameters.
std::vector<std::string> split_list(const std::string& text);

/// The comma-separated origins of `text` ("http://a:8080,https://b"), each
/// `scheme://host[:port]` with a scheme of `schemes`, no path, no trailing
/// slash and no wildcard; a problem under `where` otherwise. For CORS
/// allow-lists and the room page's gateway URLs.
result<std::vector<std::string>> parse_origins(const std::string& text,
                                               const std::string& where,
                                               const std::vector<std::string>& schemes);

/// Reads a decimal integer from min to max, the whole of `text`: digits only
/// (a '-' first when min < 0), no spaces, no '+', no overflow ("2^64" is
/// refused, never clamped). False, and `out` untouched, for anything else —
/// for query parameters such as `last_seq`, `limit` and `cursor`.
bool parse_integer(std::string_view text, std::int64_t min, std::int64_t max,
                   std::int64_t& out);

} // namespace draft
