#include "runtime/trace_context.hpp"

#include <random>

#include "runtime/logger.hpp"

namespace draft {

namespace {

thread_local const correlation_scope* innermost = nullptr;

bool is_lower_hex(std::string_view text) {
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

bool all_zero(std::string_view text) {
  return text.find_first_not_of('0') == std::string_view::npos;
}

} // namespace

std::string trace_context::header() const {
  return "00-" + trace_id + "-" + span_id + "-" + flags;
}

std::optional<trace_context> parse_traceparent(std::string_view h) {
  // version "-" trace-id "-" parent-id "-" flags; a later version may add
  // fields after a dash.
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-')
    return std::nullopt;
  auto version = h.substr(0, 2), trace = h.substr(3, 32), span = h.substr(36, 16),
       flags = h.substr(53, 2);
  if (!is_lower_hex(version) || version == "ff" || !is_lower_hex(trace)
      || !is_lower_hex(span) || !is_lower_hex(flags) || all_zero(trace)
      || all_zero(span))
    return std::nullopt;
  if (version == "00" ? h.size() != 55 : h.size() > 55 && h[55] != '-')
    return std::nullopt;
  return trace_context{std::string(trace), std::string(span), std::string(flags)};
}

std::string random_hex(int bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  thread_local std::mt19937_64 engine{std::random_device{}()};
  std::string out;
  do {
    out.clear();
    for (int i = 0; i < bytes; ++i) {
      auto b = static_cast<unsigned>(engine() & 0xff);
      out += digits[b >> 4];
      out += digits[b & 0xf];
    }
  } while (all_zero(out));
  return out;
}

trace_context child_span(const std::optional<trace_context>& parent) {
  trace_context out;
  out.trace_id = parent ? parent->trace_id : random_hex(16);
  out.span_id = random_hex(8);
  out.flags = parent ? parent->flags : "01";
  return out;
}

correlation_scope::correlation_scope(std::string traceparent,
                                     std::string id_key, std::string id)
  : traceparent_(std::move(traceparent)), id_key_(std::move(id_key)),
    id_(std::move(id)), outer_(innermost) {
  innermost = this;
}

correlation_scope::~correlation_scope() {
  innermost = outer_;
}

std::string current_traceparent() {
  return innermost ? innermost->traceparent_ : std::string();
}

void append_correlation(std::string& line) {
  auto* scope = innermost;
  if (!scope)
    return;
  if (scope->traceparent_.size() >= 35) {
    line += ",\"trace_id\":\"";
    line.append(scope->traceparent_, 3, 32); // validated hex: no escaping
    line += '"';
  }
  if (!scope->id_.empty()) {
    line += ",\"";
    append_json_escaped(line, scope->id_key_);
    line += "\":\"";
    append_json_escaped(line, scope->id_);
    line += '"';
  }
}

} // namespace draft
