#include "runtime/logger.hpp"

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "protocol/time_format.hpp"
#include "runtime/trace_context.hpp"

namespace draft {

namespace {

struct registry {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<logger>, std::less<>> loggers;
  std::string node = "-";
  std::FILE* output = stderr;
  log_level default_level = log_level::info;
};

registry& the_registry() {
  static registry* r = [] {
    auto result = new registry; // never destroyed: loggers outlive statics
    if (auto env = std::getenv("DRAFT_LOG_LEVEL"))
      parse_log_level(env, result->default_level);
    return result;
  }();
  return *r;
}

constexpr const char* level_names[] = {"debug", "info", "warn", "error"};

} // namespace

const char* to_string(log_level level) {
  return level_names[static_cast<int>(level)];
}

bool parse_log_level(std::string_view name, log_level& out) {
  for (int i = 0; i < 4; ++i) {
    if (name == level_names[i]) {
      out = static_cast<log_level>(i);
      return true;
    }
  }
  return false;
}

logger& logger::get(std::string_view component) {
  auto& r = the_registry();
  std::lock_guard<std::mutex> guard(r.mutex);
  auto it = r.loggers.find(component);
  if (it == r.loggers.end()) {
    auto created = std::make_unique<logger>(std::string(component));
    created->level_.store(r.default_level);
    it = r.loggers.emplace(std::string(component), std::move(created)).first;
  }
  return *it->second;
}

void logger::set_node(std::string node) {
  auto& r = the_registry();
  std::lock_guard<std::mutex> guard(r.mutex);
  r.node = std::move(node);
}

void logger::set_output(std::FILE* file) {
  auto& r = the_registry();
  std::lock_guard<std::mutex> guard(r.mutex);
  r.output = file;
}

bool logger::set_level(std::string_view component, log_level level) {
  auto& r = the_registry();
  std::lock_guard<std::mutex> guard(r.mutex);
  if (component == "*") {
    r.default_level = level;
    for (auto& entry : r.loggers)
      entry.second->level_.store(level);
    return true;
  }
  auto it = r.loggers.find(component);
  if (it == r.loggers.end())
    return false;
  it->second->level_.store(level);
  return true;
}

std::vector<std::pair<std::string, log_level>> logger::levels() {
  auto& r = the_registry();
  std::lock_guard<std::mutex> guard(r.mutex);
  std::vector<std::pair<std::string, log_level>> out;
  for (auto& entry : r.loggers)
    out.emplace_back(entry.first, entry.second->level_.load());
  return out;
}

namespace {

// The length of the well-formed UTF-8 sequence at `text[i]`, or 0.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  auto b0 = byte(i);
  std::size_t n = b0 >= 0xf0 && b0 <= 0xf4 ? 4
                  : b0 >= 0xe0             ? 3
                  : b0 >= 0xc2 && b0 < 0xe0 ? 2
                                            : 0;
  if (n == 0 || i + n > text.size())
    return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xc0) != 0x80)
      return 0;
  auto b1 = byte(i + 1);
  if ((b0 == 0xe0 && b1 < 0xa0) || (b0 == 0xed && b1 > 0x9f)
      || (b0 == 0xf0 && b1 < 0x90) || (b0 == 0xf4 && b1 > 0x8f))
    return 0; // overlong, surrogate or beyond U+10FFFF
  return n;
}

} // namespace

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Well-formed UTF-8 passes; any other byte becomes U+FFFD, so the
      // output is always valid JSON.
      if (auto n = utf8_sequence(text, i)) {
        out.append(text.substr(i, n));
        i += n - 1;
      } else {
        out += "\\ufffd";
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += hex[(c >> 4) & 0xf];
          out += hex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
}

std::string json_quoted(std::string_view text) {
  std::string out = "\"";
  append_json_escaped(out, text);
  return out + "\"";
}

void logger::log(log_level level, std::string_view message,
                 std::initializer_list<log_field> fields) {
  auto& r = the_registry();
  std::string line;
  line.reserve(160);
  line += "{\"ts\":\"";
  line += format_rfc3339(now_utc());
  line += "\",\"level\":\"";
  line += to_string(level);
  line += "\",\"node\":\"";
  {
    std::lock_guard<std::mutex> guard(r.mutex);
    append_json_escaped(line, r.node);
  }
  line += "\",\"component\":\"";
  append_json_escaped(line, component_);
  line += "\",\"msg\":\"";
  append_json_escaped(line, message);
  line += '"';
  for (auto& f : fields) {
    line += ",\"";
    append_json_escaped(line, f.key);
    line += "\":";
    if (f.is_number) {
      line += f.text;
    } else {
      line += '"';
      append_json_escaped(line, f.text);
      line += '"';
    }
  }
  append_correlation(line); // the request or event this thread serves
  line += "}\n";
  std::lock_guard<std::mutex> guard(r.mutex);
  std::fwrite(line.data(), 1, line.size(), r.output);
  std::fflush(r.output);
}

} // namespace draft
