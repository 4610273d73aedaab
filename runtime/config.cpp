#include "runtime/config.hpp"

#include <charconv>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace draft {

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
    ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
    --e;
  return s.substr(b, e - b);
}

bool valid_key(const std::string& key) {
  if (key.empty())
    return false;
  for (char c : key)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.'
        && c != '-')
      return false;
  return true;
}

} // namespace

bool parse_duration(const std::string& text, std::chrono::milliseconds& out) {
  if (text.empty())
    return false;
  double total_ms = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    while (pos < text.size()
           && (std::isdigit(static_cast<unsigned char>(text[pos]))
               || text[pos] == '.'))
      ++pos;
    if (pos == start)
      return false;
    double number = 0;
    try {
      number = std::stod(text.substr(start, pos - start));
    } catch (...) {
      return false;
    }
    auto rest = text.substr(pos);
    double unit_ms;
    if (rest.rfind("ms", 0) == 0) {
      unit_ms = 1, pos += 2;
    } else if (rest.rfind("us", 0) == 0) {
      unit_ms = 0.001, pos += 2;
    } else if (rest.rfind("h", 0) == 0) {
      unit_ms = 3'600'000, pos += 1;
    } else if (rest.rfind("m", 0) == 0) {
      unit_ms = 60'000, pos += 1;
    } else if (rest.rfind("s", 0) == 0) {
      unit_ms = 1000, pos += 1;
    } else {
      return false;
    }
    total_ms += number * unit_ms;
    if (!(total_ms < 1e15)) // ~31,000 years: nonsense, and past int64 soon
      return false;
  }
  out = std::chrono::milliseconds(static_cast<std::int64_t>(total_ms + 0.5));
  return true;
}

result<config> config::from_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return problem{path, "cannot read the configuration file"};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return from_text(buffer.str(), path);
}

result<config> config::from_text(const std::string& text,
                                 const std::string& origin) {
  config out;
  std::istringstream lines(text);
  std::string line, section;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    auto where = origin + ":" + std::to_string(number);
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';')
      continue;
    if (line.front() == '[') {
      if (line.back() != ']' || !valid_key(trim(line.substr(1, line.size() - 2))))
        return problem{where, "expected a section header like [node]"};
      section = trim(line.substr(1, line.size() - 2));
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string::npos)
      return problem{where, "expected key = value"};
    auto key = trim(line.substr(0, eq));
    auto value = trim(line.substr(eq + 1));
    if (!valid_key(key))
      return problem{where, "invalid key \"" + key
                              + "\" (letters, digits, _ . - only)"};
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    auto full = section.empty() ? key : section + "." + key;
    if (out.has(full))
      return problem{where, "duplicate key " + full + " (first at "
                              + out.origin_of(full) + ")"};
    out.set(full, value, where);
  }
  return out;
}

void config::set(const std::string& key, std::string value,
                 std::string origin) {
  entries_[key] = entry{std::move(value), std::move(origin)};
}

void config::apply_environment(
  const std::vector<std::pair<std::string, std::string>>& mapping) {
  for (auto& [key, variable] : mapping)
    if (auto value = std::getenv(variable.c_str()))
      set(key, value, "environment variable " + variable);
}

bool config::has(const std::string& key) const {
  return entries_.count(key) > 0;
}

std::vector<std::string>
config::keys_with_prefix(const std::string& prefix) const {
  std::vector<std::string> out;
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it)
    out.push_back(it->first);
  return out;
}

std::string config::get_string(const std::string& key,
                               const std::string& fallback) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? fallback : it->second.value;
}

std::string config::origin_of(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? "default" : it->second.origin;
}

problem config::invalid(const std::string& key,
                        const std::string& expected) const {
  auto& e = entries_.at(key);
  return problem{key + " (" + e.origin + ")",
                 "expected " + expected + ", got \"" + e.value + "\""};
}

result<std::int64_t> config::get_int(const std::string& key,
                                     std::int64_t fallback, std::int64_t min,
                                     std::int64_t max) const {
  if (!has(key))
    return fallback;
  auto& text = entries_.at(key).value;
  auto expected = "an integer from " + std::to_string(min) + " to "
                  + std::to_string(max);
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || v < min || v > max)
    return invalid(key, expected);
  return static_cast<std::int64_t>(v);
}

result<bool> config::get_bool(const std::string& key, bool fallback) const {
  if (!has(key))
    return fallback;
  auto& v = entries_.at(key).value;
  if (v == "true" || v == "yes" || v == "on" || v == "1")
    return true;
  if (v == "false" || v == "no" || v == "off" || v == "0")
    return false;
  return invalid(key, "true or false");
}

result<std::chrono::milliseconds>
config::get_duration(const std::string& key, std::chrono::milliseconds fallback,
                     std::chrono::milliseconds min,
                     std::chrono::milliseconds max) const {
  if (!has(key))
    return fallback;
  std::chrono::milliseconds out{0};
  if (!parse_duration(entries_.at(key).value, out) || out < min || out > max)
    return invalid(key, "a duration like 500ms, 10s or 1m30s, from "
                          + std::to_string(min.count()) + "ms to "
                          + std::to_string(max.count()) + "ms");
  return out;
}

result<std::string>
config::get_choice(const std::string& key, const std::string& fallback,
                   const std::vector<std::string>& allowed) const {
  if (!has(key))
    return fallback;
  auto& v = entries_.at(key).value;
  for (auto& a : allowed)
    if (v == a)
      return v;
  std::string list;
  for (auto& a : allowed)
    list += (list.empty() ? "" : ", ") + a;
  return invalid(key, "one of " + list);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto end = comma == std::string::npos ? text.size() : comma;
    // "a, b" is how people write lists: blanks around an item are not part of it.
    auto first = start;
    auto last = end;
    while (first < last && (text[first] == ' ' || text[first] == '\t'))
      ++first;
    while (last > first && (text[last - 1] == ' ' || text[last - 1] == '\t'))
      --last;
    if (last > first)
      items.push_back(text.substr(first, last - first));
    start = end + 1;
  }
  return items;
}

result<std::vector<std::string>> parse_origins(const std::string& text,
                                               const std::string& where,
                                               const std::vector<std::string>& schemes) {
  std::vector<std::string> origins;
  for (auto& item : split_list(text)) {
    auto colon = item.find("://");
    auto scheme = colon == std::string::npos ? std::string() : item.substr(0, colon);
    bool known = false;
    for (auto& s : schemes)
      known = known || s == scheme;
    std::string names;
    for (auto& s : schemes)
      names += std::string(names.empty() ? "" : " or ") + s + "://";
    auto host = known ? item.substr(colon + 3) : std::string();
    // Only what a host[:port] is made of: the origins go into headers (CORS,
    // the room page's Content-Security-Policy) as they are.
    bool clean = !host.empty()
                 && host.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
                      == std::string::npos;
    if (!known || !clean)
      return problem{where, "expected a comma-separated list of origins ("
                              + names + "host[:port], no path), got '"
                              + item.substr(0, 100) + "'"};
    origins.push_back(item);
  }
  return origins;
}

bool parse_integer(std::string_view text, std::int64_t min, std::int64_t max,
                   std::int64_t& out) {
  if (text.empty() || text[0] == '+' || (text[0] == '-' && min >= 0))
    return false;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min
      || value > max)
    return false;
  out = value;
  return true;
}

} // namespace draft
